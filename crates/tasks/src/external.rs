//! Reading problem sets from JSONL files: our own `Problem` lines
//! (`{"task":"mult","a":123,"b":456}`) and reasoning-gym lines
//! (`{"question": ..., "answer": ..., "metadata": {...}}`), and open questions for task `qa`:
//! TRL prompt–completion lines, GSM8K lines (`#### N`), and any `{"question", "answer"}` line no
//! built-in task claims.
//!
//! A reasoning-gym line goes to the task whose registry entry names its `metadata.source_dataset`
//! (`products` → mult, `countdown` → countdown); without one (or with a dataset no task has), to
//! the task whose reader claims it most strongly (see `entry::GymFormat`). Each task's reader
//! lives in its own module (`mult/gym.rs`, `countdown/gym.rs`). Blank lines are skipped; any other
//! malformed line is an error naming the 1-based line number and the field.

use std::path::Path;

use serde_json::{Map, Value};

use crate::entry::{GymFormat, GymLine};
use crate::error::TaskError;
use crate::problem::Problem;
use crate::registry::entries;

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
        return crate::registry::problem_from_json(value.clone());
    }
    if obj.contains_key("prompt") && obj.contains_key("completion") {
        return crate::qa::read::from_trl_line(obj, None).map(Problem::new);
    }
    let gsm8k = obj.get("answer").and_then(Value::as_str).is_some_and(|a| a.contains("####"));
    if gsm8k {
        return crate::qa::read::from_question_line(obj, None).map(Problem::new);
    }
    let question = obj
        .get("question")
        .and_then(Value::as_str)
        .ok_or_else(|| "field `task` (ours) or `question` (reasoning-gym) missing".to_string())?;
    let empty = Map::new();
    let metadata = obj.get("metadata").and_then(Value::as_object).unwrap_or(&empty);
    let line = GymLine { question, answer: obj.get("answer"), metadata };
    let formats: Vec<&GymFormat> = entries().iter().filter_map(|e| e.gym.as_ref()).collect();
    let dataset = metadata.get("source_dataset").and_then(Value::as_str);
    if let Some(format) = formats.iter().find(|f| Some(f.dataset) == dataset) {
        return (format.read)(&line);
    }
    let mut best: Option<(&GymFormat, u8)> = None;
    for format in formats {
        let claim = (format.claim)(&line);
        if claim > best.map_or(0, |(_, c)| c) {
            best = Some((format, claim));
        }
    }
    match best {
        Some((format, _)) => (format.read)(&line),
        None if obj.contains_key("answer") => crate::qa::read::from_question_line(obj, None).map(Problem::new),
        None => Err(format!(
            "cannot tell the task: expected `task`, `answer` (an open question), or metadata of a reasoning-gym dataset ({})",
            entries().iter().filter_map(|e| e.gym.as_ref()).map(|f| f.dataset).collect::<Vec<_>>().join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::countdown::CountdownProblem;
    use crate::mult::MultProblem;

    #[test]
    fn reads_our_lines_and_reasoning_gym_lines() {
        let text = r#"{"task":"mult","a":123,"b":456}

{"task":"countdown","numbers":[25,5,4],"target":80}
{"question":"Solve the following multiplication: 12 * 34. Give only the result as your final answer.","answer":"408","metadata":{"difficulty":{"num_terms":2,"num_digits":2},"expression":"12 * 34"}}
{"question":"Solve the following multiplication: 7 * 8. Give only the result.","answer":"56","metadata":{}}
{"question":"Using all the numbers 25, 5, 4, create an expression that equals 80.","answer":"(25-5)*4","metadata":{"numbers":[25,5,4],"target":80,"expression":"(25-5)*4"}}
"#;
        let got = read_problems_str(text, "p.jsonl").unwrap();
        let cd = Problem::new(CountdownProblem { numbers: vec![25, 5, 4], target: 80 });
        assert_eq!(
            got,
            vec![
                Problem::new(MultProblem { a: 123, b: 456 }),
                cd.clone(),
                Problem::new(MultProblem { a: 12, b: 34 }),
                Problem::new(MultProblem { a: 7, b: 8 }),
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
