//! The `borrow` trace of `sub`, its verifier, step labels and question parser.
//!
//! One line per column, least significant first, the shorter operand padded with 0 and the
//! incoming borrow written only when there is one; a column that goes below zero borrows ten.
//! `503-68` is
//!
//! ```text
//! 13-8=5, write 5 borrow 1
//! 10-6-1=3, write 3 borrow 1
//! 5-0-1=4, write 4 borrow 0
//! ```
//!
//! then the answer `435`. When the second operand is larger the first line says so and the
//! columns subtract the other way round: `68-503` opens with `68<503, so 503-68 and negate`, and
//! its answer is `-435`.
//!
//! Which operand is larger is plain from their lengths, except when they have as many digits:
//! then a first line compares them from the left up to the first differing digit,
//! `4567 vs 4593: 4=4 5=5 6<9`. Without it a model must decide the sign in one token from
//! digits it never lines up, and the first generalist got a third of its equal-length
//! differences wrong that way (65 of its 115 `−` errors were the sign; docs/results.md §12).

use crate::error::TaskError;
use crate::text::{final_answer, raw_answer};
use crate::verdict::{Checked, StepLabel, Verdict};

use super::SubProblem;

/// Decimal digits, least significant first (at least one).
fn digits_lsd(n: u64) -> Vec<u32> {
    n.to_string().bytes().rev().map(|b| u32::from(b - b'0')).collect()
}

/// The column lines of `big - small` (`big >= small`).
fn columns(big: u64, small: u64) -> Vec<String> {
    let (a, b) = (digits_lsd(big), digits_lsd(small));
    let mut borrow = 0;
    let mut out = Vec::new();
    for (i, &x) in a.iter().enumerate() {
        let y = b.get(i).copied().unwrap_or(0);
        let terms = if borrow > 0 { format!("{y}-{borrow}") } else { format!("{y}") };
        let (top, out_borrow) = if x < y + borrow { (x + 10, 1) } else { (x, 0) };
        let digit = top - y - borrow;
        out.push(format!("{top}-{terms}={digit}, write {digit} borrow {out_borrow}"));
        borrow = out_borrow;
    }
    out
}

/// `4567 vs 4593: 4=4 5=5 6<9` for operands of equal length (two digits or more), else `None`.
pub fn comparison(a: u64, b: u64) -> Option<String> {
    let (x, y) = (a.to_string(), b.to_string());
    if x.len() != y.len() || x.len() < 2 {
        return None;
    }
    let mut steps = Vec::new();
    for (p, q) in x.bytes().zip(y.bytes()) {
        let rel = match p.cmp(&q) {
            std::cmp::Ordering::Less => '<',
            std::cmp::Ordering::Equal => '=',
            std::cmp::Ordering::Greater => '>',
        };
        steps.push(format!("{}{rel}{}", char::from(p), char::from(q)));
        if rel != '=' {
            break;
        }
    }
    Some(format!("{x} vs {y}: {}", steps.join(" ")))
}

/// The reference reasoning lines.
pub fn lines(p: &SubProblem) -> Vec<String> {
    let mut out: Vec<String> = comparison(p.a, p.b).into_iter().collect();
    if p.a >= p.b {
        out.extend(columns(p.a, p.b));
    } else {
        out.push(format!("{}<{}, so {}-{} and negate", p.a, p.b, p.b, p.a));
        out.extend(columns(p.b, p.a));
    }
    out
}

/// `Correct` iff the single-line answer after `</think>` is a plain integer (a leading `-` for
/// negatives) equal to the difference; non-integers and malformed turns are `NoAnswer`.
pub fn verify(p: &SubProblem, completion: &str) -> Checked {
    let answer = raw_answer(completion).map(str::to_string);
    let verdict = match final_answer(completion).and_then(crate::integer::plain_integer) {
        None => Verdict::NoAnswer,
        Some(n) if n == p.difference().to_string() => Verdict::Correct,
        Some(_) => Verdict::Wrong,
    };
    Checked::new(verdict, answer)
}

/// Each reasoning line against the reference line at its position
/// ([`crate::integer::reference_line_labels`]).
pub fn step_labels(p: &SubProblem, completion: &str) -> Vec<StepLabel> {
    crate::integer::reference_line_labels(&lines(p), completion)
}

/// Reads `503-68` (spaces anywhere, a trailing `=` or `=?` allowed); both operands are
/// non-negative integers.
pub fn parse_question(text: &str) -> Result<SubProblem, TaskError> {
    let (a, b) = crate::integer::parse_operands(text, '-', super::NAME, super::MAX_DIGITS)?;
    Ok(SubProblem { a, b })
}
