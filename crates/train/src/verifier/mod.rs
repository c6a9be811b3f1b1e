//! `deepthink train verifier`: outcome and process reward models for verifier-guided search.
//!
//! 1. Sample solutions from the policy on training problems and label them (`label`), cached
//!    in the run directory as `labels.jsonl` (TRL stepwise format, `crate::step_records`).
//! 2. Fine-tune a verifier — by default a copy of the policy, as Math-Shepherd initialises its PRM
//!    from the policy model — to predict `+`/`-` at every step's readout, through the SFT loop (so
//!    resume, metrics and checkpoints behave the same).
//! 3. Measure it against the oracle on held-out problems (`quality`), into `quality.json`.

/// The labelled-solution records (`crate::step_records`), under their old path.
pub use crate::step_records as data;
pub mod label;
pub mod quality;

use std::path::{Path, PathBuf};

use deepthink_model::checkpoint::readable_dir;
use deepthink_model::load_checkpoint;
use deepthink_search::ModelScorer;
use deepthink_tasks::verifier_process::{verifier_for, DEFAULT_TIMEOUT_S};
use deepthink_tasks::{task_by_name, Split, TaskConfig};
use serde::{Deserialize, Serialize};

use crate::error::TrainError;
use crate::sft::{train_sft, SftConfig, SftData, SftOutcome};
use crate::step_records::{read_step_records, write_step_records, VerifierKind};
use label::{has_step_labels, label_solutions, LabelConfig};
use quality::{verifier_quality, VerifierQuality};

/// Everything that defines a verifier run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VerifierConfig {
    /// The policy whose solutions the verifier learns to judge.
    pub policy: PathBuf,
    pub task: String,
    pub task_config: TaskConfig,
    pub kind: VerifierKind,
    pub labels: LabelConfig,
    /// Held-out problems for the quality check (oracle labels; outcome labels for a task with no
    /// step checker).
    pub heldout_problems: usize,
    /// Judge outcomes with this external verifier process (`--verifier-cmd`) instead of the
    /// task's checker.
    #[serde(default)]
    pub verifier_cmd: Option<String>,
    /// Seconds the verifier process may take per batch.
    #[serde(default = "default_verifier_timeout")]
    pub verifier_timeout_s: u64,
    /// The training run (its `data` is set to the labels file).
    pub train: SftConfig,
}

fn default_verifier_timeout() -> u64 {
    DEFAULT_TIMEOUT_S
}

#[derive(Debug, Serialize)]
pub struct VerifierOutcome {
    pub labelled_solutions: usize,
    pub labelled_correct: usize,
    pub good_step_fraction: f64,
    pub train: SftOutcome,
    pub quality: VerifierQuality,
}

/// Saved beside `labels.jsonl`: what produced it.
#[derive(Serialize, Deserialize, PartialEq)]
struct LabelMeta {
    policy: PathBuf,
    task: String,
    task_config: TaskConfig,
    labels: LabelConfig,
    #[serde(default)]
    verifier_cmd: Option<String>,
}

pub fn train_verifier(cfg: &VerifierConfig, run_dir: &Path, restart: bool) -> Result<VerifierOutcome, TrainError> {
    std::fs::create_dir_all(run_dir).map_err(|e| TrainError::io(run_dir, e))?;
    let task = task_by_name(&cfg.task, &cfg.task_config)?;
    let policy = load_checkpoint(&readable_dir(&cfg.policy)?)?;
    let labels_path = run_dir.join("labels.jsonl");
    let meta_path = run_dir.join("labels.json");
    let meta = LabelMeta {
        policy: cfg.policy.clone(),
        task: cfg.task.clone(),
        task_config: cfg.task_config.clone(),
        labels: cfg.labels.clone(),
        verifier_cmd: cfg.verifier_cmd.clone(),
    };
    let verifier = verifier_for(cfg.verifier_cmd.as_deref(), cfg.verifier_timeout_s, task.as_ref());
    let cached = std::fs::read_to_string(&meta_path)
        .ok()
        .and_then(|t| serde_json::from_str::<LabelMeta>(&t).ok())
        .is_some_and(|m| m == meta)
        && labels_path.exists();
    let records = if cached && !restart {
        eprintln!("reusing {}", labels_path.display());
        read_step_records(&labels_path)?
    } else {
        let (records, _) = label_solutions(
            &policy.model,
            &policy.tokenizer,
            task.as_ref(),
            verifier.as_ref(),
            Split::Train,
            &cfg.labels,
        )?;
        write_step_records(&labels_path, &records)?;
        let text = serde_json::to_vec_pretty(&meta).map_err(|e| TrainError::Config(e.to_string()))?;
        deepthink_model::fsutil::write_atomic(&meta_path, &text)?;
        records
    };
    let correct = records.iter().filter(|r| r.outcome).count();
    let (good, all) =
        records.iter().fold((0, 0), |(g, a), r| (g + r.labels.iter().filter(|&&l| l).count(), a + r.labels.len()));
    eprintln!(
        "{} labelled solutions ({} right, {:.1}% of steps good)",
        records.len(),
        correct,
        100.0 * good as f64 / all.max(1) as f64
    );
    let mut train_cfg = cfg.train.clone();
    train_cfg.data = SftData::Verifier { path: labels_path, kind: cfg.kind };
    if train_cfg.init_from.is_none() {
        train_cfg.init_from = Some(cfg.policy.clone());
    }
    let outcome = train_sft(&train_cfg, run_dir, restart)?;
    // Held-out quality against oracle labels (outcome labels when the task has no step checker).
    let ck = load_checkpoint(&outcome.checkpoint)?;
    let scorer = ModelScorer { model: ck.model, tokenizer: ck.tokenizer, label: run_dir.display().to_string() };
    let heldout_cfg = cfg.labels.heldout(cfg.heldout_problems, has_step_labels(task.as_ref()));
    let (held, problems) =
        label_solutions(&policy.model, &policy.tokenizer, task.as_ref(), verifier.as_ref(), Split::Test, &heldout_cfg)?;
    let quality = verifier_quality(&scorer, task.as_ref(), &problems, &held)?;
    let qpath = run_dir.join("quality.json");
    let text = serde_json::to_vec_pretty(&quality).map_err(|e| TrainError::Config(e.to_string()))?;
    deepthink_model::fsutil::write_atomic(&qpath, &text)?;
    Ok(VerifierOutcome {
        labelled_solutions: records.len(),
        labelled_correct: correct,
        good_step_fraction: good as f64 / all.max(1) as f64,
        train: outcome,
        quality,
    })
}
