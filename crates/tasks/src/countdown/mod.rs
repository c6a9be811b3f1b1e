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
pub mod op;
pub mod rational;
pub mod solver;
pub mod steps;
pub mod trace_search;

use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::config::TaskConfig;
use crate::error::TaskError;
use crate::problem::Problem;
use crate::prompt::{self, PromptParts};
use crate::seeded::SplitMix64;
use crate::style::{PromptStyle, Split, TraceStyle};
use crate::task::{few_shot_examples, problem_delegates, Task};
use crate::verdict::{Checked, StepLabel};

use generate::Generator;

/// Task name.
pub const NAME: &str = "countdown";

/// Trace styles countdown offers.
pub const TRACE_STYLES: &[TraceStyle] = &[TraceStyle::Direct, TraceStyle::Optimal, TraceStyle::Search];

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
        TraceStyle::Search => trace_search::search_trace(&values, target, rng),
        _ => trace_search::optimal_trace(&values, target, rng),
    };
    let (lines, answer) = traced.ok_or_else(|| TaskError::Unsolvable { question: p.question() })?;
    let lines = if style == TraceStyle::Direct { Vec::new() } else { lines };
    Ok((lines, answer))
}

/// The countdown task with its generator.
#[derive(Clone, Debug)]
pub struct CountdownTask {
    generator: Generator,
}

impl CountdownTask {
    /// Checks the config and probes its problem space.
    pub fn new(cfg: &TaskConfig) -> Result<Self, TaskError> {
        Ok(CountdownTask { generator: Generator::new(cfg)? })
    }
}

impl Task for CountdownTask {
    fn name(&self) -> &'static str {
        NAME
    }

    fn generate(&self, rng: &mut dyn RngCore, split: Split) -> Problem {
        Problem::Countdown(self.generator.generate(rng, split))
    }

    fn prompt(&self, p: &Problem, style: PromptStyle) -> String {
        let question = p.question();
        let parts = PromptParts { question: &question, instruction: INSTRUCTION };
        prompt::render(style, &parts, || few_shot_examples(self, TraceStyle::Search))
    }

    fn trace_styles(&self) -> &'static [TraceStyle] {
        TRACE_STYLES
    }

    fn parse_question(&self, text: &str) -> Result<Problem, TaskError> {
        check::parse_question(text).map(Problem::Countdown)
    }

    problem_delegates!();
}

#[cfg(test)]
mod tests;
