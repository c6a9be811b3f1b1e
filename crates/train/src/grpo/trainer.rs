//! `deepthink train grpo`: the GRPO loop (Shao et al. 2024; DeepSeek-R1-Zero's recipe).
//!
//! Each step: sample and reward a group of `group` completions for each of `prompts` training
//! problems (`rollout`); then `inner_steps` (μ) AdamW updates on the clipped surrogate
//! (`update`), the log-probs of the sampling policy frozen as `old`, and a frozen copy of the
//! starting model as the KL reference when β > 0. Groups whose rewards are all
//! equal have zero advantage and no gradient; with `skip_zero_advantage` they are not even run
//! through the forward/backward pass (an algorithmic saving; off = the same work as TRL).
//!
//! Departures from TRL: rewards are computed in-process (no reward server); the metrics line also
//! records the truncated fraction, the usual cause of all-zero rewards.

use std::path::{Path, PathBuf};
use std::time::Instant;

use deepthink_model::checkpoint::readable_dir;
use deepthink_model::train_pass::Tape;
use deepthink_model::{load_checkpoint, ChatTokenizer, Model};
use deepthink_tasks::length_target::{Target, WithLengthTarget};
use deepthink_tasks::verifier_process::{verifier_for, DEFAULT_TIMEOUT_S};
use deepthink_tasks::{task_by_name, Problem, Task};
use serde::{Deserialize, Serialize};

use crate::error::TrainError;
use crate::grpo::config::shown;
pub use crate::grpo::config::{GrpoConfig, RewardSpec, StepMetrics};
use crate::grpo::reward::{reward_by_name, well_formed, Weighted};
use crate::grpo::rollout::{sample_groups, Rollout};
use crate::grpo::update::{select_samples, update, Learner};
use crate::metrics::MetricsLog;
use crate::optim::AdamW;
use crate::run_loop::RunLoop;
use crate::run_state::{prepare_run_dir, save_run, try_resume, RunState};
use crate::schedule::CosineSchedule;

#[derive(Serialize, Deserialize)]
struct GrpoState {
    step: u64,
    seconds: f64,
    config: GrpoConfig,
}

fn reward_fns(cfg: &GrpoConfig) -> Result<Vec<Weighted>, TrainError> {
    cfg.rewards
        .iter()
        .map(|r| {
            let w = reward_by_name(&r.name, r.weight, cfg.max_new_tokens, cfg.group).map_err(TrainError::Config)?;
            Ok(if r.name == "length" { w.starting_at(cfg.length_warmup) } else { w })
        })
        .collect()
}

fn validate(cfg: &GrpoConfig) -> Result<(), TrainError> {
    let bad = |m: &str| Err(TrainError::Config(m.to_string()));
    if cfg.init_from.as_os_str().is_empty() {
        return bad("`init_from` is required: the checkpoint GRPO starts from");
    }
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
    if !(0.0..1.0).contains(&cfg.no_think_share) {
        return Err(TrainError::Config(format!("`no_think_share` must be in [0, 1); got {}", cfg.no_think_share)));
    }
    if cfg.no_think_share > 0.0 && cfg.thinking.is_active() {
        return bad(
            "`no_think_share` and a thinking budget cannot be combined (a forced empty block has no budget to keep)",
        );
    }
    Ok(())
}

/// What a finished GRPO run hands on (to a pipeline's next stage, say).
#[derive(Clone, Debug, Serialize)]
pub struct GrpoOutcome {
    pub steps: u64,
    /// Steps this invocation ran (0 when the run was already finished).
    pub steps_run: u64,
    pub seconds: f64,
    /// The last step's metrics (from this invocation; default if it ran no step).
    pub last: StepMetrics,
    /// Held-out greedy accuracy at the last evaluation (`None` without a held-out set).
    pub final_eval_accuracy: Option<f64>,
    pub checkpoint: PathBuf,
}

/// Run (or resume) GRPO into `run_dir`.
pub fn train_grpo(cfg: &GrpoConfig, run_dir: &Path, restart: bool) -> Result<GrpoOutcome, TrainError> {
    validate(cfg)?;
    if cfg.scale_rewards && cfg.rewards.iter().any(|r| r.name == "no-think") {
        // Measured in docs/overthinking.md ("Choosing whether to think"): everything goes direct.
        eprintln!(
            "note: with advantages divided by the group's std, the no-think bonus is full-size in groups \
             whose answers are all right; AdaptThink does not divide (--no-scale-rewards / scale_rewards = false)"
        );
    }
    let task = task_by_name(&cfg.task, &cfg.task_config)?;
    let task: Box<dyn Task> = match cfg.length_targets {
        Some([min, max]) => Box::new(WithLengthTarget::new(task, Target::Range { min, max, seed: cfg.seed })),
        None => task,
    };
    let rewards = reward_fns(cfg)?;
    let verifier = verifier_for(cfg.verifier_cmd.as_deref(), DEFAULT_TIMEOUT_S, task.as_ref());
    let ck_dir = prepare_run_dir(run_dir, restart)?;
    let start = load_checkpoint(&readable_dir(&cfg.init_from)?)?;
    let reference = (cfg.surrogate.beta > 0.0).then(|| start.model.clone());
    let (mut model, tok, mut opt, mut state) = match try_resume::<GrpoState>(&ck_dir, cfg, &cfg.adamw)? {
        Some(r) => r,
        None => {
            let opt = AdamW::for_training(cfg.adamw.clone(), &start.model.layout)?;
            (start.model, start.tokenizer, opt, GrpoState { step: 0, seconds: 0.0, config: cfg.clone() })
        }
    };
    // A run from step 0 starts both logs empty; a resumed one keeps them through its checkpoint.
    let metrics_log = MetricsLog::for_step(&run_dir.join("metrics.jsonl"), state.step)?;
    let completions_log = MetricsLog::for_step(&run_dir.join("completions.jsonl"), state.step)?;
    let schedule =
        CosineSchedule { peak_lr: cfg.lr, min_lr: cfg.lr, warmup_steps: cfg.warmup_steps, total_steps: cfg.steps };
    let eval_set = deepthink_tasks::held_out_problems(task.as_ref(), cfg.eval_problems, cfg.seed);
    let mut grads = vec![0.0f32; model.n_params()];
    let mut tape = Tape::default();
    let mut last = StepMetrics::default();
    let first_step = state.step;
    // On a terminal the bar carries the per-step metrics and evaluations print above it; in a
    // log (no terminal) every step prints a line.
    let run = RunLoop::new(cfg.steps, state.step, cfg.eval_every, cfg.save_every);
    let mut final_eval_accuracy = None;
    if state.step == 0 && !eval_set.is_empty() {
        // The starting policy on the same held-out set: the "before" of every curve.
        let mut line = serde_json::json!({"step": 0, "seconds": 0.0});
        run.say(&held_out(&model, &tok, task.as_ref(), &eval_set, cfg, 0, &mut line)?);
        final_eval_accuracy = line["eval_accuracy"].as_f64();
        metrics_log.append(&line)?;
    }
    while state.step < cfg.steps {
        let t0 = Instant::now();
        let mut m = StepMetrics::default();
        let rollout = sample_groups(&model, &tok, task.as_ref(), cfg, state.step)?;
        m.generate_s = t0.elapsed().as_secs_f64();
        m.rollout_tokens = rollout.positions();
        let advantages = rollout.score(&rewards, verifier.as_ref(), cfg, state.step + 1, &mut m);
        let mut samples = select_samples(&rollout, &advantages, cfg, &mut m);
        let t1 = Instant::now();
        let mut learner = Learner {
            model: &mut model,
            reference: reference.as_ref(),
            opt: &mut opt,
            grads: &mut grads,
            tape: &mut tape,
            lr: schedule.lr(state.step),
        };
        update(&mut learner, &mut samples, cfg, state.step + 1, &mut m)?;
        m.update_s = t1.elapsed().as_secs_f64();
        let step_s = t0.elapsed().as_secs_f64();
        m.tokens_per_s = m.update_tokens as f64 / m.update_s.max(1e-9);
        state.step += 1;
        state.seconds += step_s;
        let mut line = serde_json::to_value(&m).map_err(|e| TrainError::Config(e.to_string()))?;
        line["step"] = state.step.into();
        line["seconds_per_step"] = step_s.into();
        line["seconds"] = state.seconds.into();
        if !eval_set.is_empty() && run.evaluates_at(state.step) {
            run.say(&held_out(&model, &tok, task.as_ref(), &eval_set, cfg, state.step, &mut line)?);
            final_eval_accuracy = line["eval_accuracy"].as_f64();
            log_completions(&completions_log, &rollout, &advantages, state.step)?;
        }
        if run.in_log() {
            eprintln!(
                "step {:>5}  reward {:.3} ± {:.3} · accuracy {} · format {} · no think {:.2} · length {:.1} (max {}) · truncated {:.2} · kl {:.4} · clip {:.3} · entropy {:.3} · skipped {} · {:.2} s ({:.2} gen)",
                state.step, m.reward_mean, m.reward_std, shown(m.accuracy, 3), shown(m.format, 3), m.no_think, m.completion_len_mean, m.completion_len_max,
                m.truncated, m.kl, m.clip_fraction, m.entropy, m.skipped_groups, step_s, m.generate_s
            );
        }
        run.advance(
            state.step,
            format!(
                "reward {:.2} · acc {} · len {:.0} · trunc {:.2} · kl {:.3} · entropy {:.2} · {:.2} s/step",
                m.reward_mean,
                shown(m.accuracy, 2),
                m.completion_len_mean,
                m.truncated,
                m.kl,
                m.entropy,
                step_s
            ),
        );
        metrics_log.append(&line)?;
        if run.saves_at(state.step) {
            save(&ck_dir, &model, &tok, &opt, &state)?;
        }
        last = m;
    }
    run.finish();
    Ok(GrpoOutcome {
        steps: state.step,
        steps_run: state.step - first_step,
        seconds: state.seconds,
        last,
        final_eval_accuracy,
        checkpoint: ck_dir,
    })
}

/// Greedy accuracy, format compliance and reasoning length on the held-out set, into `line`;
/// returns the line to print.
fn held_out(
    model: &Model,
    tok: &ChatTokenizer,
    task: &dyn Task,
    eval_set: &[Problem],
    cfg: &GrpoConfig,
    step: u64,
    line: &mut serde_json::Value,
) -> Result<String, TrainError> {
    let opts = deepthink_eval::EvalOptions::greedy(cfg.prompt, cfg.max_new_tokens);
    let (report, preds) = deepthink_eval::evaluate_greedy(model, tok, task, eval_set, &opts, &mut |_, _| {})?;
    let formatted = preds.iter().filter(|p| well_formed(&p.completion, p.truncated)).count();
    let format_rate = formatted as f64 / preds.len().max(1) as f64;
    line["eval_accuracy"] = report.overall.accuracy.into();
    line["eval_format"] = format_rate.into();
    line["eval_reasoning_tokens"] = report.mean_reasoning_tokens.into();
    Ok(format!("step {step:>5}  held-out {} · format {:.1}%", report.summary(), 100.0 * format_rate))
}

/// Append the first completion of each of the step's first four groups to `completions.jsonl`
/// (what the policy writes as training goes; TRL's `log_completions`).
fn log_completions(log: &MetricsLog, rollout: &Rollout, advantages: &[f32], step: u64) -> Result<(), TrainError> {
    let group = rollout.outputs.len() / rollout.questions.len().max(1);
    for (i, q) in rollout.questions.iter().enumerate().take(4) {
        let k = i * group;
        log.append(&serde_json::json!({
            "step": step,
            "question": q,
            "completion": rollout.texts[k],
            "advantage": advantages[k],
        }))?;
    }
    Ok(())
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
