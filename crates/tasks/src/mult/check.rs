//! Verifier, answer normalisation, step labels and question parsing for `mult`.

use crate::error::TaskError;
use crate::text::think_lines;
use crate::verdict::{Checked, StepLabel};

pub use crate::integer::answer_key;
use crate::integer::check_integer_answer;

use super::long::long_lines;
use super::trace::{compact_lines, cot_lines};
use super::MultProblem;

/// `Correct` iff the single-line answer after `</think>` is a plain integer (optional `-`,
/// leading zeros allowed) equal to the product; non-integers and malformed turns are `NoAnswer`.
pub fn verify(p: &MultProblem, completion: &str) -> Checked {
    check_integer_answer(completion, p.product())
}

/// One label per reasoning line: `Good` while every line so far equals the reference line at its
/// position (spaces ignored), `Bad` from the first mismatch, missing or extra line on. The format
/// (compact, cot or long) is recognised from the first line: all digits means compact, a `:`
/// long, anything else cot.
pub fn step_labels(p: &MultProblem, completion: &str) -> Vec<StepLabel> {
    let lines = think_lines(completion);
    let first = lines.first().copied().unwrap_or_default();
    let expected = if first.bytes().all(|b| b.is_ascii_digit()) {
        compact_lines(p)
    } else if first.contains(':') {
        long_lines(p)
    } else {
        cot_lines(p)
    };
    let mut ok = true;
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            ok = ok && expected.get(i).is_some_and(|e| same_step(e, line));
            if ok {
                StepLabel::Good
            } else {
                StepLabel::Bad
            }
        })
        .collect()
}

fn same_step(expected: &str, line: &str) -> bool {
    let squeeze = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace()).collect() };
    squeeze(expected) == squeeze(line).to_lowercase()
}

/// Reads `123*456` (spaces anywhere, `x` or `×` for `*`, a trailing `=` or `=?` allowed).
pub fn parse_question(text: &str) -> Result<MultProblem, TaskError> {
    let err = |reason: &str| TaskError::BadQuestion {
        task: super::NAME,
        input: text.to_string(),
        reason: reason.to_string(),
    };
    let squeezed: String =
        text.chars().filter(|c| !c.is_whitespace()).map(|c| if c == 'x' || c == '×' { '*' } else { c }).collect();
    let body = squeezed.trim_end_matches('?').trim_end_matches('=');
    let (a, b) = body.split_once('*').ok_or_else(|| err("expected two integers joined by `*`, like 123*456"))?;
    let operand = |s: &str, which: &str| -> Result<u64, TaskError> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err(&format!("{which} operand `{s}` is not a non-negative integer")));
        }
        s.parse::<u64>().map_err(|_| err(&format!("{which} operand `{s}` is too large")))
    };
    Ok(MultProblem { a: operand(a, "first")?, b: operand(b, "second")? })
}
