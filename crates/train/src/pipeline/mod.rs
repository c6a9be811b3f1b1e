//! `deepthink pipeline RECIPE.toml`: stages that chain the trainers, as DeepSeek-R1 was made —
//! RL from a base, its traces as cold-start data, SFT, RL again, rejection-sampled data mixed
//! with non-reasoning data, a final RL (`recipes/r1.toml`; `recipes/r1-zero.toml` is the RL alone).
//!
//! Each stage writes its own directory `DIR/NAME` and a `stage.json` that records its *key*: a
//! hash of its kind, its resolved config and the key of the stage before it. A rerun skips a
//! finished stage whose key is unchanged; a stage whose key changed (its config, or any earlier
//! stage's) is run afresh, and so is every stage after it — and the run says so. An unfinished
//! stage resumes: the trainers and `generate` resume from their own checkpoints. After each
//! model stage the recipe's `[report]` tasks are scored and `DIR/report.md` is rewritten.

pub mod data_stages;
pub mod recipe;
pub mod report;
pub mod stages;

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::error::TrainError;
use recipe::{product, resolve, Recipe};
use report::{markdown, score, Row};
pub use stages::{EvalSpec, GenerateSpec, MixSpec};

/// What `stage.json` records.
#[derive(Serialize, Deserialize)]
struct StageRecord {
    key: String,
    finished: bool,
    row: Option<Row>,
}

/// FNV-1a, 64 bits: a key that stays the same across builds and platforms (std's hasher does not).
fn fnv(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// What a pipeline run did.
#[derive(Debug, Default)]
pub struct PipelineOutcome {
    pub ran: Vec<String>,
    pub skipped: Vec<String>,
    pub report: PathBuf,
}

/// Run the recipe at `path` (into its `dir`, or `over`); `restart` reruns every stage.
pub fn run_pipeline(path: &Path, over: Option<&Path>, restart: bool) -> Result<PipelineOutcome, TrainError> {
    let (recipe, dir) = Recipe::load(path)?;
    let dir = over.map_or(dir, Path::to_path_buf);
    std::fs::create_dir_all(&dir).map_err(|e| TrainError::io(&dir, e))?;
    // Every stage's config is resolved and typed before the first one runs: a typo in the last
    // stage should not wait for hours of the first.
    let mut typed = Vec::with_capacity(recipe.stage.len());
    for (i, stage) in recipe.stage.iter().enumerate() {
        let config = resolve(&stage.config, &dir, &recipe.stage[..i], &stage.name)?;
        let text = serde_json::to_string(&config).map_err(|e| TrainError::Config(e.to_string()))?;
        typed.push((text, stages::typed_stage(&stage.name, &stage.kind, config)?));
    }
    let mut outcome = PipelineOutcome { report: dir.join("report.md"), ..PipelineOutcome::default() };
    let (mut rows, mut previous, mut invalidated) = (Vec::new(), String::new(), restart);
    for (i, (stage, (text, config))) in recipe.stage.iter().zip(&typed).enumerate() {
        let key = fnv(format!("{previous}\n{}\n{text}", stage.kind).as_bytes());
        previous = key.clone();
        let stage_dir = dir.join(&stage.name);
        let record_path = stage_dir.join("stage.json");
        let saved: Option<StageRecord> = std::fs::read(&record_path).ok().and_then(|b| serde_json::from_slice(&b).ok());
        match &saved {
            Some(s) if s.key == key && s.finished && !invalidated => {
                eprintln!("stage {} ({}): done, skipped", stage.name, stage.kind);
                rows.extend(s.row.clone());
                outcome.skipped.push(stage.name.clone());
                continue;
            }
            Some(s) if s.key != key && !invalidated => {
                let after = recipe.stage.len() - i - 1;
                eprintln!(
                    "stage {} ({}): its config or an earlier stage's changed since it ran; rerunning it and the {after} stage(s) after it",
                    stage.name, stage.kind
                );
                invalidated = true;
            }
            _ => {}
        }
        // (a changed key has set `invalidated` above: this stage and every later one start afresh)
        if invalidated && stage_dir.exists() {
            std::fs::remove_dir_all(&stage_dir).map_err(|e| TrainError::io(&stage_dir, e))?;
        }
        write_record(&record_path, &StageRecord { key: key.clone(), finished: false, row: None })?;
        eprintln!("stage {} ({}): running", stage.name, stage.kind);
        let start = Instant::now();
        let model = stages::run_stage(&stage.name, config, &stage_dir)?;
        let seconds = start.elapsed().as_secs_f64();
        let scores = model.as_deref().map(|m| score(m, &recipe.report)).transpose()?.unwrap_or_default();
        let made = model.or_else(|| product(&dir, stage)).map(|p| p.display().to_string()).unwrap_or_default();
        let row = Row { stage: stage.name.clone(), kind: stage.kind.clone(), seconds, product: made, scores };
        write_record(&record_path, &StageRecord { key, finished: true, row: Some(row.clone()) })?;
        rows.push(row);
        outcome.ran.push(stage.name.clone());
        deepthink_model::fsutil::write_atomic(&outcome.report, markdown(&rows, &recipe.report).as_bytes())?;
    }
    deepthink_model::fsutil::write_atomic(&outcome.report, markdown(&rows, &recipe.report).as_bytes())?;
    if let Some(chart) = report::chart(&rows, &recipe.report) {
        let json = serde_json::to_vec_pretty(&chart).map_err(|e| TrainError::Config(e.to_string()))?;
        deepthink_model::fsutil::write_atomic(&dir.join("report-chart.json"), &json)?;
        let svg = dir.join("report.svg");
        deepthink_eval::line_chart::plot_lines(&svg, &chart)
            .map_err(|e| TrainError::io(&svg, std::io::Error::other(e.to_string())))?;
    }
    Ok(outcome)
}

fn write_record(path: &Path, record: &StageRecord) -> Result<(), TrainError> {
    let json = serde_json::to_vec_pretty(record).map_err(|e| TrainError::Config(e.to_string()))?;
    Ok(deepthink_model::fsutil::write_atomic(path, &json)?)
}

#[cfg(test)]
mod tests;
