//! Integer answers, shared by the arithmetic tasks (`mult`, `add`): what counts as a plain integer
//! answer, the key under which integer answers vote together, and drawing operands by digit count.

use rand::{Rng, RngCore};

use crate::error::TaskError;
use crate::split::{is_held_out_text, Partition};
use crate::text::{final_answer, raw_answer, think_lines};
use crate::verdict::{Checked, StepLabel, Verdict};

/// Normalised decimal of a plain integer `-?[0-9]+`, or `None`.
pub fn plain_integer(text: &str) -> Option<String> {
    let (neg, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let trimmed = digits.trim_start_matches('0');
    Some(match (trimmed.is_empty(), neg) {
        (true, _) => "0".to_string(),
        (false, true) => format!("-{trimmed}"),
        (false, false) => trimmed.to_string(),
    })
}

/// The integer value, with spaces, a leading `+` and leading zeros removed; `None` if not an
/// integer (commas, decimals and words are rejected).
pub fn answer_key(answer: &str) -> Option<String> {
    let compact: String = answer.chars().filter(|c| !c.is_whitespace()).collect();
    let unsigned = compact.strip_prefix('+').unwrap_or(&compact);
    plain_integer(unsigned)
}

/// `Correct` iff the single-line answer after `</think>` is a plain integer (optional `-`,
/// leading zeros allowed) equal to `expected`; non-integers and malformed turns are `NoAnswer`.
pub fn check_integer_answer(completion: &str, expected: u128) -> Checked {
    let answer = raw_answer(completion).map(str::to_string);
    let verdict = match final_answer(completion).and_then(plain_integer) {
        None => Verdict::NoAnswer,
        Some(n) if n == expected.to_string() => Verdict::Correct,
        Some(_) => Verdict::Wrong,
    };
    Checked::new(verdict, answer)
}

/// Whether every operand has `lo..=hi` digits; the error says which does not, for the person who
/// typed it (`what`: "products", "sums").
pub fn operands_in_range(operands: &[u64], lo: u32, hi: u32, what: &str) -> Result<(), String> {
    for &x in operands {
        let d = x.to_string().len();
        if d < lo as usize || d > hi as usize {
            return Err(format!("this model was trained on {what} of {lo}–{hi}-digit numbers; {x} has {d} digits"));
        }
    }
    Ok(())
}

/// Smallest and largest number with exactly `digits` digits (1-digit: 1..=9).
pub fn operand_range(digits: u32) -> (u64, u64) {
    let hi = 10u64.saturating_pow(digits) - 1;
    (10u64.saturating_pow(digits.saturating_sub(1)), hi)
}

/// An operand whose digit count is uniform in `min_digits..=max_digits`, uniform among the
/// numbers with exactly that many digits.
pub fn draw_operand(rng: &mut dyn RngCore, min_digits: u32, max_digits: u32) -> u64 {
    let digits = rng.gen_range(min_digits..=max_digits);
    let (lo, hi) = operand_range(digits);
    rng.gen_range(lo..=hi)
}

/// Which partitions a space of operand pairs has (both drawn from one digit range), found by
/// enumerating it when it has at most `limit` pairs; larger spaces are assumed to have both.
/// `question` renders a pair as the text the held-out hash is taken over.
pub(crate) fn probe_pair_space(
    min_digits: u32,
    max_digits: u32,
    limit: u64,
    question: impl Fn(u64, u64) -> String,
) -> Partition {
    let operands: Vec<(u64, u64)> = (min_digits..=max_digits).map(operand_range).collect();
    let per_side: u64 = operands.iter().map(|(lo, hi)| hi - lo + 1).sum();
    if per_side.saturating_mul(per_side) > limit {
        return Partition::BOTH;
    }
    let mut part = Partition { has_train: false, has_test: false };
    for &(alo, ahi) in &operands {
        for a in alo..=ahi {
            for &(blo, bhi) in &operands {
                for b in blo..=bhi {
                    if is_held_out_text(&question(a, b)) {
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

/// Step labels for a trace with one fixed reference line per position (`add`'s carries, `sub`'s
/// borrows): `Good` while every line so far equals the reference line at its position (spaces and
/// case ignored), `Bad` from the first mismatch, missing or extra line on.
pub fn reference_line_labels(expected: &[String], completion: &str) -> Vec<StepLabel> {
    let squeeze = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase() };
    let mut ok = true;
    think_lines(completion)
        .iter()
        .enumerate()
        .map(|(i, line)| {
            ok = ok && expected.get(i).is_some_and(|e| squeeze(e) == squeeze(line));
            if ok {
                StepLabel::Good
            } else {
                StepLabel::Bad
            }
        })
        .collect()
}

/// Reads two non-negative operands of at most `max_digits` digits joined by `op` (`457+68`,
/// `503-68`; spaces anywhere, a trailing `=` or `=?` allowed), for task `task`.
pub fn parse_operands(text: &str, op: char, task: &'static str, max_digits: u32) -> Result<(u64, u64), TaskError> {
    let err = |reason: &str| TaskError::BadQuestion { task, input: text.to_string(), reason: reason.into() };
    let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let body = squeezed.trim_end_matches('?').trim_end_matches('=');
    let (a, b) =
        body.split_once(op).ok_or_else(|| err(&format!("expected two integers joined by `{op}`, like 457{op}68")))?;
    let operand = |s: &str, which: &str| -> Result<u64, TaskError> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err(&format!("{which} operand `{s}` is not a non-negative integer")));
        }
        let n: u64 = s.parse().map_err(|_| err(&format!("{which} operand `{s}` is too large")))?;
        if n >= 10u64.pow(max_digits) {
            return Err(err(&format!("{which} operand `{s}` has more than {max_digits} digits")));
        }
        Ok(n)
    };
    Ok((operand(a, "first")?, operand(b, "second")?))
}
