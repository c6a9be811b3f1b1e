//! Task `countdown`: reach a target from a few numbers with `+ - * /`, using every number exactly
//! once — the game Stream of Search (Gandhi et al. 2024) and TinyZero train on.
//!
//! Question text: `25 5 4 -> 80`; answer: an infix expression such as `(25-5)*4`.
//! Rules differ on purpose: generators and reference traces keep every intermediate a positive
//! integer (`solver::Rules::Trace`), while the verifier accepts any expression equal to the target
//! with exact divisions (`check`). Held-out membership hashes the question with the numbers sorted
//! ascending ([`CountdownProblem::canonical_question`]), so reorderings of one problem share a
//! partition; generated problems present their numbers in random order.

pub mod check;
pub mod expr;
pub mod generate;
mod gym;
pub mod op;
pub mod rational;
pub mod solver;
pub mod steps;
pub mod trace_search;

use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::config::{config_keys, invalid, TaskConfig, TypedConfig};
use crate::entry::{GymFormat, TaskEntry};
use crate::error::TaskError;
use crate::problem::{fields_of, typed_from_json, Problem, TaskProblem};
use crate::prompt::{self, PromptParts};
use crate::seeded::SplitMix64;
use crate::style::{PromptStyle, Split};
use crate::task::{few_shot_examples, Task};
use crate::trace_style::TraceStyle;
use crate::verdict::{Checked, StepLabel};

use generate::Generator;

/// Task name.
pub const NAME: &str = "countdown";

/// The solution path only.
pub const OPTIMAL: TraceStyle = TraceStyle::named("optimal");
/// Depth-first search with dead ends and backtracking (Stream of Search).
pub const SEARCH: TraceStyle = TraceStyle::named("search");

/// `search` with revisits of failed states marked `seen` and not explored again.
pub const VISITED: TraceStyle = TraceStyle::named("visited");
/// `visited`, kept only when the search itself reaches the goal within its node budget
/// (rejection sampling of the search: no solver path appended).
pub const FOUND: TraceStyle = TraceStyle::named("found");
/// `visited` with every stream kept as it ran, as Stream of Search trains: a search that runs out
/// of budget ends there and answers `none` (no solver path appended).
pub const STREAM: TraceStyle = TraceStyle::named("stream");

/// Trace styles countdown offers (the last is the worked style a base corpus shows).
pub const TRACE_STYLES: &[TraceStyle] = &[TraceStyle::DIRECT, OPTIMAL, SEARCH, FOUND, STREAM, VISITED];

/// The registry entry.
pub const ENTRY: TaskEntry = TaskEntry {
    name: NAME,
    summary: "reach a target with + - * /, each number once (`25 5 4 -> 80`)",
    trace_styles: TRACE_STYLES,
    config_keys: &["countdown_numbers", "countdown_max_value", "countdown_min_target", "countdown_max_target"],
    config_fields: || config_keys(&CountdownConfig::default()),
    build: |cfg| Ok(Box::new(CountdownTask::from_config(cfg)?)),
    problem_from_json: |v| {
        let p: CountdownProblem = typed_from_json(v)?;
        p.check()?;
        Ok(Problem::new(p))
    },
    gym: Some(GymFormat { dataset: "countdown", claim: gym::claim, read: gym::read }),
};

/// countdown's difficulty. The keys carry the task's name because a run's task config is one
/// bag shared with every task's flags.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CountdownConfig {
    /// How many numbers (2..=5).
    pub countdown_numbers: usize,
    /// Numbers are drawn from 1..=countdown_max_value.
    pub countdown_max_value: u32,
    /// Smallest target (>= 1).
    pub countdown_min_target: u32,
    /// Largest target.
    pub countdown_max_target: u32,
}

impl Default for CountdownConfig {
    fn default() -> Self {
        CountdownConfig {
            countdown_numbers: 3,
            countdown_max_value: 30,
            countdown_min_target: 10,
            countdown_max_target: 100,
        }
    }
}

impl TypedConfig for CountdownConfig {}

impl CountdownConfig {
    /// Checks every field's range.
    pub fn check(&self) -> Result<(), TaskError> {
        if !(2..=5).contains(&self.countdown_numbers) {
            let n = self.countdown_numbers;
            return Err(invalid("countdown_numbers", n, "must be in 2..=5"));
        }
        if !(1..=10_000).contains(&self.countdown_max_value) {
            let v = self.countdown_max_value;
            return Err(invalid("countdown_max_value", v, "must be in 1..=10000"));
        }
        if self.countdown_min_target < 1 {
            let t = self.countdown_min_target;
            return Err(invalid("countdown_min_target", t, "must be at least 1"));
        }
        if self.countdown_max_target < self.countdown_min_target {
            let t = self.countdown_max_target;
            return Err(invalid("countdown_max_target", t, "must be >= countdown_min_target"));
        }
        Ok(())
    }
}

/// Most numbers a problem may have (the exact solver is exponential in it).
pub const MAX_NUMBERS: usize = 6;

/// The supervised-prompt paragraph for countdown.
const INSTRUCTION: &str = "the numbers before -> must make the number after it. use every number \
exactly once, with + - * / and parentheses. a division must come out even. combine two numbers \
per line, like 25-5=20, and list the numbers left. if a path cannot work, say no, go back to an \
earlier list and try another way. the answer is one expression, like (25-5)*4.";

/// Reach `target` from `numbers`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CountdownProblem {
    pub numbers: Vec<u32>,
    pub target: u32,
}

impl CountdownProblem {
    /// `25 5 4 -> 80`.
    pub fn question(&self) -> String {
        let nums: Vec<String> = self.numbers.iter().map(u32::to_string).collect();
        format!("{} -> {}", nums.join(" "), self.target)
    }

    /// The question with the numbers sorted ascending: what the held-out hash is taken over.
    pub fn canonical_question(&self) -> String {
        let mut p = self.clone();
        p.numbers.sort_unstable();
        p.question()
    }

    /// Checks the shape of a problem read from outside.
    pub fn check(&self) -> Result<(), String> {
        let n = self.numbers.len();
        if !(1..=MAX_NUMBERS).contains(&n) {
            return Err(format!("field `numbers` must hold 1..={MAX_NUMBERS} numbers, got {n}"));
        }
        Ok(())
    }

    fn values(&self) -> Vec<i64> {
        self.numbers.iter().map(|&n| i64::from(n)).collect()
    }
}

/// One valid answer expression, or `None` if the problem has no solution.
pub fn reference_answer(p: &CountdownProblem) -> Option<String> {
    let mut rng = SplitMix64::new(0);
    trace_search::optimal_trace(&p.values(), i64::from(p.target), &mut rng).map(|(_, a)| a)
}

/// Reasoning lines and answer for a countdown trace style.
pub fn trace(
    p: &CountdownProblem,
    style: TraceStyle,
    rng: &mut dyn RngCore,
) -> Result<(Vec<String>, String), TaskError> {
    let (values, target) = (p.values(), i64::from(p.target));
    let traced = match style {
        SEARCH => trace_search::search_trace(&values, target, rng),
        VISITED => trace_search::visited_trace(&values, target, rng),
        FOUND => match trace_search::traced_search(&values, target, rng, true) {
            Some((_, _, false)) => {
                return Err(TaskError::Rejected {
                    style: style.to_string(),
                    question: p.question(),
                    reason: "the search did not reach the target within its node budget",
                })
            }
            found => found.map(|(lines, answer, _)| (lines, answer)),
        },
        STREAM => Some(trace_search::stream_trace(&values, target, rng)),
        _ => trace_search::optimal_trace(&values, target, rng),
    };
    let (lines, answer) = traced.ok_or_else(|| TaskError::Unsolvable { question: p.question() })?;
    let lines = if style == TraceStyle::DIRECT { Vec::new() } else { lines };
    Ok((lines, answer))
}

/// The countdown task with its generator.
#[derive(Clone, Debug)]
pub struct CountdownTask {
    generator: Generator,
}

impl CountdownTask {
    /// Checks the config and probes its problem space.
    pub fn new(cfg: &CountdownConfig) -> Result<Self, TaskError> {
        Ok(CountdownTask { generator: Generator::new(cfg)? })
    }

    /// The task for the countdown keys of a run's task config.
    pub fn from_config(cfg: &TaskConfig) -> Result<Self, TaskError> {
        CountdownTask::new(&cfg.read()?)
    }
}

impl TaskProblem for CountdownProblem {
    fn task_name(&self) -> &'static str {
        NAME
    }
    fn question(&self) -> String {
        CountdownProblem::question(self)
    }
    fn canonical_question(&self) -> String {
        CountdownProblem::canonical_question(self)
    }
    fn answer(&self) -> String {
        reference_answer(self).unwrap_or_default()
    }
    fn difficulty(&self) -> String {
        format!("{} numbers", self.numbers.len())
    }
    fn to_json(&self) -> Map<String, Value> {
        fields_of(self)
    }
    fn verify(&self, completion: &str) -> Checked {
        check::verify(self, completion)
    }
    fn answer_key(&self, answer: &str) -> Option<String> {
        check::answer_key(answer)
    }
    fn step_labels(&self, completion: &str) -> Option<Vec<StepLabel>> {
        Some(steps::step_labels(self, completion))
    }
    fn trace_styles(&self) -> &'static [TraceStyle] {
        TRACE_STYLES
    }
    fn trace(&self, style: TraceStyle, rng: &mut dyn RngCore) -> Result<(Vec<String>, String), TaskError> {
        trace(self, style, rng)
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl Task for CountdownTask {
    fn name(&self) -> &'static str {
        NAME
    }

    fn generate(&self, rng: &mut dyn RngCore, split: Split) -> Problem {
        Problem::new(self.generator.generate(rng, split))
    }

    fn prompt(&self, p: &Problem, style: PromptStyle) -> String {
        let question = p.question();
        let parts = PromptParts { question: &question, instruction: INSTRUCTION };
        prompt::render(style, &parts, || few_shot_examples(self, SEARCH))
    }

    fn trace_styles(&self) -> &'static [TraceStyle] {
        TRACE_STYLES
    }

    fn parse_question(&self, text: &str) -> Result<Problem, TaskError> {
        check::parse_question(text).map(Problem::new)
    }
}

#[cfg(test)]
mod tests;
