//! `metrics.jsonl`: one JSON object per line, appended as training goes; on resume, lines
//! past the checkpoint's step are dropped so the file describes exactly one history.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::TrainError;

pub struct MetricsLog {
    path: PathBuf,
}

impl MetricsLog {
    /// Open `path`, keeping only lines whose `step` is at most `keep_through` (all lines if `None`).
    pub fn open(path: &Path, keep_through: Option<u64>) -> Result<Self, TrainError> {
        let kept: Vec<String> = match std::fs::read_to_string(path) {
            Ok(text) => text
                .lines()
                .filter(|l| {
                    let step = serde_json::from_str::<serde_json::Value>(l)
                        .ok()
                        .and_then(|v| v.get("step").and_then(|s| s.as_u64()));
                    match (step, keep_through) {
                        (Some(s), Some(k)) => s <= k,
                        (Some(_), None) => true,
                        (None, _) => false,
                    }
                })
                .map(String::from)
                .collect(),
            Err(_) => Vec::new(),
        };
        crate::data_file::write_lines_atomic(path, kept.into_iter())?;
        Ok(MetricsLog { path: path.to_path_buf() })
    }

    /// Open `path` for a run that starts from step 0: whatever an earlier run wrote is dropped.
    pub fn fresh(path: &Path) -> Result<Self, TrainError> {
        crate::data_file::write_lines_atomic(path, std::iter::empty::<String>())?;
        Ok(MetricsLog { path: path.to_path_buf() })
    }

    /// `fresh` at step 0, else `open` keeping lines through `step` (a resumed run).
    pub fn for_step(path: &Path, step: u64) -> Result<Self, TrainError> {
        if step == 0 {
            Self::fresh(path)
        } else {
            Self::open(path, Some(step))
        }
    }

    pub fn append(&self, value: &serde_json::Value) -> Result<(), TrainError> {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&self.path)
            .map_err(|e| TrainError::io(&self.path, e))?;
        writeln!(f, "{value}").map_err(|e| TrainError::io(&self.path, e))
    }
}
