//! The `carry` trace of `add`, its verifier, step labels and question parser.
//!
//! One line per column, least significant first, the shorter operand padded with 0 and the
//! incoming carry written only when there is one: `457+68` is
//!
//! ```text
//! 7+8=15, write 5 carry 1
//! 5+6+1=12, write 2 carry 1
//! 4+0+1=5, write 5 carry 0
//! ```
//!
//! then the answer `525`. A carry out of the last column gets a line of its own (`carry 1, write 1`).

use crate::error::TaskError;
use crate::integer::check_integer_answer;
use crate::verdict::{Checked, StepLabel};

use super::AddProblem;

/// Decimal digits, least significant first (at least one).
fn digits_lsd(n: u64) -> Vec<u32> {
    n.to_string().bytes().rev().map(|b| u32::from(b - b'0')).collect()
}

/// The reference reasoning lines.
pub fn lines(p: &AddProblem) -> Vec<String> {
    let (a, b) = (digits_lsd(p.a), digits_lsd(p.b));
    let mut carry = 0;
    let mut out = Vec::new();
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(i).copied().unwrap_or(0), b.get(i).copied().unwrap_or(0));
        let sum = x + y + carry;
        let terms = if carry > 0 { format!("{x}+{y}+{carry}") } else { format!("{x}+{y}") };
        out.push(format!("{terms}={sum}, write {} carry {}", sum % 10, sum / 10));
        carry = sum / 10;
    }
    if carry > 0 {
        out.push(format!("carry {carry}, write {carry}"));
    }
    out
}

/// `Correct` iff the single-line answer after `</think>` is a plain integer equal to the sum;
/// non-integers and malformed turns are `NoAnswer`.
pub fn verify(p: &AddProblem, completion: &str) -> Checked {
    check_integer_answer(completion, p.sum())
}

/// Each reasoning line against the reference line at its position
/// ([`crate::integer::reference_line_labels`]).
pub fn step_labels(p: &AddProblem, completion: &str) -> Vec<StepLabel> {
    crate::integer::reference_line_labels(&lines(p), completion)
}

/// Reads `457+68` (spaces anywhere, a trailing `=` or `=?` allowed).
pub fn parse_question(text: &str) -> Result<AddProblem, TaskError> {
    let (a, b) = crate::integer::parse_operands(text, '+', super::NAME, super::MAX_DIGITS)?;
    Ok(AddProblem { a, b })
}
