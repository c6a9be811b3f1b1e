//! Supervised fine-tuning — imitation learning on question → reasoning → answer (the lecture's
//! method 3). Loss on the completion only, AdamW, warm-up + cosine, gradient clipping,
//! periodic held-out evaluation, `metrics.jsonl`, a progress bar, and resumable checkpoints.
//!
//! The step is five verbs (llm.c): next batch, forward, zero grad, backward, update.
//! Batches come either from a task generator (fresh problems every step, never from the
//! held-out partition) or from a JSONL file. Batch `k` depends only on the seed and `k`, so a
//! run resumed after `kill -9` continues bit-for-bit as if it had never stopped.

use std::path::{Path, PathBuf};
use std::time::Instant;

use deepthink_eval::{evaluate_greedy, EvalOptions, EvalReport};
use deepthink_model::ops::cross_entropy_in_place;
use deepthink_model::train_pass::Tape;
use deepthink_model::{load_checkpoint, ChatTokenizer, Message, Model, ModelConfig, ModelShape};
use deepthink_tasks::held_out_problems;
use deepthink_tasks::length_target::{Target, WithLengthTarget};
use deepthink_tasks::mult::COMPACT;
use deepthink_tasks::split::is_held_out_text;
use deepthink_tasks::{accepted_draw, task_by_name, PromptStyle, Split, Task, TaskConfig, TraceStyle};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::data_file::{question_of, read_records};
use crate::error::TrainError;
use crate::examples::{encode_example, make_batch, Example};
use crate::metrics::MetricsLog;
use crate::optim::{clip_grad_norm, AdamW, AdamWConfig};
use crate::pretrain::{corpus_document, CorpusMix};
use crate::run_loop::RunLoop;
use crate::run_state::{prepare_run_dir, save_run, try_resume, RunState};
use crate::schedule::CosineSchedule;
use crate::step_records::{read_step_records, verifier_example, VerifierKind};

/// Where training examples come from.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "source", rename_all = "lowercase")]
pub enum SftData {
    /// Fresh problems from a task generator every step.
    Task {
        task: String,
        #[serde(default)]
        task_config: TaskConfig,
        trace: TraceStyle,
        prompt: PromptStyle,
    },
    /// A JSONL file (TRL prompt–completion format, or question/answer lines); `eval_task` names
    /// the task to evaluate on. With `split`, lines whose question is in the hash-held-out 5% are
    /// left out (the rule every task follows), so `eval --problems FILE --held-out` scores unseen ones.
    File {
        path: PathBuf,
        eval_task: Option<String>,
        #[serde(default)]
        task_config: TaskConfig,
        #[serde(default)]
        split: bool,
    },
    /// Labelled solutions (TRL stepwise format) for a verifier: loss only at step readouts.
    Verifier { path: PathBuf, kind: VerifierKind },
    /// A base model's plain-text corpus (`pretrain`), loss on every token; evaluated on `task`.
    /// `think_rate`: the fraction of question documents that show their worked trace.
    Corpus {
        task: String,
        #[serde(default)]
        task_config: TaskConfig,
        mix: CorpusMix,
        #[serde(default)]
        think_rate: f64,
        /// The fraction of worked traces that switch to the letter notation for numbers from a
        /// random line on (`tasks::notation`: R1-Zero's language mixing in miniature).
        #[serde(default)]
        notation_switch: f64,
        /// The fraction of question documents with an instruction (zero-shot, few-shot or
        /// supervised CoT) answered with worked reasoning (`pretrain`'s module doc).
        #[serde(default)]
        instruction_rate: f64,
    },
}

/// Everything that defines an SFT run (saved with every checkpoint; loads from a TOML file, where
/// a missing field takes its default).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct SftConfig {
    pub data: SftData,
    pub shape: ModelShape,
    /// Start from this checkpoint instead of random weights.
    pub init_from: Option<PathBuf>,
    /// From random weights: the tokenizer directory to use (`deepthink train tokenizer`; a
    /// Hugging Face `tokenizer.json` + `tokenizer_config.json`) instead of the character-level one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tokenizer: Option<PathBuf>,
    /// Task data only: every prompt ends `think for N tokens`, N a multiple of 8 in `[min, max]`
    /// drawn per question and unrelated to the trace (`tasks::length_target`). L1 starts its RL
    /// from a model that reads past an instruction it does not yet follow; a small model that has
    /// only seen bare questions answers none right with the line added, so it first learns here
    /// to read past it, and `train grpo --length-targets` then teaches it to meet the target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length_targets: Option<[usize; 2]>,
    /// With `length_targets`: traces drawn per example, the one nearest the target kept
    /// (`WithLengthTarget::fit`), so length follows the target in the data. 0: one draw.
    #[serde(default, skip_serializing_if = "crate::config_file::is_default")]
    pub length_fit: u32,
    pub steps: u64,
    pub batch_size: usize,
    pub lr: f32,
    pub min_lr: f32,
    pub warmup_steps: u64,
    pub adamw: AdamWConfig,
    pub clip: f32,
    /// Split each batch into this many length-sorted parts (less padding; same gradient).
    #[serde(default = "one")]
    pub micro_batches: usize,
    /// Longest training sequence (tokens); longer examples are cut.
    pub max_len: usize,
    pub eval_every: u64,
    pub eval_problems: usize,
    pub save_every: u64,
    pub seed: u64,
}

impl Default for SftConfig {
    /// The recipe measured on `mult` (`docs/background/mult-feasibility.md`).
    fn default() -> Self {
        SftConfig {
            data: SftData::Task {
                task: "mult".into(),
                task_config: TaskConfig::default(),
                trace: COMPACT,
                prompt: PromptStyle::Plain,
            },
            shape: ModelShape::default(),
            init_from: None,
            tokenizer: None,
            length_targets: None,
            length_fit: 0,
            steps: 3000,
            batch_size: 64,
            lr: 1e-3,
            min_lr: 1e-4,
            warmup_steps: 200,
            adamw: AdamWConfig::default(),
            clip: 1.0,
            micro_batches: 1,
            max_len: 256,
            eval_every: 500,
            eval_problems: 200,
            save_every: 250,
            seed: 1,
        }
    }
}

fn one() -> usize {
    1
}

/// What a run achieved.
#[derive(Clone, Debug, Serialize)]
pub struct SftOutcome {
    pub steps: u64,
    /// Positions processed, padding included.
    pub train_tokens: u64,
    /// Real (non-padding) token positions trained on.
    pub real_tokens: u64,
    pub seconds: f64,
    pub final_loss: f64,
    pub final_eval: Option<EvalReport>,
    pub checkpoint: PathBuf,
}

/// Saved beside the weights so a run resumes where it stopped.
#[derive(Serialize, Deserialize)]
struct TrainerState {
    step: u64,
    train_tokens: u64,
    #[serde(default)]
    real_tokens: u64,
    seconds: f64,
    config: SftConfig,
}

/// The source of batches, resolved once.
enum Source {
    Task { task: Box<dyn Task>, trace: TraceStyle, prompt: PromptStyle },
    File { examples: Vec<Example>, task: Option<Box<dyn Task>> },
    Corpus { task: Box<dyn Task>, mix: CorpusMix, think_rate: f64, notation_switch: f64, instruction_rate: f64 },
}

impl Source {
    fn task(&self) -> Option<&dyn Task> {
        match self {
            Source::Task { task, .. } | Source::Corpus { task, .. } => Some(task.as_ref()),
            Source::File { task, .. } => task.as_deref(),
        }
    }

    fn prompt_style(&self) -> PromptStyle {
        match self {
            Source::Task { prompt, .. } => *prompt,
            Source::File { .. } | Source::Corpus { .. } => PromptStyle::Plain,
        }
    }

    /// Batch number `step`: a pure function of the seed and the step.
    fn batch(&self, tok: &ChatTokenizer, seed: u64, step: u64, size: usize) -> Result<Vec<Example>, TrainError> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ step.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        match self {
            Source::Task { task, trace, prompt } => (0..size)
                .map(|_| {
                    let (p, reply) = accepted_draw(task.as_ref(), *trace, Split::Train, &mut rng)?;
                    Ok(encode_example(tok, &[Message::user(task.prompt(&p, *prompt))], &reply)?)
                })
                .collect(),
            Source::Corpus { task, mix, think_rate, notation_switch, instruction_rate } => (0..size)
                .map(|_| {
                    let doc = corpus_document(
                        task.as_ref(),
                        tok,
                        *mix,
                        *think_rate,
                        *notation_switch,
                        *instruction_rate,
                        &mut rng,
                    )?;
                    let mut completion = tok.encode(&doc)?;
                    if completion.last() != Some(&tok.eos_id()) {
                        completion.push(tok.eos_id());
                    }
                    Ok(Example { prompt: Vec::new(), completion, readouts: Vec::new() })
                })
                .collect(),
            Source::File { examples, .. } => {
                let n = examples.len();
                let per_epoch = n.div_ceil(size) as u64;
                let epoch = step / per_epoch;
                let mut order: Vec<usize> = (0..n).collect();
                order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed ^ epoch.wrapping_mul(0xD1B5_4A32_D192_ED03)));
                let start = ((step % per_epoch) as usize) * size;
                Ok((start..start + size).map(|i| examples[order[i % n]].clone()).collect())
            }
        }
    }
}

fn resolve_source(cfg: &SftConfig, tok: &ChatTokenizer) -> Result<Source, TrainError> {
    match &cfg.data {
        SftData::Task { task, task_config, trace, prompt } => {
            let task = task_by_name(task, task_config)?;
            if !task.trace_styles().contains(trace) {
                return Err(TrainError::Config(format!("task `{}` has no trace style `{trace}`", task.name())));
            }
            let task: Box<dyn Task> = match cfg.length_targets {
                Some([min, max]) => Box::new(WithLengthTarget {
                    inner: task,
                    target: Target::Range { min, max, seed: cfg.seed },
                    fit: cfg.length_fit,
                }),
                None => task,
            };
            Ok(Source::Task { task, trace: *trace, prompt: *prompt })
        }
        SftData::File { path, eval_task, task_config, split } => {
            let mut records = read_records(path)?;
            if *split {
                let total = records.len();
                records.retain(|r| !is_held_out_text(question_of(r)));
                eprintln!(
                    "training on {} of {total} lines (the held-out 5% left out; --no-split keeps them)",
                    records.len()
                );
                if records.is_empty() {
                    return Err(TrainError::Config(format!(
                        "{}: every line is held out; pass --no-split",
                        path.display()
                    )));
                }
            }
            let mut examples = Vec::with_capacity(records.len());
            for r in &records {
                let e = encode_example(tok, &r.prompt, &r.reply).map_err(|e| TrainError::Data {
                    path: path.clone(),
                    line: r.line,
                    msg: e.to_string(),
                })?;
                examples.push(e);
            }
            let task = eval_task.as_ref().map(|t| task_by_name(t, task_config)).transpose()?;
            Ok(Source::File { examples, task })
        }
        SftData::Corpus { task, task_config, mix, think_rate, notation_switch, instruction_rate } => {
            for (name, rate) in [("notation_switch", notation_switch), ("instruction_rate", instruction_rate)] {
                if !(0.0..=1.0).contains(rate) {
                    return Err(TrainError::Config(format!("{name} {rate}: must lie in [0, 1]")));
                }
            }
            if !(0.0..=1.0).contains(think_rate) || (*mix == CorpusMix::NoWorked && *think_rate > 0.0) {
                return Err(TrainError::Config(format!(
                    "think_rate {think_rate}: must lie in [0, 1], and be 0 for the no-worked corpus"
                )));
            }
            Ok(Source::Corpus {
                task: task_by_name(task, task_config)?,
                mix: *mix,
                think_rate: *think_rate,
                notation_switch: *notation_switch,
                instruction_rate: *instruction_rate,
            })
        }
        SftData::Verifier { path, kind } => {
            let records = read_step_records(path)?;
            if records.is_empty() {
                return Err(TrainError::Config(format!("{}: no labelled solutions", path.display())));
            }
            let examples = records
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    verifier_example(tok, r, *kind).map_err(|msg| TrainError::Data {
                        path: path.clone(),
                        line: i + 1,
                        msg,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            // Runaway samples longer than the context cannot be read whole; leave them out.
            let total = examples.len();
            let examples: Vec<Example> = examples.into_iter().filter(|e| e.input_len() <= cfg.max_len).collect();
            if examples.len() < total {
                eprintln!(
                    "left out {} of {total} labelled solutions longer than {} tokens",
                    total - examples.len(),
                    cfg.max_len
                );
            }
            if examples.is_empty() {
                return Err(TrainError::Config(format!(
                    "{}: every labelled solution is longer than `max_len`",
                    path.display()
                )));
            }
            Ok(Source::File { examples, task: None })
        }
    }
}

/// Run (or resume) SFT into `run_dir`.
pub fn train_sft(cfg: &SftConfig, run_dir: &Path, restart: bool) -> Result<SftOutcome, TrainError> {
    validate(cfg)?;
    let ck_dir = prepare_run_dir(run_dir, restart)?;
    let resumed = if restart { None } else { try_resume::<TrainerState>(&ck_dir, cfg, &cfg.adamw)? };
    let (mut model, tok, mut opt, mut state) = match resumed {
        Some(r) => r,
        None => {
            let (model, tok) = initial_model(cfg)?;
            let opt = AdamW::for_training(cfg.adamw.clone(), &model.layout)?;
            let state = TrainerState { step: 0, train_tokens: 0, real_tokens: 0, seconds: 0.0, config: cfg.clone() };
            (model, tok, opt, state)
        }
    };
    let source = resolve_source(cfg, &tok)?;
    let metrics = MetricsLog::open(&run_dir.join("metrics.jsonl"), Some(state.step))?;
    let schedule =
        CosineSchedule { peak_lr: cfg.lr, min_lr: cfg.min_lr, warmup_steps: cfg.warmup_steps, total_steps: cfg.steps };
    let eval_set = source.task().map(|t| held_out_problems(t, cfg.eval_problems, cfg.seed));
    let run = RunLoop::new(cfg.steps, state.step, cfg.eval_every, cfg.save_every);
    let mut grads = vec![0.0f32; model.n_params()];
    let mut tape = Tape::default();
    let mut last_loss = f64::NAN;
    let mut last_eval = None;
    let mut window = (Instant::now(), 0u64);
    while state.step < cfg.steps {
        let t0 = Instant::now();
        let examples = source.batch(&tok, cfg.seed, state.step, cfg.batch_size)?;
        if let Some(e) = examples.iter().find(|e| e.input_len() > cfg.max_len) {
            return Err(TrainError::Config(format!(
                "an example of {} tokens does not fit `max_len` {}: its answer would be cut off; raise --max-len (and --max-seq-len)",
                e.len(),
                cfg.max_len
            )));
        }
        grads.fill(0.0);
        let step = loss_and_grad(&model, &examples, tok.eos_id(), cfg, &mut tape, &mut grads)?;
        let grad_norm = clip_grad_norm(&mut grads, cfg.clip);
        if !(step.loss.is_finite() && grad_norm.is_finite()) {
            return Err(TrainError::Config(format!(
                "step {}: loss {} / gradient norm {grad_norm} is not finite; the last checkpoint was kept (try a lower --lr)",
                state.step + 1,
                step.loss
            )));
        }
        let lr = schedule.lr(state.step);
        opt.update(&mut model.params, &grads, lr);
        state.step += 1;
        state.train_tokens += step.positions as u64;
        state.real_tokens += step.real_tokens as u64;
        state.seconds += t0.elapsed().as_secs_f64();
        window.1 += step.positions as u64;
        last_loss = step.loss;
        let tok_s = window.1 as f64 / window.0.elapsed().as_secs_f64().max(1e-9);
        let mut line = serde_json::json!({"step": state.step, "loss": last_loss, "lr": lr, "grad_norm": grad_norm,
            "tokens": state.train_tokens, "real_tokens": state.real_tokens, "tokens_per_s": tok_s, "seconds": state.seconds, "loss_tokens": step.loss_tokens});
        if let (Some(task), Some(set)) = (source.task(), &eval_set) {
            if run.evaluates_at(state.step) {
                let opts = EvalOptions::greedy(source.prompt_style(), cfg.max_len);
                let (report, _) = evaluate_greedy(&model, &tok, task, set, &opts, &mut |_, _| {})?;
                run.say(&format!("step {:>6}  loss {:.4}  held-out {}", state.step, last_loss, report.summary()));
                line["eval_accuracy"] = report.overall.accuracy.into();
                line["eval_no_answer"] = report.no_answer_rate.into();
                line["eval_mean_reasoning_tokens"] = report.mean_reasoning_tokens.into();
                last_eval = Some(report);
            }
        }
        metrics.append(&line)?;
        run.advance(state.step, format!("loss {last_loss:.4} · {:.1}k tok/s", tok_s / 1000.0));
        if state.step % 50 == 0 {
            window = (Instant::now(), 0);
        }
        if run.saves_at(state.step) {
            save(&ck_dir, &model, &tok, &opt, &state)?;
        }
    }
    run.finish();
    Ok(SftOutcome {
        steps: state.step,
        train_tokens: state.train_tokens,
        real_tokens: state.real_tokens,
        seconds: state.seconds,
        final_loss: last_loss,
        final_eval: last_eval,
        checkpoint: ck_dir,
    })
}

/// What one step's forward/backward saw.
struct StepStats {
    loss: f64,
    loss_tokens: usize,
    real_tokens: usize,
    positions: usize,
}

/// Mean completion loss over the batch and its gradient (added into `grads`).
///
/// With `micro_batches > 1` the examples are sorted by length and split, each part padded only
/// to its own longest member; each part's gradient is weighted by its share of the loss tokens,
/// so the result equals the one-batch gradient while mixed-length batches waste less on padding.
fn loss_and_grad(
    model: &Model,
    examples: &[Example],
    pad: u32,
    cfg: &SftConfig,
    tape: &mut Tape,
    grads: &mut [f32],
) -> Result<StepStats, TrainError> {
    let mut sorted: Vec<&Example> = examples.iter().collect();
    if cfg.micro_batches > 1 {
        sorted.sort_by_key(|e| e.len());
    }
    let parts = cfg.micro_batches.clamp(1, sorted.len().max(1));
    let chunk = sorted.len().div_ceil(parts);
    let batches: Vec<_> = sorted.chunks(chunk).map(|c| make_batch(c, pad, cfg.max_len)).collect();
    let total: usize = batches.iter().map(|b| b.loss_tokens).sum();
    let mut stats = StepStats { loss: 0.0, loss_tokens: total, real_tokens: 0, positions: 0 };
    for batch in &batches {
        let mut logits = model.forward_train_with(&batch.tokens, batch.batch, batch.seq, tape)?;
        let (loss_sum, n) = cross_entropy_in_place(&mut logits, &batch.targets, model.cfg.vocab_size);
        let share = n as f32 / total.max(1) as f32;
        if share != 1.0 {
            logits.iter_mut().for_each(|g| *g *= share);
        }
        model.backward(tape, &logits, grads);
        stats.loss += loss_sum / total.max(1) as f64;
        stats.real_tokens += batch.real_tokens;
        stats.positions += batch.batch * batch.seq;
    }
    Ok(stats)
}

fn validate(cfg: &SftConfig) -> Result<(), TrainError> {
    let bad = |m: String| Err(TrainError::Config(m));
    if cfg.steps == 0 {
        return bad("`steps` must be positive, got 0".into());
    }
    if cfg.batch_size == 0 {
        return bad("`batch_size` must be positive, got 0".into());
    }
    if !(cfg.lr > 0.0 && cfg.lr.is_finite()) {
        return bad(format!("`lr` must be positive, got {}", cfg.lr));
    }
    if !(cfg.min_lr >= 0.0 && cfg.min_lr <= cfg.lr) {
        return bad(format!("`min_lr` must be in [0, lr = {}], got {}", cfg.lr, cfg.min_lr));
    }
    if cfg.init_from.is_none() && cfg.max_len > cfg.shape.max_seq_len {
        return bad(format!(
            "`max_len` ({}) must not exceed the model's `max_seq_len` ({}); raise --max-seq-len or lower --max-len",
            cfg.max_len, cfg.shape.max_seq_len
        ));
    }
    if cfg.eval_every == 0 || cfg.save_every == 0 {
        return bad("`eval_every` and `save_every` must be positive".into());
    }
    Ok(())
}

fn initial_model(cfg: &SftConfig) -> Result<(Model, ChatTokenizer), TrainError> {
    match &cfg.init_from {
        Some(dir) => {
            let ck = load_checkpoint(dir)?;
            Ok((ck.model, ck.tokenizer))
        }
        None => {
            let tok = match &cfg.tokenizer {
                Some(dir) => ChatTokenizer::load(dir)?,
                None => ChatTokenizer::char_level()?,
            };
            let mcfg = ModelConfig::from_shape(&cfg.shape, tok.vocab_size())?;
            let mut mcfg = mcfg;
            mcfg.eos_token_id = Some(tok.eos_id());
            Ok((Model::new_random(mcfg, cfg.seed), tok))
        }
    }
}

impl RunState for TrainerState {
    type Config = SftConfig;
    fn config(&self) -> &SftConfig {
        &self.config
    }
    fn step(&self) -> u64 {
        self.step
    }
}

fn save(
    ck_dir: &Path,
    model: &Model,
    tok: &ChatTokenizer,
    opt: &AdamW,
    state: &TrainerState,
) -> Result<(), TrainError> {
    let provenance = serde_json::json!({
        "deepthink_version": env!("CARGO_PKG_VERSION"),
        "trainer": "sft",
        "step": state.step,
        "train_tokens": state.train_tokens,
        "seconds": state.seconds,
        "seed": state.config.seed,
        "config": state.config,
    });
    save_run(ck_dir, model, tok, opt, state, &provenance)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `length_targets` puts a target in every prompt; `length_fit` makes the traces follow it.
    #[test]
    fn length_targets_reach_the_prompts_and_fitted_traces_follow_them() {
        use deepthink_tasks::length_target::target_in_prompt;
        let tok = ChatTokenizer::char_level().unwrap();
        let cfg = |fit: u32| SftConfig {
            data: SftData::Task {
                task: "add".into(),
                task_config: TaskConfig::from(deepthink_tasks::AddConfig { min_digits: 2, max_digits: 2 }),
                trace: deepthink_tasks::add::RECHECK,
                prompt: PromptStyle::Plain,
            },
            length_targets: Some([64, 320]),
            length_fit: fit,
            ..SftConfig::default()
        };
        // Mean completion length of the examples asking for under 150 tokens, and over 250.
        let short_and_long = |fit: u32| {
            let examples = resolve_source(&cfg(fit), &tok).unwrap().batch(&tok, 5, 0, 200).unwrap();
            let (mut short, mut long) = (Vec::new(), Vec::new());
            for e in &examples {
                let target = target_in_prompt(&tok.decode(&e.prompt)).expect("a target in every prompt");
                assert!((64..=320).contains(&target), "{target}");
                let n = e.completion.len() as f64;
                if target < 150 {
                    short.push(n);
                } else if target > 250 {
                    long.push(n);
                }
            }
            let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
            (mean(&short), mean(&long))
        };
        let (short, long) = short_and_long(8);
        assert!(long > 1.5 * short, "fitted: {short} vs {long} tokens");
        let (short, long) = short_and_long(0);
        assert!((long / short - 1.0).abs() < 0.25, "unfitted: {short} vs {long} tokens");
    }

    #[test]
    fn micro_batches_give_the_one_batch_gradient() {
        let tok = ChatTokenizer::char_level().unwrap();
        let shape = ModelShape {
            d_model: 16,
            n_layers: 1,
            n_heads: 2,
            n_kv_heads: 1,
            ffn_dim: 16,
            max_seq_len: 64,
            ..Default::default()
        };
        let mut mcfg = ModelConfig::from_shape(&shape, tok.vocab_size()).unwrap();
        mcfg.eos_token_id = Some(tok.eos_id());
        let model = Model::new_random(mcfg, 3);
        let cfg = SftConfig {
            data: SftData::Task {
                task: "mult".into(),
                task_config: TaskConfig::from(deepthink_tasks::MultConfig {
                    min_digits: 1,
                    max_digits: 4,
                    ..deepthink_tasks::MultConfig::default()
                }),
                trace: COMPACT,
                prompt: PromptStyle::Plain,
            },
            ..SftConfig::default()
        };
        let source = resolve_source(&cfg, &tok).unwrap();
        let examples = source.batch(&tok, 5, 0, 12).unwrap();
        let mut one = vec![0.0; model.n_params()];
        let a = loss_and_grad(&model, &examples, tok.eos_id(), &cfg, &mut Tape::default(), &mut one).unwrap();
        let mut three = vec![0.0; model.n_params()];
        let cfg3 = SftConfig { micro_batches: 3, ..cfg.clone() };
        let b = loss_and_grad(&model, &examples, tok.eos_id(), &cfg3, &mut Tape::default(), &mut three).unwrap();
        assert!((a.loss - b.loss).abs() < 1e-5, "{} vs {}", a.loss, b.loss);
        assert!(b.positions < a.positions, "sorting should cut padding");
        let scale = one.iter().map(|x| x.abs()).fold(0.0, f32::max);
        let diff = one.iter().zip(&three).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max);
        assert!(diff < 1e-4 * scale.max(1e-3), "gradients differ by {diff} (max {scale})");
    }
}
