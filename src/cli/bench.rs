//! `deepthink bench`: training and decoding throughput of a model shape, beside the same
//! figures from the committed PyTorch reference (`bench/torch_reference.py`) when asked; or,
//! with `--search`, `--grpo` or `--hf DIR`, the benchmarks of `bench_search`, `bench_grpo` and
//! `bench_hf` (a real-size checkpoint beside `transformers` and llama.cpp).

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::{Args, ValueEnum};
use deepthink_model::bench::{decode_seconds, median, peak_rss_mib};
use deepthink_model::{Model, ModelConfig, ModelShape};
use deepthink_train::bench::train_tokens_per_s;
use serde_json::{json, Value};

#[derive(Clone, Copy, ValueEnum)]
pub enum BenchShape {
    /// The default model: d_model 128, 4 layers, 4 heads / 2 KV heads, SwiGLU 344, vocab 61.
    Default,
    /// d_model 256, 4 layers, 4 heads / 2 KV heads, SwiGLU 688, vocab 64 (docs/background/cpu-backends.md).
    Wide,
}

#[derive(Args)]
pub struct BenchArgs {
    #[arg(long, value_enum, default_value = "default")]
    pub shape: BenchShape,
    /// Python that runs the PyTorch reference (default: `python3`, when it can import torch).
    #[arg(long)]
    pub torch: Option<PathBuf>,
    /// Skip the PyTorch reference.
    #[arg(long)]
    pub no_torch: bool,
    /// Measure only this part (for profiling): train, batched or single.
    #[arg(long, value_parser = ["train", "batched", "single"])]
    pub only: Option<String>,
    /// Alternate deepthink and PyTorch this many times and report medians (this host is noisy).
    #[arg(long, default_value_t = 1)]
    pub rounds: usize,
    /// Timed repetitions, median reported (default 5; 2 with --hf).
    #[arg(long)]
    pub reps: Option<usize>,
    /// Instead: time majority@--samples drawn one by one, per problem, and --together problems
    /// at once, against the engine's batched decode, on --model (default: the built-in model).
    #[arg(long)]
    pub search: bool,
    #[arg(long)]
    pub model: Option<PathBuf>,
    #[arg(long, default_value_t = 16)]
    pub samples: usize,
    #[arg(long, default_value_t = 16)]
    pub problems: usize,
    #[arg(long, default_value_t = 4)]
    pub together: usize,
    /// Instead: seconds per GRPO step against TRL's GRPOTrainer (`bench/trl_grpo.py`) on --model
    /// (default models/mult-compact, the compact mult model the figures were measured on), alternating sides for --rounds; needs a Python with trl 1.16.
    #[arg(long)]
    pub grpo: bool,
    /// Python with torch + trl for --grpo (default: python3).
    #[arg(long, default_value = "python3")]
    pub trl: PathBuf,
    /// --grpo: GRPO steps per side per round (the first two are warm-up, not counted).
    #[arg(long, default_value_t = 10)]
    pub steps: usize,
    /// --grpo: operand digits of the products (4 gives the default model mixed rewards).
    #[arg(long, default_value_t = 4)]
    pub digits: u32,
    /// --grpo: sampling temperature (high, so groups get mixed rewards).
    #[arg(long, default_value_t = 2.5)]
    pub temperature: f32,
    /// Instead: a real-size Hugging Face checkpoint directory, side by side with transformers
    /// (--transformers) and llama.cpp (--llama-cpp, on its GGUF export) at the same --dtype: load
    /// time and memory, logits against transformers', single-sequence ms/token and GB/s against
    /// this machine's measured bandwidth, batched tokens/s and GFLOP/s. Random-weight checkpoints
    /// with real configurations: `python bench/make_real_size.py DIR`.
    #[arg(long, value_name = "DIR")]
    pub hf: Option<PathBuf>,
    /// --hf: the weights' dtype on every side (f32 or bf16).
    #[arg(long, default_value = "f32")]
    pub dtype: deepthink_model::WeightDtype,
    /// --hf: Python with torch + transformers (skipped when not given).
    #[arg(long, value_name = "PYTHON")]
    pub transformers: Option<PathBuf>,
    /// --hf: Python with llama-cpp-python (skipped when not given).
    #[arg(long, value_name = "PYTHON")]
    pub llama_cpp: Option<PathBuf>,
    /// --hf: sequences decoding together in the batched measurement.
    #[arg(long, default_value_t = 16)]
    pub batch: usize,
    /// --hf: greedy tokens each sequence decodes (after a 16-token prompt).
    #[arg(long, default_value_t = 32)]
    pub new_tokens: usize,
    /// --hf: keep the inputs, logits and GGUF file in this folder (default: a temporary one).
    #[arg(long)]
    pub work: Option<PathBuf>,
    /// Instead: the server on loopback — --clients streaming clients for --duration seconds
    /// (tokens/s against the engine's batched decode, TTFT and latency percentiles, one client
    /// at a time for the batching speed-up), overload and disconnects, every malformed request,
    /// and majority@8 through a second server against local. Writes Markdown to --out.
    #[arg(long)]
    pub serve: bool,
    #[arg(long, default_value_t = 64)]
    pub clients: usize,
    #[arg(long, default_value_t = 60)]
    pub duration: u64,
    /// --serve: tokens each reply generates.
    #[arg(long, default_value_t = 128)]
    pub reply_tokens: usize,
    /// --serve: held-out problems for the remote-backend comparison.
    #[arg(long, default_value_t = 200)]
    pub remote_problems: usize,
    /// --serve: the report's file (Markdown).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

fn shape(s: BenchShape) -> (ModelShape, usize) {
    match s {
        BenchShape::Default => (ModelShape::default(), 61),
        BenchShape::Wide => (ModelShape { d_model: 256, ffn_dim: 688, ..ModelShape::default() }, 64),
    }
}

fn ours(model: &mut Model, threads: usize, reps: usize, only: Option<&str>) -> anyhow::Result<Value> {
    let pool = |n| rayon::ThreadPoolBuilder::new().num_threads(n).build();
    let on = |part: &str| only.is_none_or(|o| o == part);
    let train = if on("train") { pool(threads)?.install(|| train_tokens_per_s(model, reps))? } else { f64::NAN };
    let batched =
        if on("batched") { pool(threads)?.install(|| decode_seconds(model, 64, 128, reps))? } else { f64::NAN };
    let single_t = if on("single") { pool(1)?.install(|| decode_seconds(model, 1, 128, reps))? } else { f64::NAN };
    Ok(json!({
        "train_tokens_per_s": train,
        "batched_decode_tokens_per_s": (64 * 128) as f64 / batched,
        "single_ms_per_token": 1000.0 * single_t / 128.0,
        "peak_rss_mib": peak_rss_mib(),
        "threads": threads, "single_threads": 1,
    }))
}

pub fn run(a: BenchArgs, threads: usize) -> anyhow::Result<()> {
    let threads =
        if threads > 0 { threads } else { std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) };
    if let Some(dir) = &a.hf {
        let b = super::bench_hf::HfBench {
            dir: dir.clone(),
            dtype: a.dtype,
            transformers: a.transformers.clone(),
            llama_cpp: a.llama_cpp.clone(),
            new_tokens: a.new_tokens,
            batch: a.batch.max(1),
            reps: a.reps.unwrap_or(2).max(1),
            threads,
            work: PathBuf::new(),
        };
        // Inputs, logits and the GGUF file go to --work, kept, or to a folder removed afterwards.
        let scratch = tempfile::tempdir()?;
        let b = super::bench_hf::HfBench { work: a.work.clone().unwrap_or_else(|| scratch.path().to_path_buf()), ..b };
        return rayon::ThreadPoolBuilder::new().num_threads(threads).build()?.install(|| super::bench_hf::run(&b));
    }
    if a.serve {
        let b = deepthink_server::load_bench::ServeBench {
            duration: std::time::Duration::from_secs(a.duration),
            clients: a.clients.max(1),
            max_tokens: a.reply_tokens.max(2),
            problems: a.remote_problems.max(1),
            seed: 0,
        };
        let ck = super::embedded::load()?;
        let report = deepthink_server::load_bench::run(&b, ck, &mut |m| eprintln!("bench --serve: {m}"))
            .map_err(|e| anyhow::anyhow!("bench --serve: {e}"))?;
        println!("{report}");
        if let Some(out) = &a.out {
            deepthink_model::fsutil::write_atomic(out, report.as_bytes())?;
        }
        return Ok(());
    }
    let reps = a.reps.unwrap_or(5);
    if a.grpo {
        let b = super::bench_grpo::GrpoBench {
            model: a.model.clone().unwrap_or_else(|| PathBuf::from("models/mult-compact")),
            python: a.trl.clone(),
            rounds: a.rounds,
            steps: a.steps,
            digits: a.digits,
            temperature: a.temperature,
            threads,
        };
        return rayon::ThreadPoolBuilder::new().num_threads(threads).build()?.install(|| super::bench_grpo::run(&b));
    }
    if a.search {
        let b = super::bench_search::SearchBench {
            samples: a.samples,
            problems: a.problems,
            together: a.together,
            reps: a.rounds,
        };
        return rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?
            .install(|| super::bench_search::run(&a.model, &b));
    }
    let (sh, vocab) = shape(a.shape);
    let cfg = ModelConfig::from_shape(&ModelShape { max_seq_len: 256, ..sh.clone() }, vocab)?;
    let mut model = Model::new_random(cfg, 0);
    eprintln!(
        "model: {} parameters; train batch 32×128, decode 64×128 and 1×128 new tokens after 16-token prompts",
        model.n_params()
    );
    let python = match (&a.torch, a.no_torch || a.only.is_some()) {
        (_, true) => None,
        (Some(py), false) => Some(py.clone()),
        (None, false) => find_torch(),
    };
    if python.is_none() {
        eprintln!("(no PyTorch found: pass --torch PATH/TO/python to compare)");
    }
    // Training FLOPs per token: 3 × the forward (forward + 2 for backward) at context 128.
    let train_flops = 3.0 * model.cfg.flops_per_token(128);
    let with_gflops = |mut v: Value| {
        v["train_gflop_per_s"] = v["train_tokens_per_s"].as_f64().map(|t| t * train_flops / 1e9).into();
        v
    };
    // Rounds alternate ours and PyTorch, so host noise hits both alike; medians are reported.
    let (mut us, mut them) = (Vec::new(), Vec::new());
    for round in 0..a.rounds.max(1) {
        if a.rounds > 1 {
            eprintln!("round {}/{}", round + 1, a.rounds);
        }
        us.push(with_gflops(ours(&mut model, threads, reps, a.only.as_deref())?));
        if let Some(py) = &python {
            them.push(with_gflops(torch_reference(py, &sh, vocab, threads, reps)?));
        }
    }
    let rows = [
        ("training tokens/s", "train_tokens_per_s", true),
        ("training GFLOP/s (of ~166)", "train_gflop_per_s", true),
        ("batched decode tokens/s", "batched_decode_tokens_per_s", true),
        ("single sequence ms/token", "single_ms_per_token", false),
        ("peak memory MiB", "peak_rss_mib", false),
    ];
    let col = |runs: &[Value], key: &str| -> Vec<f64> { runs.iter().filter_map(|v| v[key].as_f64()).collect() };
    println!("{:<26} {:>12} {:>12} {:>8}  (medians of {} round(s))", "", "deepthink", "pytorch", "ratio", us.len());
    let mut summary = serde_json::Map::new();
    for (label, key, higher_better) in rows {
        let u = col(&us, key);
        let t = col(&them, key);
        let ratios: Vec<f64> = u.iter().zip(&t).map(|(u, t)| if higher_better { u / t } else { t / u }).collect();
        let um = median(u);
        let (ts, rs) = if t.is_empty() {
            ("-".to_string(), "-".to_string())
        } else {
            (format!("{:.2}", median(t)), format!("{:.2}x", median(ratios.clone())))
        };
        println!("{label:<26} {um:>12.2} {ts:>12} {rs:>8}");
        summary.insert(key.to_string(), json!({"ratios": ratios}));
    }
    println!("{}", json!({"deepthink": us, "pytorch": them, "ratios": summary}));
    Ok(())
}
/// `python3` if it can import torch.
fn find_torch() -> Option<PathBuf> {
    let ok = Command::new("python3").args(["-c", "import torch"]).output().map(|o| o.status.success()).unwrap_or(false);
    ok.then(|| PathBuf::from("python3"))
}

fn torch_reference(py: &Path, sh: &ModelShape, vocab: usize, threads: usize, reps: usize) -> anyhow::Result<Value> {
    let args: Vec<String> = [
        ("--d-model", sh.d_model),
        ("--layers", sh.n_layers),
        ("--heads", sh.n_heads),
        ("--kv-heads", sh.n_kv_heads),
        ("--ffn", sh.ffn_dim),
        ("--vocab", vocab),
        ("--threads", threads),
        ("--reps", reps),
    ]
    .into_iter()
    .flat_map(|(flag, v)| [flag.to_string(), v.to_string()])
    .collect();
    super::bench_reference::run_reference(py, "torch_reference.py", &args, "PyTorch reference")
}
