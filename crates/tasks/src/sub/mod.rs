//! Task `sub`: subtract two integers column by column, writing each column's digit and borrow —
//! the `−` of the generalist default model (issue 13), negative results included: when the
//! second operand is larger, the trace says so, subtracts the other way round and negates.
//!
//! Operands are drawn as `add` draws them; small spaces are enumerated for their held-out
//! partition. The `borrow` trace is in [`borrow`].

pub mod borrow;

use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::config::{config_keys, invalid, TaskConfig, TypedConfig};
use crate::entry::TaskEntry;
use crate::error::TaskError;
use crate::integer::{draw_operand, probe_pair_space};
use crate::problem::{fields_of, typed_from_json, Problem, TaskProblem};
use crate::prompt::{self, PromptParts};
use crate::split::{is_held_out_text, rejection_sample, Partition};
use crate::style::{PromptStyle, Split};
use crate::task::{few_shot_examples, Task};
use crate::trace_style::TraceStyle;
use crate::verdict::{Checked, StepLabel};

/// Task name.
pub const NAME: &str = "sub";

/// Column subtraction from the right, one line per column: `13-8=5, write 5 borrow 1`.
pub const BORROW: TraceStyle = TraceStyle::named("borrow");

/// Trace styles `sub` offers.
pub const TRACE_STYLES: &[TraceStyle] = &[TraceStyle::DIRECT, BORROW];

/// Most digits per operand.
pub const MAX_DIGITS: u32 = 18;

/// Problem spaces up to this many (a, b) pairs are enumerated to check both partitions exist.
const ENUMERATE_LIMIT: u64 = 200_000;

/// The registry entry.
pub const ENTRY: TaskEntry = TaskEntry {
    name: NAME,
    summary: "a-b, negative results included, with a borrow-by-borrow trace (`503-68`, `68-503`)",
    trace_styles: TRACE_STYLES,
    config_keys: &["min_digits", "max_digits"],
    config_fields: || config_keys(&SubConfig::default()),
    build: |cfg| Ok(Box::new(SubTask::new(&cfg.read()?)?)),
    problem_from_json: |v| typed_from_json::<SubProblem>(v).map(Problem::new),
    gym: None,
};

/// The supervised-prompt paragraph for `sub`.
const INSTRUCTION: &str = "if the second number is larger, subtract the other way round and make \
the answer negative. subtract column by column, from the right. in each column take the second \
digit and the borrow from the first. if that goes below zero, add ten and borrow one. the answer \
is a plain integer, with a minus sign when it is negative.";

/// `sub`'s difficulty: operand digit counts (the same keys, and so the same flags, as `mult`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SubConfig {
    /// Fewest digits per operand (1..=18).
    pub min_digits: u32,
    /// Most digits per operand (min_digits..=18).
    pub max_digits: u32,
}

impl Default for SubConfig {
    fn default() -> Self {
        SubConfig { min_digits: 3, max_digits: 3 }
    }
}

impl TypedConfig for SubConfig {}

/// `a-b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SubProblem {
    pub a: u64,
    pub b: u64,
}

impl SubProblem {
    /// `503-68`.
    pub fn question(&self) -> String {
        format!("{}-{}", self.a, self.b)
    }

    /// The exact difference.
    pub fn difference(&self) -> i128 {
        i128::from(self.a) - i128::from(self.b)
    }
}

/// The `sub` task with its digit range.
#[derive(Clone, Debug)]
pub struct SubTask {
    min_digits: u32,
    max_digits: u32,
    partition: Partition,
}

impl SubTask {
    /// Checks the config and probes small spaces for their partitions.
    pub fn new(cfg: &SubConfig) -> Result<Self, TaskError> {
        if !(1..=MAX_DIGITS).contains(&cfg.min_digits) {
            return Err(invalid("min_digits", cfg.min_digits, "must be in 1..=18"));
        }
        if !(cfg.min_digits..=MAX_DIGITS).contains(&cfg.max_digits) {
            return Err(invalid("max_digits", cfg.max_digits, "must be in min_digits..=18"));
        }
        let (min_digits, max_digits) = (cfg.min_digits, cfg.max_digits);
        let question = |a, b| SubProblem { a, b }.question();
        let partition = probe_pair_space(min_digits, max_digits, ENUMERATE_LIMIT, question);
        Ok(SubTask { min_digits, max_digits, partition })
    }

    /// The task for the `sub` keys of a run's task config.
    pub fn from_config(cfg: &TaskConfig) -> Result<Self, TaskError> {
        SubTask::new(&cfg.read()?)
    }
}

impl TaskProblem for SubProblem {
    fn task_name(&self) -> &'static str {
        NAME
    }
    fn question(&self) -> String {
        SubProblem::question(self)
    }
    fn answer(&self) -> String {
        self.difference().to_string()
    }
    fn difficulty(&self) -> String {
        format!("{}-{}", self.a.to_string().len(), self.b.to_string().len())
    }
    fn to_json(&self) -> Map<String, Value> {
        fields_of(self)
    }
    fn verify(&self, completion: &str) -> Checked {
        borrow::verify(self, completion)
    }
    fn answer_key(&self, answer: &str) -> Option<String> {
        crate::integer::answer_key(answer)
    }
    fn step_labels(&self, completion: &str) -> Option<Vec<StepLabel>> {
        Some(borrow::step_labels(self, completion))
    }
    fn trace_styles(&self) -> &'static [TraceStyle] {
        TRACE_STYLES
    }
    fn trace(&self, style: TraceStyle, _rng: &mut dyn RngCore) -> Result<(Vec<String>, String), TaskError> {
        let lines = if style == BORROW { borrow::lines(self) } else { Vec::new() };
        Ok((lines, self.answer()))
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl Task for SubTask {
    fn name(&self) -> &'static str {
        NAME
    }

    fn generate(&self, rng: &mut dyn RngCore, split: Split) -> Problem {
        let draw = |r: &mut dyn RngCore| {
            let a = draw_operand(r, self.min_digits, self.max_digits);
            SubProblem { a, b: draw_operand(r, self.min_digits, self.max_digits) }
        };
        let p = rejection_sample(rng, split, self.partition, draw, |p| is_held_out_text(&p.question()));
        Problem::new(p)
    }

    fn prompt(&self, p: &Problem, style: PromptStyle) -> String {
        let question = p.question();
        let parts = PromptParts { question: &question, instruction: INSTRUCTION };
        prompt::render(style, &parts, || few_shot_examples(self, BORROW))
    }

    fn trace_styles(&self) -> &'static [TraceStyle] {
        TRACE_STYLES
    }

    fn parse_question(&self, text: &str) -> Result<Problem, TaskError> {
        borrow::parse_question(text).map(Problem::new)
    }

    fn covers(&self, p: &Problem) -> Result<(), String> {
        let Some(q) = p.downcast_ref::<SubProblem>() else {
            return Err(format!("`{}` is not a subtraction", p.question()));
        };
        crate::integer::operands_in_range(&[q.a, q.b], self.min_digits, self.max_digits, "differences")
    }
}

#[cfg(test)]
mod tests;
