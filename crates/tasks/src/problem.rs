//! `Problem`: one problem of any task, as a serde-tagged enum,
//! e.g. `{"task":"mult","a":123,"b":456}` or `{"task":"countdown","numbers":[25,5,4],"target":80}`.
//!
//! Checking a completion depends only on the problem, never on a task's difficulty config, so the
//! per-problem operations live here and every `Task` delegates to them.

use serde::{Deserialize, Serialize};

use crate::countdown::{self, CountdownProblem};
use crate::error::TaskError;
use crate::mult::{self, MultProblem};
use crate::style::TraceStyle;
use crate::verdict::{Checked, StepLabel};

/// One problem of any task.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "task", rename_all = "lowercase")]
pub enum Problem {
    Mult(MultProblem),
    Countdown(CountdownProblem),
}

impl Problem {
    /// Canonical question text: `123*456`, `25 5 4 -> 80`.
    pub fn question(&self) -> String {
        match self {
            Problem::Mult(p) => p.question(),
            Problem::Countdown(p) => p.question(),
        }
    }

    /// Reference answer: the product, or a valid countdown expression
    /// (empty if a countdown problem read from a file has no solution).
    pub fn answer(&self) -> String {
        match self {
            Problem::Mult(p) => p.product().to_string(),
            Problem::Countdown(p) => countdown::reference_answer(p).unwrap_or_default(),
        }
    }

    /// Name of the task this problem belongs to.
    pub fn task_name(&self) -> &'static str {
        match self {
            Problem::Mult(_) => mult::NAME,
            Problem::Countdown(_) => countdown::NAME,
        }
    }

    /// The text the held-out hash is taken over (see `split`).
    pub fn canonical_question(&self) -> String {
        match self {
            Problem::Mult(p) => p.question(),
            Problem::Countdown(p) => p.canonical_question(),
        }
    }

    /// Whether this problem is in the held-out partition.
    pub fn is_held_out(&self) -> bool {
        crate::split::is_held_out_text(&self.canonical_question())
    }

    pub(crate) fn verify(&self, completion: &str) -> Checked {
        match self {
            Problem::Mult(p) => mult::check::verify(p, completion),
            Problem::Countdown(p) => countdown::check::verify(p, completion),
        }
    }

    pub(crate) fn step_labels(&self, completion: &str) -> Vec<StepLabel> {
        match self {
            Problem::Mult(p) => mult::check::step_labels(p, completion),
            Problem::Countdown(p) => countdown::steps::step_labels(p, completion),
        }
    }

    pub(crate) fn answer_key(&self, answer: &str) -> Option<String> {
        match self {
            Problem::Mult(_) => mult::check::answer_key(answer),
            Problem::Countdown(_) => countdown::check::answer_key(answer),
        }
    }

    pub(crate) fn trace_styles(&self) -> &'static [TraceStyle] {
        match self {
            Problem::Mult(_) => mult::TRACE_STYLES,
            Problem::Countdown(_) => countdown::TRACE_STYLES,
        }
    }

    /// Reasoning lines and answer for `style`.
    pub(crate) fn trace(
        &self,
        style: TraceStyle,
        rng: &mut dyn rand::RngCore,
    ) -> Result<(Vec<String>, String), TaskError> {
        if !self.trace_styles().contains(&style) {
            return Err(TaskError::UnsupportedTraceStyle {
                task: self.task_name(),
                style: style.to_string(),
                offered: names(self.trace_styles()),
            });
        }
        match self {
            Problem::Mult(p) => Ok(mult::trace::trace(p, style)),
            Problem::Countdown(p) => countdown::trace(p, style, rng),
        }
    }
}

fn names(styles: &[TraceStyle]) -> String {
    let names: Vec<&str> = styles.iter().map(|s| s.name()).collect();
    names.join(", ")
}
