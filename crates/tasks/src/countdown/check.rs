//! Verifier, answer normalisation and question parsing for countdown.
//!
//! The verifier accepts any expression that evaluates exactly to the target and uses exactly the
//! given multiset of numbers, with every division exact — negative or zero intermediates are
//! fine (stricter than the generator's rules, see `solver`). An optional trailing `= N` is allowed
//! when `N` is the expression's value. Unparseable answers are `NoAnswer`; division by zero,
//! overflow, an inexact division, a reused, missing or foreign number, or a wrong value are `Wrong`.

use crate::error::TaskError;
use crate::text::{final_answer, raw_answer};
use crate::verdict::{Checked, Verdict};

use super::expr::{parse, Evaluated, Expr};
use super::rational::{EvalError, Rational};
use super::CountdownProblem;

/// An answer read as an expression, with its optional `= N` claim.
struct Answer {
    expr: Expr,
    claim: Option<i64>,
}

fn read_answer(text: &str) -> Option<Answer> {
    match text.rsplit_once('=') {
        Some((lhs, rhs)) => {
            let claim = rhs.trim().parse::<i64>().ok()?;
            Some(Answer { expr: parse(lhs)?, claim: Some(claim) })
        }
        None => Some(Answer { expr: parse(text)?, claim: None }),
    }
}

/// Numbers in ascending numeric order (digit strings without leading zeros).
fn sorted_numbers(mut nums: Vec<&str>) -> Vec<&str> {
    nums.sort_by(|x, y| x.len().cmp(&y.len()).then(x.cmp(y)));
    nums
}

fn judge(p: &CountdownProblem, text: &str) -> Verdict {
    let Some(answer) = read_answer(text) else {
        return Verdict::NoAnswer;
    };
    let Ok(Evaluated { value, exact }) = answer.expr.eval() else {
        return Verdict::Wrong;
    };
    let given: Vec<String> = p.numbers.iter().map(u32::to_string).collect();
    let given = sorted_numbers(given.iter().map(String::as_str).collect());
    let used = sorted_numbers(answer.expr.literals());
    let claim_ok = answer.claim.is_none_or(|c| Rational::int(c) == value);
    let right = value == Rational::int(i64::from(p.target));
    if exact && claim_ok && used == given && right {
        Verdict::Correct
    } else {
        Verdict::Wrong
    }
}

/// Checks the single-line answer after `</think>` (see the module doc).
pub fn verify(p: &CountdownProblem, completion: &str) -> Checked {
    let verdict = match final_answer(completion) {
        Some(text) => judge(p, text),
        None => Verdict::NoAnswer,
    };
    Checked::new(verdict, raw_answer(completion).map(str::to_string))
}

/// `value|numbers`, e.g. `80|4,5,25`: the exact value (`p/q` if not an integer) and the sorted
/// multiset of numbers used, so equivalent expressions vote together. `None` if unparseable or
/// not evaluable (division by zero, overflow).
pub fn answer_key(answer: &str) -> Option<String> {
    let answer = read_answer(answer.trim())?;
    let value = answer.expr.eval().map_err(|_: EvalError| ()).ok()?.value;
    let used = sorted_numbers(answer.expr.literals());
    Some(format!("{value}|{}", used.join(",")))
}

/// Reads `25 5 4 -> 80` (commas and brackets around the numbers allowed, spaces optional).
pub fn parse_question(text: &str) -> Result<CountdownProblem, TaskError> {
    let err = |reason: String| TaskError::BadQuestion { task: super::NAME, input: text.to_string(), reason };
    let (lhs, rhs) =
        text.split_once("->").ok_or_else(|| err("expected numbers, `->`, target, like `25 5 4 -> 80`".into()))?;
    let number =
        |s: &str, what: &str| s.parse::<u32>().map_err(|_| err(format!("{what} `{s}` is not a non-negative integer")));
    let cleaned: String = lhs.chars().map(|c| if matches!(c, ',' | '[' | ']') { ' ' } else { c }).collect();
    let numbers = cleaned.split_whitespace().map(|s| number(s, "number")).collect::<Result<Vec<u32>, _>>()?;
    let problem = CountdownProblem { numbers, target: number(rhs.trim(), "target")? };
    problem.check().map_err(err)?;
    Ok(problem)
}
