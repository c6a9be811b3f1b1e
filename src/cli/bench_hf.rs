//! `deepthink bench --hf DIR`: a real-size checkpoint, side by side in one run with
//! `transformers` (`bench/hf_reference.py`) and llama.cpp (`bench/llamacpp_reference.py`, on the
//! GGUF file `deepthink export --gguf` writes), at the same weight dtype on every side.
//!
//! Each side loads the checkpoint (time; peak memory is over the side's whole run, since
//! `transformers` and llama.cpp map weights they touch only later), computes the logits of one fixed 64-token
//! sequence (compared with `transformers`' to show the sides run the same model), then decodes
//! greedily: one sequence, and `--batch` sequences together. Decode figures are per step after
//! the prefill. The machine's own ceilings are measured in the same run: memory bandwidth (a
//! STREAM-style copy) and `f32` arithmetic (a 1024³ `gemm`). Single-sequence decode reads every
//! weight once per token, so its GB/s is weight bytes ÷ time; batched decode is arithmetic, so
//! its GFLOP/s is 2 × multiply-adds per token × tokens/s.
//!
//! The sides run one after another in separate processes (deepthink's model is dropped first), so
//! each peak memory is that side's own and a 1.5 B model never sits in memory three times.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use super::bench_reference::run_reference;
use deepthink_model::bench::{copy_bandwidth_gbs, decode_step_seconds, gemm_gflops, peak_rss_mib};
use deepthink_model::gguf::{write_gguf, GgufDtype};
use deepthink_model::{load_checkpoint, load_checkpoint_as, Checkpoint, KvCache, Model, StepToken, WeightDtype};
use serde_json::{json, Value};

/// What to run.
pub struct HfBench {
    pub dir: PathBuf,
    pub dtype: WeightDtype,
    /// Python with torch + transformers (`None`: skip that side).
    pub transformers: Option<PathBuf>,
    /// Python with llama-cpp-python (`None`: skip that side).
    pub llama_cpp: Option<PathBuf>,
    pub new_tokens: usize,
    pub batch: usize,
    pub reps: usize,
    pub threads: usize,
    /// Where the inputs, logits and GGUF file go.
    pub work: PathBuf,
}

const LOGITS_LEN: usize = 64;
const PROMPT_LEN: usize = 16;

/// The fixed inputs every side reads: token ids below the tokenizer's vocabulary.
fn inputs(b: &HfBench, vocab: usize) -> Value {
    let logits_input: Vec<usize> = (0..LOGITS_LEN).map(|i| (i * 7919 + 13) % vocab).collect();
    let prompts: Vec<Vec<usize>> =
        (0..b.batch).map(|s| (0..PROMPT_LEN).map(|j| (s * 3 + j * 7 + 1) % vocab).collect()).collect();
    json!({"logits_input": logits_input, "prompts": prompts, "new_tokens": b.new_tokens, "reps": b.reps})
}

fn ids(v: &Value) -> Vec<u32> {
    v.as_array().into_iter().flatten().filter_map(Value::as_u64).map(|x| x as u32).collect()
}

/// Weights each decoded token reads (every matrix but an untied input embedding), which is also
/// the multiply-adds per token outside attention.
fn weights_per_token(m: &Model) -> usize {
    let c = &m.cfg;
    m.n_params() - if c.tie_embeddings { 0 } else { c.vocab_size * c.d_model }
}

/// Read every file of the checkpoint once, so that each side loads from the page cache (the side
/// that went first would otherwise also pay for the disk).
fn warm_page_cache(dir: &Path) -> anyhow::Result<()> {
    use std::io::Read;
    let mut buf = vec![0u8; 1 << 20];
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if !entry.file_type()?.is_file() {
            continue;
        }
        let mut f = std::fs::File::open(entry.path())?;
        while f.read(&mut buf)? > 0 {}
    }
    Ok(())
}

/// deepthink's side of the run.
struct Ours {
    report: Value,
    logits: Vec<f32>,
    /// The fixed inputs, made from the loaded tokenizer's vocabulary, for the other sides.
    inputs: Value,
    /// The checkpoint as measured, kept for the GGUF export.
    ck: Checkpoint,
}

/// deepthink's side: load, logits, decode.
fn ours(b: &HfBench) -> anyhow::Result<Ours> {
    warm_page_cache(&b.dir)?;
    let t0 = Instant::now();
    let ck = load_checkpoint_as(&b.dir, b.dtype).with_context(|| format!("loading {}", b.dir.display()))?;
    let load_s = t0.elapsed().as_secs_f64();
    let inp = inputs(b, ck.tokenizer.vocab_size());
    let m = &ck.model;
    let seq = ids(&inp["logits_input"]);
    let mut cache = KvCache::new(m, 1, seq.len());
    let steps: Vec<StepToken> = seq.iter().map(|&token| StepToken { slot: 0, token, want_logits: true }).collect();
    let logits = m.forward_step(&mut cache, &steps)?.to_vec();
    drop(cache);
    let prompts: Vec<Vec<u32>> = inp["prompts"].as_array().into_iter().flatten().map(ids).collect();
    eprintln!("deepthink: loaded in {load_s:.1} s; decoding");
    let single = decode_step_seconds(m, &prompts[..1], b.new_tokens, b.reps)?;
    let batched = decode_step_seconds(m, &prompts, b.new_tokens, b.reps)?;
    let report = json!({
        "load_s": load_s, "peak_rss_mib": peak_rss_mib(), "single_ms_per_token": 1000.0 * single,
        "batched_ms_per_step": 1000.0 * batched,
    });
    Ok(Ours { report, logits, inputs: inp, ck })
}

fn read_f32s(path: &Path) -> anyhow::Result<Vec<f32>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(bytes.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
}

/// Largest |a − b| over the values both have, and the largest |b| (the scale).
fn max_diff(a: &[f32], b: &[f32]) -> (f64, f64) {
    let d = a.iter().zip(b).map(|(x, y)| (x - y).abs() as f64).fold(0.0, f64::max);
    (d, b.iter().map(|y| y.abs() as f64).fold(0.0, f64::max))
}

pub fn run(b: &HfBench) -> anyhow::Result<()> {
    std::fs::create_dir_all(&b.work).with_context(|| format!("creating {}", b.work.display()))?;
    let Ours { report: mut us, logits: our_logits, inputs: inp, ck } = ours(b)?;
    let inputs_path = b.work.join("inputs.json");
    std::fs::write(&inputs_path, inp.to_string())?;
    let c = &ck.model.cfg;
    let per_token = weights_per_token(&ck.model);
    let ctx = (PROMPT_LEN + b.new_tokens / 2) as f64;
    let flops = 2.0 * per_token as f64 + 4.0 * (c.n_layers * c.n_heads * c.head_dim) as f64 * ctx;
    let gguf = b.work.join(format!("model-{}.gguf", b.dtype));
    // The model goes before the machine is measured and the other sides load theirs.
    if b.llama_cpp.is_none() {
        drop(ck);
    } else {
        eprintln!("writing {}", gguf.display());
        // Export needs f32 weights: the measured model when it has them, else a fresh f32 load.
        let source = if ck.model.dtype() == WeightDtype::F32 {
            ck
        } else {
            drop(ck);
            load_checkpoint(&b.dir)?
        };
        let dtype = if b.dtype == WeightDtype::Bf16 { GgufDtype::BF16 } else { GgufDtype::F32 };
        write_gguf(&gguf, &source.model, &source.tokenizer, dtype)?;
    }
    eprintln!("measuring this machine's bandwidth and arithmetic");
    let (bandwidth, peak_gflops) = (copy_bandwidth_gbs(), gemm_gflops());
    let common = |logits: &Path| {
        vec![
            "--inputs".to_string(),
            inputs_path.display().to_string(),
            "--logits".into(),
            logits.display().to_string(),
            "--threads".into(),
            b.threads.to_string(),
        ]
    };
    let mut them = serde_json::Map::new();
    let mut hf_logits = None;
    if let Some(py) = &b.transformers {
        eprintln!("transformers: loading and decoding");
        let path = b.work.join("logits-transformers.f32");
        warm_page_cache(&b.dir)?;
        let mut args = vec!["--model".to_string(), b.dir.display().to_string(), "--dtype".into(), b.dtype.to_string()];
        args.extend(common(&path));
        them.insert("transformers".into(), run_reference(py, "hf_reference.py", &args, "transformers reference")?);
        hf_logits = Some(read_f32s(&path)?);
    }
    if let Some(py) = &b.llama_cpp {
        eprintln!("llama.cpp: loading and decoding");
        let path = b.work.join("logits-llamacpp.f32");
        warm_page_cache(&b.work)?;
        let mut args = vec!["--gguf".to_string(), gguf.display().to_string()];
        args.extend(common(&path));
        let mut v = run_reference(py, "llamacpp_reference.py", &args, "llama.cpp reference")?;
        if let Some(hf) = &hf_logits {
            let (d, scale) = max_diff(&read_f32s(&path)?, hf);
            v["logits_max_abs_diff_vs_transformers"] = json!(d);
            v["logits_max_abs"] = json!(scale);
        }
        them.insert("llama.cpp".into(), v);
    }
    if let Some(hf) = &hf_logits {
        let (d, scale) = max_diff(&our_logits, hf);
        us["logits_max_abs_diff_vs_transformers"] = json!(d);
        us["logits_max_abs"] = json!(scale);
        them["transformers"]["logits_max_abs_diff_vs_transformers"] = json!(0.0);
    }
    let bytes = (per_token * b.dtype.bytes()) as f64;
    let derive = |v: &mut Value| {
        let single = v["single_ms_per_token"].as_f64().unwrap_or(f64::NAN);
        let step = v["batched_ms_per_step"].as_f64().unwrap_or(f64::NAN);
        v["single_gb_per_s"] = json!(bytes / (single / 1000.0) / 1e9);
        v["batched_tokens_per_s"] = json!(b.batch as f64 / (step / 1000.0));
        v["batched_gflop_per_s"] = json!(flops * b.batch as f64 / (step / 1000.0) / 1e9);
    };
    derive(&mut us);
    for v in them.values_mut() {
        derive(v);
    }
    print_table(b, &us, &them, bandwidth, peak_gflops);
    let report = json!({
        "model": b.dir.display().to_string(), "dtype": b.dtype.to_string(), "threads": b.threads,
        "batch": b.batch, "new_tokens": b.new_tokens, "reps": b.reps,
        "weight_bytes_per_token": bytes, "flop_per_token": flops,
        "machine": {"copy_gb_per_s": bandwidth, "gemm_gflop_per_s": peak_gflops},
        "deepthink": us, "references": them,
    });
    println!("{report}");
    Ok(())
}

fn print_table(b: &HfBench, us: &Value, them: &serde_json::Map<String, Value>, bandwidth: f64, peak: f64) {
    let names: Vec<&String> = them.keys().collect();
    print!("{:<34} {:>12}", format!("{} ({}, {} threads)", "", b.dtype, b.threads), "deepthink");
    for n in &names {
        print!(" {n:>12}");
    }
    for n in &names {
        print!(" {:>10}", format!("vs {}", n.split('.').next().unwrap_or(n)));
    }
    println!();
    let batched = format!("batched ({} seqs) tokens/s", b.batch);
    let rows: [(&str, &str, bool); 8] = [
        ("load s", "load_s", false),
        ("peak memory MiB", "peak_rss_mib", false),
        ("logits max |Δ| vs transformers", "logits_max_abs_diff_vs_transformers", false),
        ("single sequence ms/token", "single_ms_per_token", false),
        ("single GB/s of weights read", "single_gb_per_s", true),
        (&batched, "batched_tokens_per_s", true),
        ("batched GFLOP/s", "batched_gflop_per_s", true),
        ("|logit| max (scale)", "logits_max_abs", false),
    ];
    for (label, key, higher_better) in rows {
        let u = us[key].as_f64();
        print!("{label:<34} {:>12}", u.map_or("-".into(), fmt));
        for n in &names {
            print!(" {:>12}", them[*n][key].as_f64().map_or("-".into(), fmt));
        }
        for n in &names {
            let t = them[*n][key].as_f64();
            let ratio = match (u, t, key) {
                (_, _, "logits_max_abs_diff_vs_transformers" | "logits_max_abs") => None,
                (Some(u), Some(t), _) if higher_better => Some(u / t),
                (Some(u), Some(t), _) => Some(t / u),
                _ => None,
            };
            print!(" {:>10}", ratio.map_or(String::new(), |r| format!("{r:.2}x")));
        }
        println!();
    }
    println!(
        "this machine: copy bandwidth {bandwidth:.1} GB/s, f32 gemm {peak:.0} GFLOP/s; single-sequence decode reaches {:.0}% of the bandwidth",
        100.0 * us["single_gb_per_s"].as_f64().unwrap_or(f64::NAN) / bandwidth
    );
    println!("(ratios: above 1 means deepthink is ahead)");
}

fn fmt(x: f64) -> String {
    if x != 0.0 && x.abs() < 0.01 {
        format!("{x:.2e}")
    } else {
        format!("{x:.2}")
    }
}
