//! The `recheck` trace of `add`: a model that overthinks, on purpose.
//!
//! The lecture's picture of overthinking is DeepSeek-R1 re-verifying 123×456 five ways after it
//! already has the answer. This trace is that habit in miniature, so length-aware RL has
//! something to remove (issue 13 §2): the `carry` pass, its result, and then 0 to
//! [`MAX_RECHECKS`] redundant re-verifications (uniform, from the trace's seed), each the whole
//! column sum again with the operands swapped on odd rechecks and in their order on even ones.
//! `457+68` with two rechecks:
//!
//! ```text
//! 7+8=15, write 5 carry 1
//! 5+6+1=12, write 2 carry 1
//! 4+0+1=5, write 5 carry 0
//! sum 525
//! wait, check again: 68+457
//! 8+7=15, write 5 carry 1
//! 6+5+1=12, write 2 carry 1
//! 0+4+1=5, write 5 carry 0
//! sum 525
//! wait, check again: 457+68
//! …
//! sum 525
//! ```
//!
//! Every recheck agrees with the first pass, so none changes the answer: the rechecks cost
//! tokens (on average 1.5 extra passes, so 60% of the thinking) and buy nothing, which is the
//! regime in which the published length penalties report −45% to −53% at equal accuracy.
//! Departure from a real overthinker: its re-verifications vary in method and sometimes catch
//! errors; these are copies of one method that never do.

use rand::{Rng, RngCore};

use super::carry;
use super::AddProblem;
use crate::verdict::StepLabel;

/// Most redundant re-verifications a trace writes.
pub const MAX_RECHECKS: u32 = 3;

/// One column-sum pass over `a+b` and its result line.
fn pass(a: u64, b: u64) -> Vec<String> {
    let p = AddProblem { a, b };
    let mut out = carry::lines(&p);
    out.push(format!("sum {}", p.sum()));
    out
}

/// The trace with `rechecks` redundant re-verifications after the first pass.
pub fn lines_with(p: &AddProblem, rechecks: u32) -> Vec<String> {
    let mut out = pass(p.a, p.b);
    for i in 1..=rechecks {
        let (a, b) = if i % 2 == 1 { (p.b, p.a) } else { (p.a, p.b) };
        out.push(format!("wait, check again: {a}+{b}"));
        out.extend(pass(a, b));
    }
    out
}

/// The trace with a recheck count drawn uniformly from `0..=MAX_RECHECKS`.
pub fn lines(p: &AddProblem, rng: &mut dyn RngCore) -> Vec<String> {
    let rechecks = rng.gen_range(0..=MAX_RECHECKS);
    lines_with(p, rechecks)
}

/// How many re-verifications a completion's reasoning writes (lines opening `wait, check again`).
pub fn count_rechecks(reasoning: &str) -> usize {
    reasoning.lines().filter(|l| l.trim_start().starts_with("wait, check again")).count()
}

/// Step labels of a completion written in this style (one whose reasoning has a `sum` line), or
/// `None` for any other: the reference is this trace with as many rechecks as the completion
/// writes, so a redundant recheck is labelled `Good` while it is right — it costs tokens, it is not
/// a mistake.
pub fn step_labels(p: &AddProblem, completion: &str) -> Option<Vec<StepLabel>> {
    let lines = crate::text::think_lines(completion);
    if !lines.iter().any(|l| l.trim_start().starts_with("sum ")) {
        return None;
    }
    let rechecks = count_rechecks(completion) as u32;
    Some(crate::integer::reference_line_labels(&lines_with(p, rechecks), completion))
}
