//! Outcomes of checking a completion: the final-answer verdict and per-line step labels.

use serde::{Deserialize, Serialize};

/// Outcome of checking a final answer. Evaluation reports all three, not just right/wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Well-formed and right.
    Correct,
    /// Well-formed but wrong, or illegal (e.g. a countdown number used twice).
    Wrong,
    /// Missing, malformed or truncated answer.
    NoAnswer,
}

/// A verdict together with the raw answer text extracted from the completion, if there was any.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checked {
    pub verdict: Verdict,
    pub answer: Option<String>,
}

/// Ground-truth label of one reasoning line, for process verifiers (PRMs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepLabel {
    /// The state reached by this line can still lead to the right answer.
    Good,
    /// It cannot (a wrong step, an unparseable line, or a dead end).
    Bad,
}
