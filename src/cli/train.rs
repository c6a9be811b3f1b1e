//! `deepthink train …`: trainers.

use std::path::PathBuf;

use anyhow::Context;
use clap::{ArgMatches, Args, Subcommand};
use deepthink_model::ModelShape;
use deepthink_tasks::{PromptStyle, TraceStyle};
use deepthink_train::optim::AdamWConfig;
use deepthink_train::{train_sft, SftConfig, SftData};

use super::config_args::{resolve, ConfigArgs};
use super::task_args::TaskArgs;

#[derive(Subcommand)]
pub enum TrainCommand {
    /// Supervised fine-tuning (imitation learning) on question → reasoning → answer.
    ///
    /// Examples come fresh from a task generator every step (never from the held-out split),
    /// or from a JSONL file (`--data`). The run directory holds `metrics.jsonl` and
    /// `checkpoint/` (a Hugging Face model directory); running the same command again resumes.
    Sft(SftArgs),
    /// Train an outcome (ORM) or process (PRM) reward model on a policy's sampled solutions,
    /// for `eval --strategy best-of-n | weighted-majority | beam | dvts | mcts --verifier RUN/checkpoint`.
    ///
    /// Solutions are sampled from `--policy` on training problems and labelled by the task's
    /// checker (`--labels oracle`) or by Monte-Carlo rollouts (`--labels rollouts`, Math-Shepherd);
    /// the verifier starts as a copy of the policy and learns to write `+`/`-` after each step.
    /// Held-out step and outcome accuracy against the oracle go to `RUN/quality.json`.
    Verifier(super::train_verifier::VerifierArgs),
    /// Outcome-reward RL with GRPO (DeepSeekMath / DeepSeek-R1-Zero): sample a group of
    /// completions per prompt, reward only the answer (and the think format), and push up the
    /// completions that beat their group's mean. Resumable; metrics in RUN/metrics.jsonl.
    Grpo(super::train_grpo::GrpoArgs),
    /// Pretrain a *base* model for R1-Zero on a plain-text corpus from the task generator: bare
    /// answers in the chat frame (empty think block), and — unless `--corpus no-worked` — worked
    /// scratch work and partial calculations not attached to any question. The base gets the
    /// skill and the think delimiters, but no habit of reasoning before it answers.
    Pretrain(PretrainArgs),
    /// Train a byte-level BPE tokenizer on a data file's text (TRL or question/answer lines), with
    /// deepthink's markers and chat template, for `train sft --tokenizer DIR` on open text.
    Tokenizer(TokenizerArgs),
}

#[derive(Args)]
pub struct TokenizerArgs {
    /// The JSONL file whose prompts and completions (or questions and answers) to learn from.
    #[arg(long)]
    pub data: PathBuf,
    /// Most tokens in the vocabulary (every byte is one; merges fill the rest).
    #[arg(long, default_value_t = 1000)]
    pub vocab_size: usize,
    /// Directory to write `tokenizer.json` and `tokenizer_config.json` into.
    #[arg(long, default_value = "runs/tokenizer")]
    pub out: PathBuf,
}

#[derive(Args)]
pub struct PretrainArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub task: TaskArgs,
    /// `full` (bare answers, worked scratch, partial calculations) or `no-worked` (bare answers only).
    #[arg(long, default_value = "full")]
    pub corpus: deepthink_train::pretrain::CorpusMix,
    /// Fraction of the question documents that show their worked trace in the think block before
    /// the answer: reasoning as a rare, latent behaviour RL can strengthen (docs/r1-zero.md). `full` only.
    #[arg(long, default_value_t = 0.0)]
    pub think_rate: f64,
    /// Fraction of worked traces that switch to the letter notation for numbers (0–9 as a–j)
    /// from a random line on: R1-Zero's language mixing in miniature (`tasks::notation`).
    #[arg(long, default_value_t = 0.0)]
    pub notation_switch: f64,
    /// Fraction of the question documents whose question carries an instruction (zero-shot
    /// "think step by step", a few-shot prefix, or the supervised-CoT instruction) and is answered
    /// with worked reasoning: a base that can follow prompts (`eval --prompt cot|few-shot|supervised`).
    #[arg(long, default_value_t = 0.0)]
    pub instruction_rate: f64,
    /// Longest document in tokens (raise with --max-seq-len for long traces, e.g. countdown's search).
    #[arg(long, default_value_t = 256)]
    pub max_len: usize,
    #[arg(long, default_value = "runs/base")]
    pub run: PathBuf,
    #[arg(long)]
    pub restart: bool,
    #[command(flatten)]
    pub shape: ShapeArgs,
    #[arg(long, default_value_t = 3000)]
    pub steps: u64,
    #[arg(long, default_value_t = 64)]
    pub batch_size: usize,
    #[arg(long, default_value_t = 1e-3)]
    pub lr: f32,
    #[arg(long, default_value_t = 500)]
    pub eval_every: u64,
    #[arg(long, default_value_t = 200)]
    pub eval_problems: usize,
    #[arg(long, default_value_t = 4)]
    pub micro_batches: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Args)]
pub struct SftArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub task: TaskArgs,
    /// Train on this JSONL file instead of the task generator: TRL prompt–completion lines or
    /// question/answer lines (plain, reasoning-gym, GSM8K); the task is then used for evaluation
    /// (`--task qa` evaluates on the file's own held-out lines). Lines in the hash-held-out 5% are
    /// left out of training.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// With --data: train on every line, the held-out 5% included.
    #[arg(long)]
    pub no_split: bool,
    /// Reasoning style to imitate, one the task offers: direct (every task); compact, cot (mult);
    /// optimal, search (countdown); carry, recheck (add); `deepthink tasks` lists them all.
    #[arg(long, default_value = "compact")]
    pub trace: TraceStyle,
    #[arg(long, default_value = "plain")]
    pub prompt: PromptStyle,
    /// Run directory.
    #[arg(long, default_value = "runs/sft")]
    pub run: PathBuf,
    /// Start over even if the run directory holds a checkpoint.
    #[arg(long)]
    pub restart: bool,
    /// Copy the final checkpoint here (e.g. models/default).
    #[arg(long)]
    pub export: Option<PathBuf>,
    /// Fine-tune this checkpoint instead of training from random weights: deepthink's own or a
    /// Hugging Face Llama / Qwen2 / Qwen3 directory. Training holds 16 bytes a parameter (F32
    /// weights, gradients, AdamW moments): a 0.5B model needs ~8 GB; one that does not fit in free
    /// memory (a 1.5B model on most machines) is refused up front — use it for ask, eval and search.
    #[arg(long)]
    pub init_from: Option<PathBuf>,
    /// From random weights: use this tokenizer (`deepthink train tokenizer --out DIR`) instead of
    /// the character-level one, which reads only lower-case letters, digits and a little
    /// punctuation — open questions need a trained one.
    #[arg(long)]
    pub tokenizer: Option<PathBuf>,
    /// Every prompt ends "think for N tokens", N a multiple of 8 drawn per question in MIN:MAX and
    /// unrelated to the trace: a base that reads past the line, for `train grpo --length-targets`
    /// (L1) to teach to meet it. Generated task data only.
    #[arg(long, value_name = "MIN:MAX")]
    pub length_targets: Option<String>,
    /// With --length-targets: draw K traces per example and keep the one whose length is nearest
    /// the prompt's target, so length follows the target in the data (traces that vary in length
    /// only, e.g. `add --trace recheck`). 0: one draw, the target unrelated to the trace.
    #[arg(long, value_name = "K", default_value_t = 0, requires = "length_targets")]
    pub length_fit: u32,
    #[command(flatten)]
    pub shape: ShapeArgs,
    #[arg(long, default_value_t = 3000)]
    pub steps: u64,
    #[arg(long, default_value_t = 64)]
    pub batch_size: usize,
    #[arg(long, default_value_t = 1e-3)]
    pub lr: f32,
    #[arg(long, default_value_t = 1e-4)]
    pub min_lr: f32,
    #[arg(long, default_value_t = 200)]
    pub warmup: u64,
    #[arg(long, default_value_t = 0.1)]
    pub weight_decay: f32,
    /// Clip the global gradient norm to this (0 = off).
    #[arg(long, default_value_t = 1.0)]
    pub clip: f32,
    /// Split each batch into this many length-sorted parts, each padded to its own longest
    /// example (same gradient, less padding on mixed-length data).
    #[arg(long, default_value_t = 1)]
    pub micro_batches: usize,
    /// Longest training sequence in tokens.
    #[arg(long, default_value_t = 256)]
    pub max_len: usize,
    /// Evaluate on held-out problems every this many steps.
    #[arg(long, default_value_t = 500)]
    pub eval_every: u64,
    #[arg(long, default_value_t = 200)]
    pub eval_problems: usize,
    #[arg(long, default_value_t = 250)]
    pub save_every: u64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Model shape for training from scratch.
#[derive(Args)]
pub struct ShapeArgs {
    #[arg(long, default_value_t = 128)]
    pub d_model: usize,
    #[arg(long, default_value_t = 4)]
    pub layers: usize,
    #[arg(long, default_value_t = 4)]
    pub heads: usize,
    #[arg(long, default_value_t = 2)]
    pub kv_heads: usize,
    /// SwiGLU hidden width.
    #[arg(long, default_value_t = 344)]
    pub ffn: usize,
    /// Context length the model supports.
    #[arg(long, default_value_t = 256)]
    pub max_seq_len: usize,
    /// Share the embedding and output matrices.
    #[arg(long)]
    pub tie_embeddings: bool,
    /// Add biases to q/k/v (saves as Qwen2ForCausalLM).
    #[arg(long)]
    pub qkv_bias: bool,
}

impl ShapeArgs {
    pub fn shape(&self) -> ModelShape {
        ModelShape {
            d_model: self.d_model,
            n_layers: self.layers,
            n_heads: self.heads,
            n_kv_heads: self.kv_heads,
            ffn_dim: self.ffn,
            max_seq_len: self.max_seq_len,
            tie_embeddings: self.tie_embeddings,
            qkv_bias: self.qkv_bias,
        }
    }
}

/// `matches`: the `train` subcommand's, to tell flags given from defaults (see `config_args`).
pub fn run(cmd: TrainCommand, matches: Option<&ArgMatches>) -> anyhow::Result<()> {
    let sub = matches.and_then(|m| m.subcommand().map(|(_, s)| s));
    match cmd {
        TrainCommand::Sft(a) => sft(a, sub),
        TrainCommand::Verifier(a) => super::train_verifier::run(a, sub),
        TrainCommand::Grpo(a) => super::train_grpo::run(a, sub),
        TrainCommand::Pretrain(a) => pretrain(a, sub),
        TrainCommand::Tokenizer(a) => tokenizer(a),
    }
}

fn sft(a: SftArgs, matches: Option<&ArgMatches>) -> anyhow::Result<()> {
    let Some(cfg) = resolve(&a.config, matches, || sft_config(&a))? else { return Ok(()) };
    let out = train_sft(&cfg, &a.run, a.restart)?;
    report_sft(&out, &a)
}

fn sft_config(a: &SftArgs) -> anyhow::Result<SftConfig> {
    if a.data.is_some() && a.length_targets.is_some() {
        anyhow::bail!("--length-targets applies to generated task data, not to --data files");
    }
    let data = match &a.data {
        Some(path) => {
            let task_config = match (a.task.task.trim(), &a.task.qa_file) {
                // Evaluating on the same file's held-out lines, unless --qa-file names another.
                ("qa", None) => a.task.config().with("qa_file", path.display().to_string()),
                _ => a.task.config(),
            };
            SftData::File { path: path.clone(), eval_task: Some(a.task.task.clone()), task_config, split: !a.no_split }
        }
        None => {
            SftData::Task { task: a.task.task.clone(), task_config: a.task.config(), trace: a.trace, prompt: a.prompt }
        }
    };
    Ok(SftConfig {
        data,
        shape: a.shape.shape(),
        init_from: a.init_from.clone(),
        tokenizer: a.tokenizer.clone(),
        length_targets: super::train_grpo::parse_length_targets(a.length_targets.as_deref())?,
        length_fit: a.length_fit,
        steps: a.steps,
        batch_size: a.batch_size,
        lr: a.lr,
        min_lr: a.min_lr,
        warmup_steps: a.warmup,
        adamw: AdamWConfig { weight_decay: a.weight_decay, ..AdamWConfig::default() },
        clip: a.clip,
        micro_batches: a.micro_batches,
        max_len: a.max_len,
        eval_every: a.eval_every,
        eval_problems: a.eval_problems,
        save_every: a.save_every,
        seed: a.seed,
    })
}

/// "final loss X", or what a resumed run that had nothing left to train says instead.
pub fn final_loss(loss: f64) -> String {
    if loss.is_finite() {
        format!("final loss {loss:.4}")
    } else {
        "already trained (no step run now)".into()
    }
}

fn report_sft(out: &deepthink_train::SftOutcome, a: &SftArgs) -> anyhow::Result<()> {
    let tok_s = out.train_tokens as f64 / out.seconds.max(1e-9);
    eprintln!(
        "trained {} steps, {} token positions ({} real tokens) in {:.0} s ({:.0} tok/s); {}",
        out.steps,
        out.train_tokens,
        out.real_tokens,
        out.seconds,
        tok_s,
        final_loss(out.final_loss)
    );
    if let Some(r) = &out.final_eval {
        eprintln!("held-out: {}", r.summary());
    }
    eprintln!("checkpoint: {}", out.checkpoint.display());
    if let Some(dest) = &a.export {
        export(&out.checkpoint, dest).with_context(|| format!("exporting to {}", dest.display()))?;
        eprintln!("exported to {}", dest.display());
    }
    Ok(())
}

fn pretrain(a: PretrainArgs, matches: Option<&ArgMatches>) -> anyhow::Result<()> {
    let Some(cfg) = resolve(&a.config, matches, || Ok(pretrain_config(&a)))? else { return Ok(()) };
    let out = train_sft(&cfg, &a.run, a.restart)?;
    eprintln!(
        "pretrained {} steps, {} real tokens in {:.0} s; {}",
        out.steps,
        out.real_tokens,
        out.seconds,
        final_loss(out.final_loss)
    );
    if let Some(r) = &out.final_eval {
        eprintln!("held-out (greedy, thinking prompt): {}", r.summary());
    }
    eprintln!("checkpoint: {}", out.checkpoint.display());
    Ok(())
}

fn pretrain_config(a: &PretrainArgs) -> SftConfig {
    SftConfig {
        data: SftData::Corpus {
            task: a.task.task.clone(),
            task_config: a.task.config(),
            mix: a.corpus,
            think_rate: a.think_rate,
            notation_switch: a.notation_switch,
            instruction_rate: a.instruction_rate,
        },
        shape: a.shape.shape(),
        steps: a.steps,
        batch_size: a.batch_size,
        max_len: a.max_len,
        lr: a.lr,
        min_lr: a.lr / 10.0,
        micro_batches: a.micro_batches,
        eval_every: a.eval_every,
        eval_problems: a.eval_problems,
        seed: a.seed,
        ..SftConfig::default()
    }
}

/// Copy the model files of a checkpoint (not the optimizer state) to `dest`.
fn export(src: &std::path::Path, dest: &std::path::Path) -> anyhow::Result<()> {
    let ck = deepthink_model::load_checkpoint(src)?;
    let prov = ck.provenance.unwrap_or_default();
    deepthink_model::save_checkpoint(dest, &ck.model, &ck.tokenizer, &prov, &[])?;
    Ok(())
}

fn tokenizer(a: TokenizerArgs) -> anyhow::Result<()> {
    let records = deepthink_train::data_file::read_records(&a.data)?;
    let texts: Vec<String> =
        records.iter().flat_map(|r| r.prompt.iter().map(|m| m.content.clone()).chain([r.reply.clone()])).collect();
    let tok = deepthink_model::bpe::train_bpe(texts.iter().map(String::as_str), a.vocab_size)?;
    std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    tok.save(&a.out)?;
    let tokens: usize = texts.iter().map(|t| tok.encode(t).map_or(0, |ids| ids.len())).sum();
    let chars: usize = texts.iter().map(|t| t.chars().count()).sum();
    eprintln!(
        "{} tokens learnt from {} lines ({:.2} characters a token on them); written to {}",
        tok.vocab_size(),
        records.len(),
        chars as f64 / tokens.max(1) as f64,
        a.out.display()
    );
    Ok(())
}
