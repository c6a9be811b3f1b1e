//! Training data files: JSONL in TRL's prompt–completion formats.
//!
//! - conversational: `{"prompt":[{"role":"user","content":"123*456"}],"completion":[{"role":"assistant","content":"<think>\n…\n</think>\n\n56088"}]}`
//! - standard: `{"prompt": "123*456", "completion": "<think>\n…"}` (the prompt is taken as one user turn)
//! - open questions (task `qa`'s readers): `{"question", "answer"}` lines, plain, reasoning-gym or
//!   GSM8K (`#### N`, whose worked solution becomes the think block); the reply is the answer after
//!   an empty think block when the line has no reasoning.
//!
//! A malformed line is an error naming the file, the 1-based line number and the field.

use std::path::Path;

use deepthink_model::Message;
use serde_json::Value;

use crate::error::TrainError;

/// One conversation to imitate: the prompt turns and the assistant's reply.
#[derive(Clone, Debug)]
pub struct Record {
    pub prompt: Vec<Message>,
    pub reply: String,
    /// 1-based line number in its file (0 when not from a file).
    pub line: usize,
}

fn messages(v: &Value, field: &str) -> Result<Vec<Message>, String> {
    match v {
        Value::String(s) => Ok(vec![Message::user(s.clone())]),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let role = m
                    .get("role")
                    .and_then(Value::as_str)
                    .ok_or(format!("`{field}[{i}].role` missing or not a string"))?;
                let content = m
                    .get("content")
                    .and_then(Value::as_str)
                    .ok_or(format!("`{field}[{i}].content` missing or not a string"))?;
                Ok(Message { role: role.into(), content: content.into() })
            })
            .collect(),
        _ => Err(format!("`{field}` must be a string or a list of messages")),
    }
}

/// A question/answer line as the conversation to imitate.
fn open_question(line: &str) -> Result<Record, String> {
    let p = deepthink_tasks::qa::parse_qa_line(line, None)?;
    let qa = p.downcast_ref::<deepthink_tasks::qa::QaProblem>().ok_or("not an open question")?;
    let lines: Vec<String> =
        qa.reasoning.as_deref().map(|r| r.lines().map(str::to_string).collect()).unwrap_or_default();
    let reply = deepthink_tasks::text::render_completion(&lines, &qa.answer);
    Ok(Record { prompt: vec![Message::user(qa.question.clone())], reply, line: 0 })
}

/// The question a record asks (its last user turn), whose hash decides whether it is held out.
pub fn question_of(r: &Record) -> &str {
    r.prompt.iter().rev().find(|m| m.role == "user").map_or("", |m| m.content.trim())
}

/// Parse one line.
pub fn parse_record(line: &str) -> Result<Record, String> {
    let v: Value = serde_json::from_str(line).map_err(|e| format!("not valid JSON: {e}"))?;
    if v.get("prompt").is_none() && v.get("question").is_some() {
        return open_question(line);
    }
    let prompt = messages(v.get("prompt").ok_or("field `prompt` missing")?, "prompt")?;
    if prompt.is_empty() {
        return Err("`prompt` is empty".into());
    }
    let completion = messages(v.get("completion").ok_or("field `completion` missing")?, "completion")?;
    let reply = match completion.as_slice() {
        [m] => m.content.clone(),
        _ => return Err(format!("`completion` must hold exactly one message, got {}", completion.len())),
    };
    Ok(Record { prompt, reply, line: 0 })
}

/// Read a whole file.
pub fn read_records(path: &Path) -> Result<Vec<Record>, TrainError> {
    let text = std::fs::read_to_string(path).map_err(|e| TrainError::io(path, e))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut r =
            parse_record(line).map_err(|msg| TrainError::Data { path: path.to_path_buf(), line: i + 1, msg })?;
        r.line = i + 1;
        out.push(r);
    }
    if out.is_empty() {
        return Err(TrainError::Data { path: path.to_path_buf(), line: 0, msg: "no records".into() });
    }
    Ok(out)
}

/// One line in TRL's conversational prompt–completion format.
pub fn record_line(user: &str, reply: &str) -> String {
    record_value(user, reply).to_string()
}

/// [`record_line`] as a JSON value, for a line that carries more fields (a provenance).
pub fn record_value(user: &str, reply: &str) -> Value {
    serde_json::json!({
        "prompt": [{"role": "user", "content": user}],
        "completion": [{"role": "assistant", "content": reply}],
    })
}

/// Write lines to `path` atomically (temp file, then rename).
pub fn write_lines_atomic(path: &Path, lines: impl Iterator<Item = String>) -> Result<(), TrainError> {
    let mut text = String::new();
    for l in lines {
        text.push_str(&l);
        text.push('\n');
    }
    Ok(deepthink_model::fsutil::write_atomic(path, text.as_bytes())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_formats_parse() {
        let r = parse_record(&record_line("1*2", "<think>\n\n</think>\n\n2")).unwrap();
        assert_eq!(r.prompt[0].content, "1*2");
        let r = parse_record(r#"{"prompt":"3*4","completion":"12"}"#).unwrap();
        assert_eq!(r.reply, "12");
    }

    #[test]
    fn open_question_lines_become_conversations() {
        let r = parse_record(r#"{"question": "half of 4?", "answer": "4/2 = <<4/2=2>>2\n#### 2"}"#).unwrap();
        assert_eq!(question_of(&r), "half of 4?");
        assert_eq!(r.reply, "<think>\n4/2 = 2\n</think>\n\n2");
        let r = parse_record(r#"{"question": "spell cat backwards", "answer": "tac"}"#).unwrap();
        assert_eq!(r.reply, "<think>\n\n</think>\n\ntac");
        assert!(parse_record(r#"{"question": "x"}"#).unwrap_err().contains("`answer`"));
    }

    #[test]
    fn a_malformed_line_names_its_number_and_field() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("d.jsonl");
        std::fs::write(&p, format!("{}\n{{\"prompt\":\"x\"}}\n", record_line("1*1", "1"))).unwrap();
        let e = read_records(&p).unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("`completion`"), "{e}");
        std::fs::write(&p, "{not json\n").unwrap();
        assert!(read_records(&p).unwrap_err().to_string().contains("line 1: not valid JSON"));
    }
}
