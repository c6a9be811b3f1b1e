//! Reading problem sets from JSONL files: our own `Problem` lines
//! (`{"task":"mult","a":123,"b":456}`) and reasoning-gym lines
//! (`{"question": ..., "answer": ..., "metadata": {...}}`) of its `products` (two terms) and
//! `countdown` datasets.
//!
//! reasoning-gym `countdown` lines carry `metadata.numbers` and `metadata.target`. `products`
//! lines carry `metadata.expression` (`"123 * 456"`); without it the operands are read from the
//! question text, the two integers around its `*`. A `products` line whose `answer` disagrees
//! with the product is rejected. Note that reasoning-gym's countdown scorer lets an answer use a
//! subset of the numbers; ours requires all of them, which its generated problems always allow.
//! Blank lines are skipped; any other malformed line is an error naming the 1-based line number
//! and the field.

use std::path::Path;

use serde_json::{Map, Value};

use crate::countdown::CountdownProblem;
use crate::error::TaskError;
use crate::mult::MultProblem;
use crate::problem::Problem;

/// Reads every problem of a JSONL file.
pub fn read_problems(path: &Path) -> Result<Vec<Problem>, TaskError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| TaskError::Io { path: path.display().to_string(), message: e.to_string() })?;
    read_problems_str(&text, &path.display().to_string())
}

/// Reads every problem of JSONL text; `source_name` names it in errors.
pub fn read_problems_str(text: &str, source_name: &str) -> Result<Vec<Problem>, TaskError> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            parse_line(line).map_err(|message| TaskError::BadLine {
                file: source_name.to_string(),
                line: i + 1,
                message,
            })
        })
        .collect()
}

/// One JSONL line as a problem; the error message names the field.
pub fn parse_line(line: &str) -> Result<Problem, String> {
    let value: Value = serde_json::from_str(line).map_err(|e| format!("invalid JSON: {e}"))?;
    let obj = value.as_object().ok_or_else(|| "expected a JSON object".to_string())?;
    if obj.contains_key("task") {
        let problem: Problem = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
        if let Problem::Countdown(p) = &problem {
            p.check()?;
        }
        return Ok(problem);
    }
    let question = obj
        .get("question")
        .and_then(Value::as_str)
        .ok_or_else(|| "field `task` (ours) or `question` (reasoning-gym) missing".to_string())?;
    let empty = Map::new();
    let meta = obj.get("metadata").and_then(Value::as_object).unwrap_or(&empty);
    let source = meta.get("source_dataset").and_then(Value::as_str);
    if source == Some("countdown") || meta.contains_key("numbers") {
        return countdown_from_gym(meta).map(Problem::Countdown);
    }
    if source == Some("products") || meta.contains_key("expression") || question.contains('*') {
        return products_from_gym(obj, meta, question).map(Problem::Mult);
    }
    Err("cannot tell the task: expected `task`, or reasoning-gym `products` or `countdown` \
         metadata"
        .to_string())
}

fn countdown_from_gym(meta: &Map<String, Value>) -> Result<CountdownProblem, String> {
    let numbers = meta.get("numbers").ok_or("field `metadata.numbers` missing")?;
    let numbers: Vec<u32> = serde_json::from_value(numbers.clone())
        .map_err(|_| format!("field `metadata.numbers` must be a list of non-negative integers, got {numbers}"))?;
    let target = meta.get("target").ok_or("field `metadata.target` missing")?;
    let target = target
        .as_u64()
        .and_then(|t| u32::try_from(t).ok())
        .ok_or_else(|| format!("field `metadata.target` must be a non-negative integer, got {target}"))?;
    let problem = CountdownProblem { numbers, target };
    problem.check()?;
    Ok(problem)
}

fn products_from_gym(
    obj: &Map<String, Value>,
    meta: &Map<String, Value>,
    question: &str,
) -> Result<MultProblem, String> {
    let (field, text) = match meta.get("expression").and_then(Value::as_str) {
        Some(expr) => ("metadata.expression", expr),
        None => ("question", question),
    };
    let (a, b) = operands_around_star(text).map_err(|why| format!("field `{field}` {why}, got {text:?}"))?;
    let problem = MultProblem { a, b };
    if let Some(answer) = obj.get("answer") {
        let stated = match answer {
            Value::String(s) => s.trim().to_string(),
            other => other.to_string(),
        };
        if stated != problem.product().to_string() {
            return Err(format!("field `answer` is {stated} but {} = {}", problem.question(), problem.product()));
        }
    }
    Ok(problem)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_our_lines_and_reasoning_gym_lines() {
        let text = r#"{"task":"mult","a":123,"b":456}

{"task":"countdown","numbers":[25,5,4],"target":80}
{"question":"Solve the following multiplication: 12 * 34. Give only the result as your final answer.","answer":"408","metadata":{"difficulty":{"num_terms":2,"num_digits":2},"expression":"12 * 34"}}
{"question":"Solve the following multiplication: 7 * 8. Give only the result.","answer":"56","metadata":{}}
{"question":"Using all the numbers 25, 5, 4, create an expression that equals 80.","answer":"(25-5)*4","metadata":{"numbers":[25,5,4],"target":80,"expression":"(25-5)*4"}}
"#;
        let got = read_problems_str(text, "p.jsonl").unwrap();
        let cd = Problem::Countdown(CountdownProblem { numbers: vec![25, 5, 4], target: 80 });
        assert_eq!(
            got,
            vec![
                Problem::Mult(MultProblem { a: 123, b: 456 }),
                cd.clone(),
                Problem::Mult(MultProblem { a: 12, b: 34 }),
                Problem::Mult(MultProblem { a: 7, b: 8 }),
                cd,
            ]
        );
    }

    fn error_of(text: &str) -> String {
        read_problems_str(text, "problems.jsonl").err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn errors_name_line_and_field() {
        let ok = r#"{"task":"mult","a":1,"b":2}"#;
        let e = error_of(&format!("{ok}\n{ok}\n{{\"task\":\"countdown\",\"target\":5}}"));
        assert_eq!(e, "problems.jsonl line 3: missing field `numbers`");
        let e = error_of(r#"{"question":"x","metadata":{"numbers":[1,2]}}"#);
        assert_eq!(e, "problems.jsonl line 1: field `metadata.target` missing");
        let e = error_of(r#"{"question":"2 * 3 * 4","metadata":{"source_dataset":"products"}}"#);
        assert!(e.contains("line 1: field `question`") && e.contains("two-term"), "{e}");
        let e = error_of(r#"{"question":"7 * 8","answer":"57"}"#);
        assert!(e.contains("field `answer` is 57"), "{e}");
        let e = error_of(r#"{"question":"what is ×7 * 8"}"#);
        assert!(e.is_empty(), "{e}");
        let e = error_of(r#"{"question":"é * 8"}"#);
        assert!(e.contains("no left integer"), "{e}");
        let e = error_of("not json");
        assert!(e.starts_with("problems.jsonl line 1: invalid JSON"), "{e}");
        let e = error_of(r#"{"task":"countdown","numbers":[],"target":5}"#);
        assert!(e.contains("field `numbers`"), "{e}");
    }

    #[test]
    fn missing_file_names_the_path() {
        let e = read_problems(Path::new("/no/such/file.jsonl")).err().unwrap();
        assert!(e.to_string().contains("/no/such/file.jsonl"));
    }
}
