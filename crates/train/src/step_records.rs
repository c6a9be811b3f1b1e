//! Verifier training data: JSONL in TRL's *stepwise supervision* format (the format of TRL's
//! `PRMTrainer`), one sampled solution per line:
//!
//! `{"prompt": "123*456", "completions": ["123*6=738", …, "</think>\n\n56088"], "labels": [true, …, true], "outcome": true}`
//!
//! `completions` are the reasoning lines, then — if the solution finished — its answer part
//! (starting with `</think>`); `labels` has one label per element (process labels: is the solution
//! still on track after this step). `outcome` (ours, not TRL's) is whether the final answer is
//! right; an outcome verifier trains on it at every step (Cobbe et al. 2021 train their verifier
//! on the final label at every token).

use std::io::Write;
use std::path::Path;

use deepthink_model::ChatTokenizer;
use deepthink_search::verifier_input::{label_ids, verifier_input};
use serde::{Deserialize, Serialize};

use crate::error::TrainError;
use crate::examples::Example;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    pub prompt: String,
    pub completions: Vec<String>,
    pub labels: Vec<bool>,
    pub outcome: bool,
}

impl StepRecord {
    /// Whether the last element is the answer part (the solution finished).
    pub fn complete(&self) -> bool {
        self.completions.last().is_some_and(|s| s.starts_with("</think>"))
    }

    /// The assistant turn these steps spell (starting with `<think>\n`).
    pub fn completion(&self) -> String {
        let mut text = String::from("<think>\n");
        for s in &self.completions {
            if s.starts_with("</think>") {
                text.push_str(s);
            } else {
                text.push_str(s);
                text.push('\n');
            }
        }
        text
    }
}

/// Which labels a verifier learns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VerifierKind {
    /// Outcome reward model: the final verdict at every step.
    Orm,
    /// Process reward model: each step's own label.
    Prm,
}

impl std::str::FromStr for VerifierKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "orm" => Ok(VerifierKind::Orm),
            "prm" => Ok(VerifierKind::Prm),
            other => Err(format!("unknown verifier kind `{other}`; known: orm, prm")),
        }
    }
}

/// One training example: the solution's tokens with a `+`/`-` target at each step's readout.
pub fn verifier_example(tok: &ChatTokenizer, r: &StepRecord, kind: VerifierKind) -> Result<Example, String> {
    let input = verifier_input(tok, &r.prompt, &r.completion(), r.complete()).map_err(|e| e.to_string())?;
    if input.readouts.len() != r.labels.len() {
        return Err(format!(
            "`labels` has {} entries but `completions` has {} non-blank steps",
            r.labels.len(),
            input.readouts.len()
        ));
    }
    let (good, bad) = label_ids(tok).map_err(|e| e.to_string())?;
    let id = |ok: bool| if ok { good } else { bad };
    // Every token of a step carries the step's label (Cobbe et al. 2021 train their verifier at
    // every token): the position where a wrong digit is read gets the signal directly, which a
    // readout at the line's end alone would have to learn to recompute. Inference reads only
    // the step's last position.
    let mut readouts = Vec::new();
    for (k, &label) in r.labels.iter().enumerate() {
        let label = id(if kind == VerifierKind::Orm { r.outcome } else { label });
        readouts.extend(input.step_span(k).map(|pos| (pos, label)));
    }
    Ok(Example { prompt: Vec::new(), completion: input.tokens, readouts })
}

/// Read a stepwise file; a bad line is an error naming the line and what is wrong.
pub fn read_step_records(path: &Path) -> Result<Vec<StepRecord>, TrainError> {
    let text = std::fs::read_to_string(path).map_err(|e| TrainError::io(path, e))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let r: StepRecord = serde_json::from_str(line).map_err(|e| TrainError::Data {
            path: path.to_path_buf(),
            line: i + 1,
            msg: e.to_string(),
        })?;
        if r.labels.len() != r.completions.len() {
            return Err(TrainError::Data {
                path: path.to_path_buf(),
                line: i + 1,
                msg: format!("`labels` has {} entries, `completions` {}", r.labels.len(), r.completions.len()),
            });
        }
        out.push(r);
    }
    Ok(out)
}

/// Write records atomically (temp file, then rename).
pub fn write_step_records(path: &Path, records: &[StepRecord]) -> Result<(), TrainError> {
    let mut buf = Vec::new();
    for r in records {
        serde_json::to_writer(&mut buf, r).map_err(|e| TrainError::Config(e.to_string()))?;
        buf.write_all(b"\n").map_err(|e| TrainError::io(path, e))?;
    }
    deepthink_model::fsutil::write_atomic(path, &buf)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_round_trips_to_its_completion_and_one_target_per_step() {
        let r = StepRecord {
            prompt: "12*3".into(),
            completions: vec!["12*3=36".into(), "check 36".into(), "</think>\n\n36".into()],
            labels: vec![true, false, false],
            outcome: true,
        };
        assert!(r.complete());
        assert_eq!(r.completion(), "<think>\n12*3=36\ncheck 36\n</think>\n\n36");
        let tok = ChatTokenizer::char_level().unwrap();
        let (good, bad) = label_ids(&tok).unwrap();
        let prm = verifier_example(&tok, &r, VerifierKind::Prm).unwrap();
        // one target per token of each step: "12*3=36\n" (8), "check 36\n" (9), `</think>` (one token) "\n\n36" + end (6)
        let labels: Vec<u32> = prm.readouts.iter().map(|r| r.1).collect();
        assert_eq!(labels.len(), 8 + 9 + 6);
        assert!(labels[..8].iter().all(|&l| l == good) && labels[8..].iter().all(|&l| l == bad));
        assert_eq!(prm.readouts.last().unwrap().0, prm.completion.len() - 1);
        let orm = verifier_example(&tok, &r, VerifierKind::Orm).unwrap();
        assert!(orm.readouts.iter().all(|r| r.1 == good));
        let bad_len = StepRecord { labels: vec![true], ..r };
        assert!(verifier_example(&tok, &bad_len, VerifierKind::Prm).unwrap_err().contains("`labels`"));
    }
}
