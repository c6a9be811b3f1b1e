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

/// A verdict together with the raw answer text extracted from the completion, if there was any,
/// and a graded score when the verifier gives one (an external verifier's `{"score": 0..1}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checked {
    pub verdict: Verdict,
    pub answer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
}

impl Checked {
    /// An ungraded verdict.
    pub fn new(verdict: Verdict, answer: Option<String>) -> Checked {
        Checked { verdict, answer, score: None }
    }

    /// The reward this verdict is worth: the graded score when there is one, else 1 for a correct
    /// answer and 0 otherwise.
    pub fn reward(&self) -> f32 {
        self.score.unwrap_or(if self.verdict == Verdict::Correct { 1.0 } else { 0.0 })
    }
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
