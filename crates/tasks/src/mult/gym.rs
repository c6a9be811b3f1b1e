//! reasoning-gym's `products` lines as `mult` problems. The operands come from
//! `metadata.expression` (`"123 * 456"`) or, without it, from the two integers around the
//! question's `*`; a line whose `answer` disagrees with the product is rejected.

use crate::entry::GymLine;
use crate::problem::Problem;
use serde_json::Value;

use super::MultProblem;

/// `metadata.expression` is a strong sign; a `*` in the question a weak one.
pub(super) fn claim(line: &GymLine<'_>) -> u8 {
    if line.metadata.contains_key("expression") {
        2
    } else if line.question.contains('*') {
        1
    } else {
        0
    }
}

/// Reads the operands and checks a stated answer.
pub(super) fn read(line: &GymLine<'_>) -> Result<Problem, String> {
    let (field, text) = match line.metadata.get("expression").and_then(Value::as_str) {
        Some(expr) => ("metadata.expression", expr),
        None => ("question", line.question),
    };
    let (a, b) = operands_around_star(text).map_err(|why| format!("field `{field}` {why}, got {text:?}"))?;
    let problem = MultProblem { a, b };
    if let Some(answer) = line.answer {
        let stated = match answer {
            Value::String(s) => s.trim().to_string(),
            other => other.to_string(),
        };
        if stated != problem.product().to_string() {
            return Err(format!("field `answer` is {stated} but {} = {}", problem.question(), problem.product()));
        }
    }
    Ok(Problem::new(problem))
}

/// The two non-negative integers around the only `*` in `text`.
fn operands_around_star(text: &str) -> Result<(u64, u64), String> {
    let stars = text.matches('*').count();
    if stars != 1 {
        return Err(format!("must hold exactly one `*` (two-term products only), found {stars}"));
    }
    let (left, right) = text.split_once('*').ok_or("has no `*`")?;
    let left = left.trim_end();
    let start = left.char_indices().rev().find(|(_, c)| !c.is_ascii_digit()).map_or(0, |(i, c)| i + c.len_utf8());
    if left[..start].ends_with('-') {
        return Err("has a negative operand, which mult does not support".to_string());
    }
    let right = right.trim_start();
    let len = right.bytes().take_while(u8::is_ascii_digit).count();
    let parse =
        |s: &str, which: &str| s.parse::<u64>().map_err(|_| format!("has no {which} integer operand next to `*`"));
    Ok((parse(&left[start..], "left")?, parse(&right[..len], "right")?))
}
