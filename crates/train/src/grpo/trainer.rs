//! `deepthink train grpo`: the GRPO loop (Shao et al. 2024; DeepSeek-R1-Zero's recipe).
//!
//! Each step: draw `prompts` training problems; sample a group of `group` completions for each
//! with the batched, KV-cached generator (the group's identical prompts share one prefill);
//! reward them (`reward`); group-normalise (`advantage`); then `inner_steps` (μ) AdamW updates on
//! the clipped surrogate (`loss`), the log-probs of the sampling policy frozen as `old`, and a
//! frozen copy of the starting model as the KL reference when β > 0. Groups whose rewards are all
//! equal have zero advantage and no gradient; with `skip_zero_advantage` they are not even run
//! through the forward/backward pass (an algorithmic saving; off = the same work as TRL).
//!
//! Departures from TRL: rewards are computed in-process (no reward server); the metrics line also
//! records the truncated fraction, the usual cause of all-zero rewards.

use std::path::{Path, PathBuf};
use std::time::Instant;

use deepthink_model::checkpoint::readable_dir;
use deepthink_model::train_pass::Tape;
use deepthink_model::{generate, load_checkpoint, ChatTokenizer, FinishReason, GenRequest, Model, SamplingParams};
use deepthink_tasks::{task_by_name, Problem, PromptStyle, Split, TaskConfig};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::TrainError;
use crate::grpo::advantage::group_advantages;
use crate::grpo::loss::{grpo_loss_part, Completion, SurrogateConfig};
use crate::grpo::policy::{backward_logps, completion_logps, CompletionSpan};
use crate::grpo::reward::{accuracy, format, overlong, total_rewards, Sampled, Weighted};
use crate::metrics::MetricsLog;
use crate::optim::{clip_grad_norm, AdamW, AdamWConfig};
use crate::run_state::{save_run, try_resume, RunState};
use crate::schedule::CosineSchedule;

/// A reward term and its weight.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RewardSpec {
    /// `accuracy`, `format`, or `overlong` (DAPO's soft length penalty near the cap).
    pub name: String,
    pub weight: f32,
}

/// Everything that defines a GRPO run (saved with every checkpoint).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GrpoConfig {
    /// The starting policy (and the KL reference).
    pub init_from: PathBuf,
    pub task: String,
    pub task_config: TaskConfig,
    pub prompt: PromptStyle,
    pub prompts: usize,
    pub group: usize,
    pub max_new_tokens: usize,
    pub temperature: f32,
    /// μ: updates per sampled batch.
    pub inner_steps: usize,
    pub surrogate: SurrogateConfig,
    /// Divide advantages by the group's std (GRPO) or not (Dr. GRPO).
    pub scale_rewards: bool,
    pub rewards: Vec<RewardSpec>,
    pub skip_zero_advantage: bool,
    /// Leave truncated completions out of the loss (DAPO's overlong filtering).
    pub mask_truncated: bool,
    /// Sequences per forward/backward pass (memory bound; the gradient is the same).
    pub micro_batch: usize,
    pub steps: u64,
    pub lr: f32,
    pub warmup_steps: u64,
    pub adamw: AdamWConfig,
    pub clip: f32,
    pub eval_every: u64,
    pub eval_problems: usize,
    pub save_every: u64,
    pub seed: u64,
}

#[derive(Serialize, Deserialize)]
struct GrpoState {
    step: u64,
    seconds: f64,
    config: GrpoConfig,
}

/// What one step measured.
#[derive(Clone, Debug, Default, Serialize)]
pub struct StepMetrics {
    pub reward_mean: f64,
    pub reward_std: f64,
    pub accuracy: f64,
    pub format: f64,
    pub completion_len_mean: f64,
    pub completion_len_max: usize,
    pub truncated: f64,
    pub kl: f64,
    pub clip_fraction: f64,
    pub entropy: f64,
    pub skipped_groups: usize,
    pub generate_s: f64,
    pub update_s: f64,
    pub tokens_per_s: f64,
}

fn reward_fns(cfg: &GrpoConfig) -> Result<Vec<Weighted>, TrainError> {
    cfg.rewards
        .iter()
        .map(|r| {
            let mut w = match r.name.as_str() {
                "accuracy" => accuracy(),
                "format" => format(),
                "overlong" => overlong(cfg.max_new_tokens, cfg.max_new_tokens / 4),
                other => {
                    return Err(TrainError::Config(format!(
                        "unknown reward `{other}`; known: accuracy, format, overlong"
                    )))
                }
            };
            w.weight = r.weight;
            Ok(w)
        })
        .collect()
}

fn validate(cfg: &GrpoConfig) -> Result<(), TrainError> {
    let bad = |m: &str| Err(TrainError::Config(m.to_string()));
    if cfg.prompts == 0 || cfg.group < 2 {
        return bad("GRPO needs at least 1 prompt and a group of at least 2 completions per step");
    }
    if cfg.inner_steps == 0 || cfg.steps == 0 || cfg.micro_batch == 0 || cfg.max_new_tokens == 0 {
        return bad("`inner_steps`, `steps`, `micro_batch` and `max_new_tokens` must be positive");
    }
    if cfg.surrogate.beta < 0.0 || !cfg.surrogate.beta.is_finite() {
        return bad("`beta` must be ≥ 0");
    }
    if cfg.eval_every == 0 || cfg.save_every == 0 {
        return bad("`eval_every` and `save_every` must be positive");
    }
    Ok(())
}

/// One sampled completion, ready for the update.
struct Sample {
    tokens: Vec<u32>,
    prompt_len: usize,
    advantage: f32,
    old_logps: Vec<f32>,
    ref_logps: Option<Vec<f32>>,
}

/// Run (or resume) GRPO into `run_dir`; returns the last step's metrics.
pub fn train_grpo(cfg: &GrpoConfig, run_dir: &Path, restart: bool) -> Result<StepMetrics, TrainError> {
    validate(cfg)?;
    let task = task_by_name(&cfg.task, &cfg.task_config)?;
    let rewards = reward_fns(cfg)?;
    let ck_dir = run_dir.join("checkpoint");
    std::fs::create_dir_all(run_dir).map_err(|e| TrainError::io(run_dir, e))?;
    if restart && ck_dir.exists() {
        std::fs::remove_dir_all(&ck_dir).map_err(|e| TrainError::io(&ck_dir, e))?;
    }
    let start = load_checkpoint(&readable_dir(&cfg.init_from)?)?;
    let reference = (cfg.surrogate.beta > 0.0).then(|| start.model.clone());
    let (mut model, tok, mut opt, mut state) = match try_resume::<GrpoState>(&ck_dir, cfg, &cfg.adamw)? {
        Some(r) => r,
        None => {
            let opt = AdamW::new(cfg.adamw.clone(), &start.model.layout);
            (start.model, start.tokenizer, opt, GrpoState { step: 0, seconds: 0.0, config: cfg.clone() })
        }
    };
    let metrics_log = MetricsLog::open(&run_dir.join("metrics.jsonl"), Some(state.step))?;
    let schedule =
        CosineSchedule { peak_lr: cfg.lr, min_lr: cfg.lr, warmup_steps: cfg.warmup_steps, total_steps: cfg.steps };
    let eval_set = crate::sft::held_out_problems(task.as_ref(), cfg.eval_problems, cfg.seed);
    let mut grads = vec![0.0f32; model.n_params()];
    let mut tape = Tape::default();
    let mut last = StepMetrics::default();
    while state.step < cfg.steps {
        let t0 = Instant::now();
        let mut m = StepMetrics::default();
        // 1. sample groups
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed ^ state.step.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let problems: Vec<Problem> = (0..cfg.prompts).map(|_| task.generate(&mut rng, Split::Train)).collect();
        let questions: Vec<String> = problems.iter().map(|p| task.prompt(p, cfg.prompt)).collect();
        let mut reqs = Vec::with_capacity(cfg.prompts * cfg.group);
        for (i, q) in questions.iter().enumerate() {
            let ids = tok.prompt_ids(q, true)?;
            for j in 0..cfg.group {
                let seed = cfg.seed ^ (state.step << 20) ^ ((i * cfg.group + j) as u64);
                let params = SamplingParams {
                    temperature: cfg.temperature,
                    max_new_tokens: cfg.max_new_tokens,
                    seed,
                    ..SamplingParams::default()
                };
                reqs.push(GenRequest::new(ids.clone(), params));
            }
        }
        let outs = generate(&model, &reqs, &[tok.eos_id()], &mut |_, _| {})?;
        m.generate_s = t0.elapsed().as_secs_f64();
        // 2. rewards and advantages
        let texts: Vec<String> = outs
            .iter()
            .map(|o| {
                format!(
                    "<think>\n{}",
                    tok.decode(&o.tokens.iter().copied().filter(|&t| t != tok.eos_id()).collect::<Vec<_>>())
                )
            })
            .collect();
        let items: Vec<(&Problem, &str, Sampled)> = outs
            .iter()
            .enumerate()
            .map(|(k, o)| {
                let i = k / cfg.group;
                let s = Sampled {
                    completion: &texts[k],
                    tokens: o.tokens.len(),
                    truncated: o.finish == FinishReason::Length,
                };
                (&problems[i], questions[i].as_str(), s)
            })
            .collect();
        let (total, per, issues) = total_rewards(&rewards, task.as_ref(), &items);
        for issue in &issues {
            eprintln!(
                "step {}: reward `{}` on prompt {:?}: {} (scored 0)",
                state.step + 1,
                issue.reward,
                issue.prompt,
                issue.what
            );
        }
        let adv = group_advantages(&total, cfg.group, cfg.scale_rewards);
        let n = total.len() as f64;
        m.reward_mean = total.iter().map(|&r| f64::from(r)).sum::<f64>() / n;
        m.reward_std = (total.iter().map(|&r| (f64::from(r) - m.reward_mean).powi(2)).sum::<f64>() / n).sqrt();
        let mean_of = |name: &str| {
            cfg.rewards
                .iter()
                .position(|r| r.name == name)
                .map_or(f64::NAN, |k| per[k].iter().map(|&v| f64::from(v)).sum::<f64>() / n)
        };
        m.accuracy = mean_of("accuracy");
        m.format = mean_of("format");
        m.completion_len_mean = outs.iter().map(|o| o.tokens.len() as f64).sum::<f64>() / n;
        m.completion_len_max = outs.iter().map(|o| o.tokens.len()).max().unwrap_or(0);
        m.truncated = outs.iter().filter(|o| o.finish == FinishReason::Length).count() as f64 / n;
        // 3. which completions go through the update
        let mut samples = Vec::new();
        for (g, chunk) in adv.chunks(cfg.group).enumerate() {
            if cfg.skip_zero_advantage && chunk.iter().all(|&a| a == 0.0) {
                m.skipped_groups += 1;
                continue;
            }
            for (j, &a) in chunk.iter().enumerate() {
                let k = g * cfg.group + j;
                if cfg.mask_truncated && outs[k].finish == FinishReason::Length {
                    continue;
                }
                let tokens: Vec<u32> = reqs[k].prompt.iter().chain(&outs[k].tokens).copied().collect();
                samples.push(Sample {
                    tokens,
                    prompt_len: reqs[k].prompt.len(),
                    advantage: a,
                    old_logps: Vec::new(),
                    ref_logps: None,
                });
            }
        }
        // 4. old (and reference) log-probs, then μ updates
        let t1 = Instant::now();
        let positions: usize = samples.iter().map(|s| s.tokens.len()).sum();
        // With one update per batch the sampling policy *is* the current one: its log-probs come
        // from the update's own forward (ratio 1, as TRL does), and only the reference needs a pass.
        let single = cfg.inner_steps == 1;
        if !samples.is_empty() && (!single || reference.is_some()) {
            for part in samples.chunks_mut(cfg.micro_batch) {
                let (tokens, b, t, spans) = pack(part, tok.eos_id());
                let (lp, _) = completion_logps(&model, &tokens, b, t, &spans, &mut tape)?;
                let rp = match &reference {
                    Some(r) => Some(completion_logps(r, &tokens, b, t, &spans, &mut tape)?.0),
                    None => None,
                };
                for (k, s) in part.iter_mut().enumerate() {
                    s.old_logps = lp[k].clone();
                    s.ref_logps = rp.as_ref().map(|r| r[k].clone());
                }
            }
        }
        if !samples.is_empty() {
            let total_tokens: usize = samples.iter().map(|s| s.tokens.len() - s.prompt_len).sum();
            for _ in 0..cfg.inner_steps {
                grads.fill(0.0);
                let (mut kl, mut clip, mut ent) = (0.0, 0.0, 0.0);
                for part in samples.chunks(cfg.micro_batch) {
                    let (tokens, b, t, spans) = pack(part, tok.eos_id());
                    let (lp, logits) = completion_logps(&model, &tokens, b, t, &spans, &mut tape)?;
                    ent += entropy_sum(&logits, &spans, t, model.cfg.vocab_size);
                    let comps: Vec<Completion> = part
                        .iter()
                        .zip(&lp)
                        .map(|(s, l)| Completion {
                            logps: l,
                            old_logps: if single { l } else { &s.old_logps },
                            ref_logps: s.ref_logps.as_deref(),
                            advantage: s.advantage,
                        })
                        .collect();
                    let out = grpo_loss_part(&comps, &cfg.surrogate, samples.len(), total_tokens);
                    let part_tokens: usize = lp.iter().map(Vec::len).sum();
                    kl += out.kl * part_tokens as f64;
                    clip += out.clip_fraction * part_tokens as f64;
                    backward_logps(&model, &mut tape, logits, &tokens, t, &spans, &out.dlogps, &mut grads);
                }
                let norm = clip_grad_norm(&mut grads, cfg.clip);
                if !norm.is_finite() {
                    return Err(TrainError::Config(format!(
                        "step {}: gradient norm {norm}; the last checkpoint was kept (try a lower --lr)",
                        state.step + 1
                    )));
                }
                opt.update(&mut model.params, &grads, schedule.lr(state.step));
                m.kl = kl / total_tokens.max(1) as f64;
                m.clip_fraction = clip / total_tokens.max(1) as f64;
                m.entropy = ent / total_tokens.max(1) as f64;
            }
        }
        m.update_s = t1.elapsed().as_secs_f64();
        let step_s = t0.elapsed().as_secs_f64();
        m.tokens_per_s = (positions * cfg.inner_steps) as f64 / m.update_s.max(1e-9);
        state.step += 1;
        state.seconds += step_s;
        let mut line = serde_json::to_value(&m).map_err(|e| TrainError::Config(e.to_string()))?;
        line["step"] = state.step.into();
        line["seconds_per_step"] = step_s.into();
        line["seconds"] = state.seconds.into();
        if state.step % cfg.eval_every == 0 || state.step == cfg.steps {
            let opts = crate::sft::eval_options(cfg.prompt, cfg.max_new_tokens);
            let (report, _) = deepthink_eval::evaluate(&model, &tok, task.as_ref(), &eval_set, &opts, &mut |_, _| {})?;
            eprintln!("step {:>5}  held-out {}", state.step, report.summary());
            line["eval_accuracy"] = report.overall.accuracy.into();
        }
        eprintln!(
            "step {:>5}  reward {:.3} ± {:.3} · accuracy {:.3} · format {:.3} · length {:.1} (max {}) · truncated {:.2} · kl {:.4} · clip {:.3} · entropy {:.3} · skipped {} · {:.2} s ({:.2} gen)",
            state.step, m.reward_mean, m.reward_std, m.accuracy, m.format, m.completion_len_mean, m.completion_len_max,
            m.truncated, m.kl, m.clip_fraction, m.entropy, m.skipped_groups, step_s, m.generate_s
        );
        metrics_log.append(&line)?;
        if state.step % cfg.save_every == 0 || state.step == cfg.steps {
            save(&ck_dir, &model, &tok, &opt, &state)?;
        }
        last = m;
    }
    Ok(last)
}

/// Pad samples into a `(batch × seq)` grid; each completion span starts after its prompt.
fn pack(samples: &[Sample], pad: u32) -> (Vec<u32>, usize, usize, Vec<CompletionSpan>) {
    let seq = samples.iter().map(|s| s.tokens.len()).max().unwrap_or(1);
    let mut tokens = vec![pad; samples.len() * seq];
    let mut spans = Vec::with_capacity(samples.len());
    for (b, s) in samples.iter().enumerate() {
        tokens[b * seq..b * seq + s.tokens.len()].copy_from_slice(&s.tokens);
        spans.push(CompletionSpan { start: s.prompt_len, len: s.tokens.len() - s.prompt_len });
    }
    (tokens, samples.len(), seq, spans)
}

/// Summed entropy (nats) of the policy at every completion position.
fn entropy_sum(logits: &[f32], spans: &[CompletionSpan], seq: usize, v: usize) -> f64 {
    let mut total = 0.0f64;
    for (b, s) in spans.iter().enumerate() {
        for p in s.start..s.start + s.len {
            let row = &logits[(b * seq + p - 1) * v..(b * seq + p) * v];
            let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let z: f64 = row.iter().map(|&x| f64::from(x - max).exp()).sum();
            let h: f64 = row
                .iter()
                .map(|&x| {
                    let lp = f64::from(x - max) - z.ln();
                    -lp.exp() * lp
                })
                .sum();
            total += h;
        }
    }
    total
}

impl RunState for GrpoState {
    type Config = GrpoConfig;
    fn config(&self) -> &GrpoConfig {
        &self.config
    }
    fn step(&self) -> u64 {
        self.step
    }
}

fn save(ck_dir: &Path, model: &Model, tok: &ChatTokenizer, opt: &AdamW, state: &GrpoState) -> Result<(), TrainError> {
    let provenance = serde_json::json!({
        "deepthink_version": env!("CARGO_PKG_VERSION"),
        "trainer": "grpo",
        "step": state.step,
        "seconds": state.seconds,
        "seed": state.config.seed,
        "config": state.config,
    });
    save_run(ck_dir, model, tok, opt, state, &provenance)
}
