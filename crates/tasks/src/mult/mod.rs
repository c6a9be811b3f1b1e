//! Task `mult`: multiply two integers, the task TinyZero and the "multiplication from scratch"
//! measurement (shared/notes/mult-feasibility.md) train on.
//!
//! Each operand's digit count is uniform in `min_digits..=max_digits`, and the operand uniform among
//! numbers with exactly that many digits (no leading zero; 1-digit operands are 1..=9).
//! Spaces of at most [`ENUMERATE_LIMIT`] pairs are enumerated once to learn whether they have any
//! held-out problem; if not (possible for 1-digit products), `Split::Test` draws from the whole space.

pub mod check;
pub mod explain;
pub mod trace;

use rand::{Rng, RngCore};
use serde::{Deserialize, Serialize};

use crate::config::TaskConfig;
use crate::error::TaskError;
use crate::problem::Problem;
use crate::prompt::{self, PromptParts};
use crate::split::{is_held_out_text, rejection_sample, Partition};
use crate::style::{PromptStyle, Split, TraceStyle};
use crate::task::{few_shot_examples, problem_delegates, Task};
use crate::verdict::{Checked, StepLabel};

/// Task name.
pub const NAME: &str = "mult";

/// Trace styles `mult` offers.
pub const TRACE_STYLES: &[TraceStyle] = &[TraceStyle::Direct, TraceStyle::Compact, TraceStyle::Cot];

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
    partition: Partition,
}

impl MultTask {
    /// Checks the config and probes small spaces for their partitions.
    pub fn new(cfg: &TaskConfig) -> Result<Self, TaskError> {
        cfg.check_mult()?;
        let (min_digits, max_digits) = (cfg.min_digits, cfg.max_digits);
        Ok(MultTask { min_digits, max_digits, partition: probe_partition(min_digits, max_digits) })
    }

    fn draw(&self, rng: &mut dyn RngCore) -> MultProblem {
        let operand = |rng: &mut dyn RngCore| {
            let digits = rng.gen_range(self.min_digits..=self.max_digits);
            let (lo, hi) = operand_range(digits);
            rng.gen_range(lo..=hi)
        };
        let a = operand(rng);
        let b = operand(rng);
        MultProblem { a, b }
    }
}

/// Smallest and largest number with exactly `digits` digits (1-digit: 1..=9).
fn operand_range(digits: u32) -> (u64, u64) {
    let hi = 10u64.saturating_pow(digits) - 1;
    (10u64.saturating_pow(digits.saturating_sub(1)), hi)
}

/// Which partitions a digit range has: enumerated when small, otherwise assumed both.
fn probe_partition(min_digits: u32, max_digits: u32) -> Partition {
    let operands: Vec<(u64, u64)> = (min_digits..=max_digits).map(operand_range).collect();
    let per_side: u64 = operands.iter().map(|(lo, hi)| hi - lo + 1).sum();
    if per_side.saturating_mul(per_side) > ENUMERATE_LIMIT {
        return Partition::BOTH;
    }
    let mut part = Partition { has_train: false, has_test: false };
    for &(alo, ahi) in &operands {
        for a in alo..=ahi {
            for &(blo, bhi) in &operands {
                for b in blo..=bhi {
                    if is_held_out_text(&MultProblem { a, b }.question()) {
                        part.has_test = true;
                    } else {
                        part.has_train = true;
                    }
                }
            }
        }
    }
    part
}

impl Task for MultTask {
    fn name(&self) -> &'static str {
        NAME
    }

    fn generate(&self, rng: &mut dyn RngCore, split: Split) -> Problem {
        let p = rejection_sample(rng, split, self.partition, |r| self.draw(r), |p| is_held_out_text(&p.question()));
        Problem::Mult(p)
    }

    fn prompt(&self, p: &Problem, style: PromptStyle) -> String {
        let question = p.question();
        let parts = PromptParts { question: &question, instruction: INSTRUCTION };
        prompt::render(style, &parts, || few_shot_examples(self, TraceStyle::Cot))
    }

    fn trace_styles(&self) -> &'static [TraceStyle] {
        TRACE_STYLES
    }

    fn parse_question(&self, text: &str) -> Result<Problem, TaskError> {
        check::parse_question(text).map(Problem::Mult)
    }

    problem_delegates!();
}

#[cfg(test)]
mod tests;
