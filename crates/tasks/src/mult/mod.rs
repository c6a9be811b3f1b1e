//! Task `mult`: multiply two integers, the task TinyZero and the "multiplication from scratch"
//! measurement (docs/background/mult-feasibility.md) train on.
//!
//! Each operand's digit count is uniform in `min_digits..=max_digits`, and the operand uniform among
//! numbers with exactly that many digits (no leading zero; 1-digit operands are 1..=9).
//! Spaces of at most [`ENUMERATE_LIMIT`] pairs are enumerated once to learn whether they have any
//! held-out problem; if not (possible for 1-digit products), `Split::Test` draws from the whole space.

pub mod check;
pub mod explain;
mod gym;
pub mod long;
pub mod trace;

use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::config::{config_keys, invalid, TaskConfig, TypedConfig};
use crate::entry::{GymFormat, TaskEntry};
use crate::error::TaskError;
use crate::integer::{draw_operand, probe_pair_space};
use crate::problem::{fields_of, typed_from_json, Problem, TaskProblem};
use crate::prompt::{self, PromptParts};
use crate::split::{is_held_out_text, rejection_sample, Partition};
use crate::style::{PromptStyle, Split};
use crate::task::{few_shot_examples, Explanation, Task};
use crate::trace_style::TraceStyle;
use crate::verdict::{Checked, StepLabel};

/// Task name.
pub const NAME: &str = "mult";

/// A machine-friendly, fixed-width trace: partial products and running sums, LSD first.
pub const COMPACT: TraceStyle = TraceStyle::named("compact");
/// A human-readable long multiplication with a check.
pub const COT: TraceStyle = TraceStyle::named("cot");

/// Long multiplication a person can read, done least-significant digit first, with a check.
pub const LONG: TraceStyle = TraceStyle::named("long");

/// Trace styles `mult` offers.
pub const TRACE_STYLES: &[TraceStyle] = &[TraceStyle::DIRECT, COMPACT, COT, LONG];

/// The registry entry.
pub const ENTRY: TaskEntry = TaskEntry {
    name: NAME,
    summary: "a×b with 1–9 digit operands (`123*456`)",
    trace_styles: TRACE_STYLES,
    config_keys: &["min_digits", "max_digits", "mistake_rate"],
    config_fields: || config_keys(&MultConfig::default()),
    build: |cfg| Ok(Box::new(MultTask::from_config(cfg)?)),
    problem_from_json: |v| typed_from_json::<MultProblem>(v).map(Problem::new),
    gym: Some(GymFormat { dataset: "products", claim: gym::claim, read: gym::read }),
};

/// `mult`'s difficulty (operand digit counts) and how often a `long` trace carries a corrected slip.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MultConfig {
    /// Fewest digits per operand (1..=9).
    pub min_digits: u32,
    /// Most digits per operand (min_digits..=9).
    pub max_digits: u32,
    /// Share of `long` traces with one deliberate slip that the check catches and a redo fixes
    /// (0..=1; see [`long`]).
    pub mistake_rate: f64,
}

impl Default for MultConfig {
    fn default() -> Self {
        MultConfig { min_digits: 3, max_digits: 3, mistake_rate: 0.0 }
    }
}

impl TypedConfig for MultConfig {}

impl MultConfig {
    /// Checks the digit range.
    pub fn check(&self) -> Result<(), TaskError> {
        if !(1..=9).contains(&self.min_digits) {
            return Err(invalid("min_digits", self.min_digits, "must be in 1..=9"));
        }
        if !(self.min_digits..=9).contains(&self.max_digits) {
            return Err(invalid("max_digits", self.max_digits, "must be in min_digits..=9"));
        }
        if !(0.0..=1.0).contains(&self.mistake_rate) {
            return Err(invalid("mistake_rate", self.mistake_rate, "must be in 0..=1"));
        }
        Ok(())
    }
}

/// Problem spaces up to this many (a, b) pairs are enumerated to check both partitions exist.
pub const ENUMERATE_LIMIT: u64 = 200_000;

/// The supervised-prompt paragraph for `mult`.
const INSTRUCTION: &str = "multiply the two numbers. note how many digits each has. multiply the \
first number by each digit of the second, shifted by its place value, then add the partial \
products one at a time. check the last digit of the result. the answer is a plain integer.";

/// `a*b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MultProblem {
    pub a: u64,
    pub b: u64,
}

impl MultProblem {
    /// `123*456`.
    pub fn question(&self) -> String {
        format!("{}*{}", self.a, self.b)
    }

    /// The exact product (never overflows: `u64::MAX² < u128::MAX`).
    pub fn product(&self) -> u128 {
        u128::from(self.a) * u128::from(self.b)
    }
}

/// The `mult` task with its digit range.
#[derive(Clone, Debug)]
pub struct MultTask {
    min_digits: u32,
    max_digits: u32,
    mistake_rate: f64,
    partition: Partition,
}

impl MultTask {
    /// Checks the config and probes small spaces for their partitions.
    pub fn new(cfg: &MultConfig) -> Result<Self, TaskError> {
        cfg.check()?;
        let (min_digits, max_digits) = (cfg.min_digits, cfg.max_digits);
        let partition = probe_partition(min_digits, max_digits);
        Ok(MultTask { min_digits, max_digits, mistake_rate: cfg.mistake_rate, partition })
    }

    /// The task for the `mult` keys of a run's task config.
    pub fn from_config(cfg: &TaskConfig) -> Result<Self, TaskError> {
        MultTask::new(&cfg.read()?)
    }

    fn draw(&self, rng: &mut dyn RngCore) -> MultProblem {
        let a = draw_operand(rng, self.min_digits, self.max_digits);
        let b = draw_operand(rng, self.min_digits, self.max_digits);
        MultProblem { a, b }
    }
}

/// Which partitions a digit range has: enumerated when small, otherwise assumed both.
fn probe_partition(min_digits: u32, max_digits: u32) -> Partition {
    probe_pair_space(min_digits, max_digits, ENUMERATE_LIMIT, |a, b| MultProblem { a, b }.question())
}

impl TaskProblem for MultProblem {
    fn task_name(&self) -> &'static str {
        NAME
    }
    fn question(&self) -> String {
        MultProblem::question(self)
    }
    fn answer(&self) -> String {
        self.product().to_string()
    }
    fn difficulty(&self) -> String {
        format!("{}x{}", self.a.to_string().len(), self.b.to_string().len())
    }
    fn to_json(&self) -> Map<String, Value> {
        fields_of(self)
    }
    fn verify(&self, completion: &str) -> Checked {
        check::verify(self, completion)
    }
    fn answer_key(&self, answer: &str) -> Option<String> {
        crate::integer::answer_key(answer)
    }
    fn step_labels(&self, completion: &str) -> Option<Vec<StepLabel>> {
        Some(check::step_labels(self, completion))
    }
    fn trace_styles(&self) -> &'static [TraceStyle] {
        TRACE_STYLES
    }
    fn trace(&self, style: TraceStyle, _rng: &mut dyn RngCore) -> Result<(Vec<String>, String), TaskError> {
        Ok(trace::trace(self, style))
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl Task for MultTask {
    fn name(&self) -> &'static str {
        NAME
    }

    /// `cot`, the trace the R1-Zero base corpus was measured with (docs/r1-zero.md). `long`, added
    /// after it, comes last in the list, and the default rule would have silently changed that
    /// corpus (and `recipes/r1-zero.toml`'s base) to it.
    fn worked_style(&self) -> TraceStyle {
        COT
    }

    fn generate(&self, rng: &mut dyn RngCore, split: Split) -> Problem {
        let p = rejection_sample(rng, split, self.partition, |r| self.draw(r), |p| is_held_out_text(&p.question()));
        Problem::new(p)
    }

    fn prompt(&self, p: &Problem, style: PromptStyle) -> String {
        let question = p.question();
        let parts = PromptParts { question: &question, instruction: INSTRUCTION };
        prompt::render(style, &parts, || few_shot_examples(self, COT))
    }

    fn trace_styles(&self) -> &'static [TraceStyle] {
        TRACE_STYLES
    }

    fn completion(&self, p: &Problem, style: TraceStyle, rng: &mut dyn RngCore) -> Result<String, TaskError> {
        if let (LONG, Some(m)) = (style, p.downcast_ref::<MultProblem>()) {
            if self.mistake_rate > 0.0 && rand::Rng::gen_bool(rng, self.mistake_rate) {
                let lines = long::long_lines_with_mistake(m, rng);
                return Ok(crate::text::render_completion(&lines, &m.product().to_string()));
            }
        }
        let (lines, answer) = p.trace(style, rng)?;
        Ok(crate::text::render_completion(&lines, &answer))
    }

    fn parse_question(&self, text: &str) -> Result<Problem, TaskError> {
        check::parse_question(text).map(Problem::new)
    }

    fn covers(&self, p: &Problem) -> Result<(), String> {
        let Some(m) = p.downcast_ref::<MultProblem>() else {
            return Err(format!("`{}` is not a mult problem", p.question()));
        };
        crate::integer::operands_in_range(&[m.a, m.b], self.min_digits, self.max_digits, "products")
    }

    fn explain(&self, p: &Problem, completion: &str) -> Option<Explanation> {
        let m = p.downcast_ref::<MultProblem>()?;
        let lines = crate::text::think_lines(completion);
        let compact = lines.first().is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()));
        compact.then(|| Explanation {
            hint: "numbers in this reasoning are written least-significant digit first; --explain reads them out",
            glosses: explain::explain_compact(m, &lines),
        })
    }
}

#[cfg(test)]
mod tests;
