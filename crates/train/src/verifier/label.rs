//! Labelled solutions for verifier training, sampled from the policy the verifier will judge
//! (the lecture's recipe: sample answers, compare them with the reference).
//!
//! Outcomes come from a [`Verifier`] — the task's own checker, or an external verifier process
//! (`--verifier-cmd`), so an open task is labelled by the scorer its user trusts; a batch of
//! solutions is one verifier call. Step labels come from one of three sources:
//! - `oracle`: the task's ground-truth `step_labels` (exact, but only tasks with a step checker
//!   have one);
//! - `outcome`: every step carries its solution's outcome — an outcome reward model's labels, and
//!   all a task without a step checker (an open question file) has for its held-out check;
//! - `rollouts`: Math-Shepherd's Monte-Carlo *hard estimate* (Wang et al. 2024): a step is good if
//!   at least one of K rollouts continued from it reaches the right answer. Needs nothing but the
//!   final-answer checker, so it generalises to any task. Shortcut: every step of a solution that
//!   is itself right is good (that solution is a successful rollout from each of its steps).
//!
//! The answer step is labelled with the outcome either way.

use deepthink_model::{FinishReason, Model};
use deepthink_search::{Generator, LocalGenerator, Request};
use deepthink_tasks::text::think_lines;
use deepthink_tasks::{check_batch, Attempt, Problem, PromptStyle, Split, StepLabel, Task, Verdict, Verifier};
use indicatif::{ProgressBar, ProgressStyle};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::TrainError;
use crate::step_records::StepRecord;

/// Where step labels come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "lowercase")]
pub enum LabelMethod {
    Oracle,
    Outcome,
    Rollouts { rollouts: usize },
}

/// How solutions are sampled and labelled (saved beside the labels, so a changed config relabels).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabelConfig {
    pub problems: usize,
    pub samples: usize,
    pub temperature: f32,
    pub max_new_tokens: usize,
    pub prompt: PromptStyle,
    pub method: LabelMethod,
    pub seed: u64,
}

impl LabelConfig {
    /// The held-out set verifiers are measured on: `problems` test-split problems sampled like
    /// this config under a seed of their own, oracle-labelled when the task has a step checker
    /// (`steps`), else outcome-labelled.
    pub fn heldout(&self, problems: usize, steps: bool) -> LabelConfig {
        let method = if steps { LabelMethod::Oracle } else { LabelMethod::Outcome };
        LabelConfig { problems, method, seed: self.seed ^ 0xface, ..self.clone() }
    }
}

/// Requests generated per call (bounds the KV cache).
const CHUNK: usize = 1024;

/// Whether `task` labels steps itself (`oracle` labels), probed on one of its problems.
pub fn has_step_labels(task: &dyn Task) -> bool {
    let p = task.generate(&mut ChaCha8Rng::seed_from_u64(0), Split::Test);
    task.step_labels(&p, "").is_some()
}

/// Sample `cfg.samples` solutions to each of `cfg.problems` problems from `split` and label them,
/// judging outcomes with `verifier`. Returns each record with the problem it solves.
pub fn label_solutions(
    model: &Model,
    tok: &deepthink_model::ChatTokenizer,
    task: &dyn Task,
    verifier: &dyn Verifier,
    split: Split,
    cfg: &LabelConfig,
) -> Result<(Vec<StepRecord>, Vec<Problem>), TrainError> {
    let gen = LocalGenerator::new(model, tok);
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed ^ 0x1abe1);
    let problems: Vec<Problem> = (0..cfg.problems).map(|_| task.generate(&mut rng, split)).collect();
    let questions: Vec<String> = problems.iter().map(|p| task.prompt(p, cfg.prompt)).collect();
    let mut requests = Vec::with_capacity(problems.len() * cfg.samples);
    let mut owner = Vec::with_capacity(requests.capacity());
    for (i, q) in questions.iter().enumerate() {
        for j in 0..cfg.samples {
            let seed = cfg.seed.wrapping_add((i * cfg.samples + j) as u64);
            requests.push(request(q, String::new(), cfg, seed));
            owner.push(i);
        }
    }
    let outs = generate_chunked(&gen, &requests, "sampling solutions")?;
    let completions: Vec<String> = outs.iter().map(|c| format!("{}{}", gen.prefill(), c.text)).collect();
    let outcomes = right_answers(verifier, &problems, &owner, &completions)?;
    let mut records = Vec::with_capacity(outs.len());
    let mut sources = Vec::with_capacity(outs.len());
    for (((c, &i), completion), outcome) in outs.iter().zip(&owner).zip(completions).zip(outcomes) {
        let finished = c.finish == FinishReason::Stop && completion.contains("</think>");
        let mut steps: Vec<String> = think_lines(&completion).into_iter().map(str::to_string).collect();
        if finished {
            let at = completion.find("</think>").unwrap_or(completion.len());
            steps.push(completion[at..].to_string());
        }
        if steps.is_empty() {
            continue;
        }
        let mut labels = vec![outcome; steps.len()];
        if cfg.method == LabelMethod::Oracle {
            let Some(truth) = task.step_labels(&problems[i], &completion) else {
                let why = format!("task `{}` has no step labels; label with --labels rollouts or outcome", task.name());
                return Err(TrainError::Config(why));
            };
            for (l, s) in labels.iter_mut().zip(truth) {
                *l = s == StepLabel::Good;
            }
        }
        records.push(StepRecord { prompt: questions[i].clone(), completions: steps, labels, outcome });
        sources.push(i);
    }
    if let LabelMethod::Rollouts { rollouts } = cfg.method {
        label_by_rollouts(&gen, verifier, &problems, &sources, &mut records, rollouts, cfg)?;
    }
    Ok((records, sources.into_iter().map(|i| problems[i].clone()).collect()))
}

/// Math-Shepherd hard estimates for the reasoning steps of every wrong solution.
fn label_by_rollouts(
    gen: &LocalGenerator,
    verifier: &dyn Verifier,
    problems: &[Problem],
    sources: &[usize],
    records: &mut [StepRecord],
    k: usize,
    cfg: &LabelConfig,
) -> Result<(), TrainError> {
    let mut requests = Vec::new();
    let mut jobs = Vec::new(); // (record, step) per request
    for (r, rec) in records.iter().enumerate() {
        if rec.outcome || !rec.complete() {
            // Every step of a right solution is good; a runaway one (cut off at the length cap)
            // keeps its all-bad labels, as its prefixes may not leave room to roll out.
            continue;
        }
        let reasoning = rec.completions.iter().filter(|s| !s.starts_with("</think>"));
        let mut prefix = String::new();
        for (s, line) in reasoning.enumerate() {
            prefix.push_str(line);
            prefix.push('\n');
            for j in 0..k {
                let seed = cfg.seed ^ ((r * 1000 + s) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ j as u64;
                requests.push(request(&rec.prompt, prefix.clone(), cfg, seed));
                jobs.push((r, s));
            }
        }
    }
    let outs = generate_chunked(gen, &requests, "rollouts")?;
    // Wrong solutions: a step is bad until one of its rollouts succeeds.
    for rec in records.iter_mut().filter(|r| !r.outcome) {
        let steps = rec.completions.iter().filter(|s| !s.starts_with("</think>")).count();
        rec.labels[..steps].iter_mut().for_each(|l| *l = false);
    }
    let completions: Vec<String> =
        outs.iter().zip(&requests).map(|(c, req)| format!("{}{}{}", gen.prefill(), req.prefix, c.text)).collect();
    let owners: Vec<usize> = jobs.iter().map(|&(r, _)| sources[r]).collect();
    let right = right_answers(verifier, problems, &owners, &completions)?;
    for (&(r, s), right) in jobs.iter().zip(right) {
        if right {
            records[r].labels[s] = true;
        }
    }
    Ok(())
}

/// Whether each completion (of problem `owner[k]`) is right, by `verifier`, in chunks of calls.
fn right_answers(
    verifier: &dyn Verifier,
    problems: &[Problem],
    owner: &[usize],
    completions: &[String],
) -> Result<Vec<bool>, TrainError> {
    let attempts: Vec<Attempt> =
        owner.iter().zip(completions).map(|(&i, c)| Attempt { problem: &problems[i], completion: c }).collect();
    let mut right = Vec::with_capacity(attempts.len());
    for chunk in attempts.chunks(CHUNK) {
        let checked = check_batch(verifier, chunk)?;
        right.extend(checked.iter().map(|c| c.verdict == Verdict::Correct));
    }
    Ok(right)
}

fn request(question: &str, prefix: String, cfg: &LabelConfig, seed: u64) -> Request {
    Request::sampled(question, prefix, cfg.temperature, cfg.max_new_tokens, seed)
}

fn generate_chunked(
    gen: &LocalGenerator,
    requests: &[Request],
    what: &str,
) -> Result<Vec<deepthink_search::Continuation>, TrainError> {
    let bar = ProgressBar::new(requests.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{elapsed_precise} < {eta_precise}] {bar:30} {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(what.to_string());
    let mut outs = Vec::with_capacity(requests.len());
    for chunk in requests.chunks(CHUNK) {
        outs.extend(gen.generate(chunk)?);
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    Ok(outs)
}
