//! Task `add`: add two integers column by column, writing each column's digit and carry — the
//! `+` of the lecture's opening examples ("1+1" needs no thinking, "123×456" does), and the
//! worked example of adding a task: this module and one line in `registry.rs`.
//!
//! Operands are drawn as `mult` draws them (digit count uniform in `min_digits..=max_digits`,
//! then uniform among numbers with that many digits); small spaces are enumerated for their
//! held-out partition. The `carry` trace is in [`carry`]; `recheck`, an overthinking variant, in [`recheck`].

pub mod carry;
pub mod recheck;

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
pub const NAME: &str = "add";

/// Column addition from the right, one line per column: `7+8=15, write 5 carry 1`.
pub const CARRY: TraceStyle = TraceStyle::named("carry");

/// The `carry` trace followed by 0–3 redundant re-verifications: an overthinker, for
/// length-aware RL to cure ([`recheck`]).
pub const RECHECK: TraceStyle = TraceStyle::named("recheck");

/// Trace styles `add` offers.
pub const TRACE_STYLES: &[TraceStyle] = &[TraceStyle::DIRECT, CARRY, RECHECK];

/// Most digits per operand: the sum of two 18-digit numbers fits a `u64`.
pub const MAX_DIGITS: u32 = 18;

/// Problem spaces up to this many (a, b) pairs are enumerated to check both partitions exist.
const ENUMERATE_LIMIT: u64 = 200_000;

/// The registry entry.
pub const ENTRY: TaskEntry = TaskEntry {
    name: NAME,
    summary: "a+b with a carry-by-carry trace (`457+68`)",
    trace_styles: TRACE_STYLES,
    config_keys: &["min_digits", "max_digits"],
    config_fields: || config_keys(&AddConfig::default()),
    build: |cfg| Ok(Box::new(AddTask::new(&cfg.read()?)?)),
    problem_from_json: |v| typed_from_json::<AddProblem>(v).map(Problem::new),
    gym: None,
};

/// The supervised-prompt paragraph for `add`.
const INSTRUCTION: &str = "add the two numbers column by column, from the right. in each column \
add the two digits and the carry, write the last digit and carry the rest. the answer is a plain \
integer.";

/// `add`'s difficulty: operand digit counts (the same keys, and so the same flags, as `mult`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddConfig {
    /// Fewest digits per operand (1..=18).
    pub min_digits: u32,
    /// Most digits per operand (min_digits..=18).
    pub max_digits: u32,
}

impl Default for AddConfig {
    fn default() -> Self {
        AddConfig { min_digits: 3, max_digits: 3 }
    }
}

impl TypedConfig for AddConfig {}

/// `a+b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AddProblem {
    pub a: u64,
    pub b: u64,
}

impl AddProblem {
    /// `457+68`.
    pub fn question(&self) -> String {
        format!("{}+{}", self.a, self.b)
    }

    /// The exact sum.
    pub fn sum(&self) -> u128 {
        u128::from(self.a) + u128::from(self.b)
    }
}

/// The `add` task with its digit range.
#[derive(Clone, Debug)]
pub struct AddTask {
    min_digits: u32,
    max_digits: u32,
    partition: Partition,
}

impl AddTask {
    /// Checks the config and probes small spaces for their partitions.
    pub fn new(cfg: &AddConfig) -> Result<Self, TaskError> {
        if !(1..=MAX_DIGITS).contains(&cfg.min_digits) {
            return Err(invalid("min_digits", cfg.min_digits, "must be in 1..=18"));
        }
        if !(cfg.min_digits..=MAX_DIGITS).contains(&cfg.max_digits) {
            return Err(invalid("max_digits", cfg.max_digits, "must be in min_digits..=18"));
        }
        let (min_digits, max_digits) = (cfg.min_digits, cfg.max_digits);
        let question = |a, b| AddProblem { a, b }.question();
        let partition = probe_pair_space(min_digits, max_digits, ENUMERATE_LIMIT, question);
        Ok(AddTask { min_digits, max_digits, partition })
    }

    /// The task for the `add` keys of a run's task config.
    pub fn from_config(cfg: &TaskConfig) -> Result<Self, TaskError> {
        AddTask::new(&cfg.read()?)
    }
}

impl TaskProblem for AddProblem {
    fn task_name(&self) -> &'static str {
        NAME
    }
    fn question(&self) -> String {
        AddProblem::question(self)
    }
    fn answer(&self) -> String {
        self.sum().to_string()
    }
    fn difficulty(&self) -> String {
        format!("{}+{}", self.a.to_string().len(), self.b.to_string().len())
    }
    fn to_json(&self) -> Map<String, Value> {
        fields_of(self)
    }
    fn verify(&self, completion: &str) -> Checked {
        carry::verify(self, completion)
    }
    fn answer_key(&self, answer: &str) -> Option<String> {
        crate::integer::answer_key(answer)
    }
    fn step_labels(&self, completion: &str) -> Option<Vec<StepLabel>> {
        Some(recheck::step_labels(self, completion).unwrap_or_else(|| carry::step_labels(self, completion)))
    }
    fn trace_styles(&self) -> &'static [TraceStyle] {
        TRACE_STYLES
    }
    fn trace(&self, style: TraceStyle, rng: &mut dyn RngCore) -> Result<(Vec<String>, String), TaskError> {
        let lines = match style {
            CARRY => carry::lines(self),
            RECHECK => recheck::lines(self, rng),
            _ => Vec::new(),
        };
        Ok((lines, self.answer()))
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl Task for AddTask {
    fn name(&self) -> &'static str {
        NAME
    }

    fn generate(&self, rng: &mut dyn RngCore, split: Split) -> Problem {
        let draw = |r: &mut dyn RngCore| {
            let a = draw_operand(r, self.min_digits, self.max_digits);
            AddProblem { a, b: draw_operand(r, self.min_digits, self.max_digits) }
        };
        let p = rejection_sample(rng, split, self.partition, draw, |p| is_held_out_text(&p.question()));
        Problem::new(p)
    }

    fn prompt(&self, p: &Problem, style: PromptStyle) -> String {
        let question = p.question();
        let parts = PromptParts { question: &question, instruction: INSTRUCTION };
        prompt::render(style, &parts, || few_shot_examples(self, CARRY))
    }

    fn trace_styles(&self) -> &'static [TraceStyle] {
        TRACE_STYLES
    }

    fn parse_question(&self, text: &str) -> Result<Problem, TaskError> {
        carry::parse_question(text).map(Problem::new)
    }

    fn covers(&self, p: &Problem) -> Result<(), String> {
        let Some(q) = p.downcast_ref::<AddProblem>() else {
            return Err(format!("`{}` is not an addition", p.question()));
        };
        crate::integer::operands_in_range(&[q.a, q.b], self.min_digits, self.max_digits, "sums")
    }
}

#[cfg(test)]
mod tests;
