//! Question/answer lines in the formats users arrive with, as [`QaProblem`]s:
//!
//! - plain `{"question", "answer"}` (and reasoning-gym's `{"question", "answer", "metadata"}` for
//!   datasets no built-in task claims; `metadata` is kept for external verifiers);
//! - GSM8K's `{"question", "answer"}` whose answer ends `#### N`: the reference is `N`, and the
//!   worked solution before it is kept as a reasoning trace SFT can learn (`<<…>>` calculator
//!   annotations removed);
//! - TRL prompt–completion (`{"prompt", "completion"}`, conversational or plain): the question is
//!   the last user turn, the reference the answer after `</think>`, the think block a trace.
//!
//! Errors name the field.

use serde_json::{Map, Value};

use super::compare::AnswerMode;
use super::QaProblem;
use crate::text::think_block;

/// A plain, reasoning-gym or GSM8K line (the object has `question`).
pub fn from_question_line(obj: &Map<String, Value>, mode: Option<AnswerMode>) -> Result<QaProblem, String> {
    let question = string_field(obj, "question")?;
    let answer = match obj.get("answer") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => return Err(format!("field `answer` must be a string or a number, got {other}")),
        None => return Err("field `answer` missing".to_string()),
    };
    let (answer, reasoning) = match answer.rsplit_once("####") {
        Some((work, n)) => (n.trim().to_string(), Some(gsm8k_work(work)).filter(|w| !w.is_empty())),
        None => (answer.trim().to_string(), None),
    };
    if answer.is_empty() {
        return Err("field `answer` is empty".to_string());
    }
    let metadata = obj.get("metadata").cloned().unwrap_or(Value::Null);
    Ok(QaProblem::new(question, answer, reasoning, metadata, mode))
}

/// A TRL prompt–completion line.
pub fn from_trl_line(obj: &Map<String, Value>, mode: Option<AnswerMode>) -> Result<QaProblem, String> {
    let question = match obj.get("prompt") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(turns)) => turns
            .iter()
            .rev()
            .find(|t| t.get("role").and_then(Value::as_str) == Some("user"))
            .and_then(|t| t.get("content").and_then(Value::as_str))
            .ok_or("field `prompt` has no user turn with a string `content`")?
            .to_string(),
        _ => return Err("field `prompt` must be a string or a list of turns".to_string()),
    };
    let completion = match obj.get("completion") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(turns)) => turns
            .iter()
            .find_map(|t| t.get("content").and_then(Value::as_str))
            .ok_or("field `completion` has no turn with a string `content`")?
            .to_string(),
        _ => return Err("field `completion` must be a string or a list of turns".to_string()),
    };
    let answer = completion
        .rsplit_once(crate::text::THINK_CLOSE)
        .map(|(_, a)| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .ok_or("field `completion` has no answer after `</think>`")?;
    let reasoning = completion.contains(crate::text::THINK_CLOSE).then(|| think_block(&completion).trim().to_string());
    Ok(QaProblem::new(question, answer, reasoning.filter(|r| !r.is_empty()), Value::Null, mode))
}

fn string_field(obj: &Map<String, Value>, name: &str) -> Result<String, String> {
    match obj.get(name) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(Value::String(_)) => Err(format!("field `{name}` is empty")),
        Some(other) => Err(format!("field `{name}` must be a string, got {other}")),
        None => Err(format!("field `{name}` missing")),
    }
}

/// GSM8K's worked solution without its `<<48/2=24>>` calculator annotations, one step a line.
fn gsm8k_work(work: &str) -> String {
    let mut out = String::new();
    let mut rest = work;
    while let Some(at) = rest.find("<<") {
        out.push_str(&rest[..at]);
        match rest[at..].find(">>") {
            Some(end) => rest = &rest[at + end + 2..],
            None => {
                rest = &rest[at..];
                break;
            }
        }
    }
    out.push_str(rest);
    out.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n")
}
