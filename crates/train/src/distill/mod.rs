//! `deepthink distill`: imitation data from a teacher by rejection sampling.
//!
//! For each training problem the teacher proposes K candidate solutions; the verifier (the task's
//! checker, or a process outside) keeps the right ones, and up to `keep` *distinct* right ones
//! per problem are written — distinct by their reasoning lines, so `keep` > 1 is rejection-sampling
//! fine-tuning's several paths per problem (Yuan et al. 2023, "Scaling Relationship on Learning
//! Mathematical Reasoning with LLMs"); `keep` = 1 is DeepSeek-R1's rejection-sampled SFT data.
//! The output is TRL prompt–completion JSONL that `train sft --data` reads; each line carries its
//! provenance (teacher, seed, which sample), and `OUT.report.json` the run's: acceptance rate,
//! problems solved, distinct paths kept.
//!
//! Resumable: problems go to the teacher in chunks; after each chunk the kept lines are appended
//! to `OUT.partial` and `OUT.progress.json` records how far it got. A rerun with the same
//! configuration continues from there — problems and seeds are a pure function of the seed and
//! the chunk, so a resumed run writes what an uninterrupted one would have. `OUT` itself appears
//! only when every problem is done (renamed from the partial file).

pub mod teacher;

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use deepthink_tasks::{check_batch, text, Attempt, Problem, PromptStyle, Split, Task, TaskChecker, Verdict, Verifier};
use indicatif::{ProgressBar, ProgressStyle};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::data_file::record_value;
use crate::error::TrainError;
pub use teacher::{SearchTeacher, Teacher, TraceTeacher};

/// What defines a distillation run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DistillConfig {
    /// Distinct training problems to try (train split: never a held-out one).
    pub problems: usize,
    /// Most distinct right solutions written per problem.
    pub keep: usize,
    pub prompt: PromptStyle,
    /// Problems per teacher call (and per resume point).
    pub chunk: usize,
    pub seed: u64,
}

/// What a run measured, written to `OUT.report.json`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DistillReport {
    pub teacher: String,
    pub task: String,
    pub seed: u64,
    pub keep: usize,
    pub problems: usize,
    /// Candidates the teacher proposed, and how many of them the verifier passed.
    pub candidates: usize,
    pub accepted: usize,
    pub acceptance_rate: f64,
    /// Problems with at least one right candidate.
    pub solved: usize,
    /// Lines written: distinct right solutions, at most `keep` a problem.
    pub kept: usize,
    /// Mean distinct right solutions per solved problem, before the `keep` cap.
    pub distinct_per_solved: f64,
    pub seconds: f64,
}

/// Where a run stands between chunks (`OUT.progress.json`).
#[derive(Serialize, Deserialize)]
struct Progress {
    config: DistillConfig,
    /// Problems finished, and the bytes of `OUT.partial` that hold their lines.
    done: usize,
    bytes: u64,
    report: DistillReport,
    distinct_sum: usize,
}

fn with_suffix(out: &Path, suffix: &str) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// `n` distinct training problems of `task` drawn with `seed` (fewer when the task has fewer).
pub fn training_problems(task: &dyn Task, n: usize, seed: u64) -> Vec<Problem> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(n);
    for _ in 0..n.saturating_mul(20).max(100) {
        if out.len() == n {
            break;
        }
        let p = task.generate(&mut rng, Split::Train);
        if seen.insert(p.question()) {
            out.push(p);
        }
    }
    out
}

/// The reasoning that makes two right solutions different paths: their trimmed reasoning lines.
pub fn path_key(completion: &str) -> String {
    text::think_lines(completion).join("\n")
}

/// Distill `cfg.problems` training problems of `task` from `teacher` into `out`, checked by
/// `verifier` (the task's checker when `None`); `restart` forgets a partial run.
pub fn distill(
    task: &dyn Task,
    teacher: &dyn Teacher,
    verifier: Option<&dyn Verifier>,
    cfg: &DistillConfig,
    out: &Path,
    restart: bool,
) -> Result<DistillReport, TrainError> {
    if cfg.problems == 0 || cfg.keep == 0 || cfg.chunk == 0 {
        return Err(TrainError::Config(format!(
            "`problems`, `keep` and `chunk` must be positive; got {}, {}, {}",
            cfg.problems, cfg.keep, cfg.chunk
        )));
    }
    let own = TaskChecker(task);
    let verifier = verifier.unwrap_or(&own);
    let (partial, progress_path) = (with_suffix(out, ".partial"), with_suffix(out, ".progress.json"));
    let mut state = resume(&progress_path, &partial, cfg, teacher, task, restart)?;
    let problems = training_problems(task, cfg.problems, cfg.seed);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&partial)
        .map_err(|e| TrainError::io(&partial, e))?;
    let start = Instant::now();
    let seconds_before = state.report.seconds;
    let bar = ProgressBar::new(problems.len() as u64).with_position(state.done as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} problems · {msg} · {eta} left")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    for (c, part) in problems.chunks(cfg.chunk).enumerate().skip(state.done / cfg.chunk) {
        let seed = cfg.seed ^ (c as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let candidates = teacher.candidates(task, part, seed)?;
        let lines = keep_right(task, verifier, part, &candidates, cfg, seed, &mut state)?;
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        file.write_all(text.as_bytes()).and_then(|()| file.sync_data()).map_err(|e| TrainError::io(&partial, e))?;
        state.done += part.len();
        state.bytes += text.len() as u64;
        state.report.seconds = seconds_before + start.elapsed().as_secs_f64();
        finish_report(&mut state);
        let json = serde_json::to_vec_pretty(&state).map_err(|e| TrainError::Config(e.to_string()))?;
        deepthink_model::fsutil::write_atomic(&progress_path, &json)?;
        bar.set_position(state.done as u64);
        bar.set_message(format!("{:.0}% accepted, {} kept", 100.0 * state.report.acceptance_rate, state.report.kept));
    }
    bar.finish_and_clear();
    drop(file);
    std::fs::rename(&partial, out).map_err(|e| TrainError::io(out, e))?;
    let report = state.report;
    let json = serde_json::to_vec_pretty(&report).map_err(|e| TrainError::Config(e.to_string()))?;
    deepthink_model::fsutil::write_atomic(&with_suffix(out, ".report.json"), &json)?;
    let _ = std::fs::remove_file(&progress_path);
    Ok(report)
}

/// The state to continue from: a matching `OUT.progress.json` (its partial file cut back to what
/// it recorded), else a fresh start.
fn resume(
    progress_path: &Path,
    partial: &Path,
    cfg: &DistillConfig,
    teacher: &dyn Teacher,
    task: &dyn Task,
    restart: bool,
) -> Result<Progress, TrainError> {
    let fresh = Progress {
        config: cfg.clone(),
        done: 0,
        bytes: 0,
        report: DistillReport {
            teacher: teacher.describe(),
            task: task.name().to_string(),
            seed: cfg.seed,
            keep: cfg.keep,
            ..DistillReport::default()
        },
        distinct_sum: 0,
    };
    let saved = match std::fs::read(progress_path) {
        Ok(bytes) if !restart => bytes,
        _ => {
            let _ = std::fs::remove_file(partial);
            return Ok(fresh);
        }
    };
    let state: Progress = serde_json::from_slice(&saved).map_err(|e| TrainError::Resume {
        path: progress_path.to_path_buf(),
        msg: format!("unreadable progress file ({e}); delete it or pass --restart"),
    })?;
    let (was, now) = (&state.report, &fresh.report);
    if state.config != fresh.config || was.teacher != now.teacher || was.task != now.task {
        return Err(TrainError::Resume {
            path: progress_path.to_path_buf(),
            msg: format!(
                "a distillation with a different configuration is in progress ({} from {}); pass --restart to start over",
                was.task, was.teacher
            ),
        });
    }
    let file = std::fs::OpenOptions::new().write(true).open(partial).map_err(|e| TrainError::io(partial, e))?;
    file.set_len(state.bytes).map_err(|e| TrainError::io(partial, e))?;
    eprintln!("resuming after {} of {} problems ({})", state.done, cfg.problems, progress_path.display());
    Ok(state)
}

/// Check every candidate of `part` (one verifier call) and return the lines to write: up to
/// `keep` distinct right solutions per problem, each with its provenance. Counts into `state`.
fn keep_right(
    task: &dyn Task,
    verifier: &dyn Verifier,
    part: &[Problem],
    candidates: &[Vec<String>],
    cfg: &DistillConfig,
    seed: u64,
    state: &mut Progress,
) -> Result<Vec<String>, TrainError> {
    let teacher = state.report.teacher.clone();
    let attempts: Vec<Attempt> = part
        .iter()
        .zip(candidates)
        .flat_map(|(p, cs)| cs.iter().map(move |c| Attempt { problem: p, completion: c }))
        .collect();
    let checked = check_batch(verifier, &attempts)?;
    let mut lines = Vec::new();
    let mut at = 0;
    for (p, cs) in part.iter().zip(candidates) {
        let mut paths = HashSet::new();
        let mut kept = 0;
        for (j, c) in cs.iter().enumerate() {
            let right = checked[at + j].verdict == Verdict::Correct;
            state.report.candidates += 1;
            if !right {
                continue;
            }
            state.report.accepted += 1;
            if !paths.insert(path_key(c)) || kept == cfg.keep {
                continue;
            }
            kept += 1;
            let mut line = record_value(&task.prompt(p, cfg.prompt), c);
            line["provenance"] = serde_json::json!({"teacher": teacher, "seed": seed, "sample": j});
            lines.push(line.to_string());
        }
        at += cs.len();
        state.report.problems += 1;
        state.report.kept += kept;
        if !paths.is_empty() {
            state.report.solved += 1;
            state.distinct_sum += paths.len();
        }
    }
    Ok(lines)
}

fn finish_report(state: &mut Progress) {
    let r = &mut state.report;
    r.acceptance_rate = r.accepted as f64 / r.candidates.max(1) as f64;
    r.distinct_per_solved = state.distinct_sum as f64 / r.solved.max(1) as f64;
}

#[cfg(test)]
mod tests;
