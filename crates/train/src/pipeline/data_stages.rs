//! The pipeline's data stages besides `generate` and `mix`: `clean`, rule-based rewriting that
//! stands in for R1's human polishing of cold-start traces, and `filter`, which keeps only the
//! lines a rule accepts (R1 drops mixed-language, long and unreadable traces; every rule here is
//! a field of [`FilterSpec`]).

use std::path::{Path, PathBuf};

use deepthink_tasks::notation::to_digits;
use deepthink_tasks::readability::{mixes_notation, readability};
use deepthink_tasks::{task_by_name, text, TaskConfig, Verdict};
use serde::{Deserialize, Serialize};

use crate::data_file::{parse_record, question_of, write_lines_atomic};
use crate::error::TrainError;

/// A `clean` stage: `rules` applied in order to every line's reasoning.
/// `notation`: letter numerals written in digits; `dedupe`: a line that repeats an earlier one dropped.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CleanSpec {
    pub input: PathBuf,
    pub rules: Vec<String>,
}

impl Default for CleanSpec {
    fn default() -> Self {
        CleanSpec { input: PathBuf::new(), rules: vec!["notation".into(), "dedupe".into()] }
    }
}

/// The clean-up rules.
pub const CLEAN_RULES: &[&str] = &["notation", "dedupe"];

/// A `filter` stage: a line is kept when every rule that is set accepts it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct FilterSpec {
    pub input: PathBuf,
    /// Re-check each completion with this task's checker and keep the right ones.
    pub task: Option<String>,
    pub task_config: TaskConfig,
    /// Most characters of reasoning.
    pub max_thinking_chars: Option<usize>,
    /// Least readability (`tasks::readability`); traces without reasoning pass.
    pub min_readability: Option<f64>,
    /// Drop traces whose reasoning mixes notations.
    pub no_mixing: bool,
}

fn lines_of(path: &Path) -> Result<Vec<String>, TrainError> {
    let text = std::fs::read_to_string(path).map_err(|e| TrainError::io(path, e))?;
    Ok(text.lines().filter(|l| !l.trim().is_empty()).map(str::to_string).collect())
}

/// The line with its completion replaced (every other field kept).
fn with_completion(line: &str, completion: &str) -> Result<String, String> {
    let mut v: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
    match v.get_mut("completion") {
        Some(serde_json::Value::Array(turns)) if turns.len() == 1 => turns[0]["content"] = completion.into(),
        Some(c @ serde_json::Value::String(_)) => *c = completion.into(),
        _ => return Err("`completion` must be one message or a string".into()),
    }
    Ok(v.to_string())
}

/// Apply `rules` to one completion's reasoning.
pub fn clean_completion(completion: &str, rules: &[String]) -> String {
    let mut lines: Vec<String> = text::think_lines(completion).iter().map(|l| l.to_string()).collect();
    for rule in rules {
        match rule.as_str() {
            "notation" => lines = lines.iter().map(|l| to_digits(l)).collect(),
            "dedupe" => {
                let mut seen = std::collections::HashSet::new();
                lines.retain(|l| seen.insert(l.clone()));
            }
            _ => {}
        }
    }
    text::render_completion(&lines, text::final_answer(completion).unwrap_or_default())
}

pub fn clean(c: &CleanSpec, name: &str, out: &Path) -> Result<(), TrainError> {
    if let Some(bad) = c.rules.iter().find(|r| !CLEAN_RULES.contains(&r.as_str())) {
        return Err(TrainError::Config(format!(
            "stage `{name}`: unknown rule `{bad}`; known: {}",
            CLEAN_RULES.join(", ")
        )));
    }
    let mut changed = 0;
    let mut kept = Vec::new();
    for (i, line) in lines_of(&c.input)?.iter().enumerate() {
        let bad = |msg: String| TrainError::Data { path: c.input.clone(), line: i + 1, msg };
        let record = parse_record(line).map_err(bad)?;
        let cleaned = clean_completion(&record.reply, &c.rules);
        changed += usize::from(cleaned != record.reply);
        kept.push(with_completion(line, &cleaned).map_err(bad)?);
    }
    eprintln!("stage {name}: {changed} of {} traces rewritten", kept.len());
    write_lines_atomic(out, kept.into_iter())
}

pub fn filter(f: &FilterSpec, name: &str, out: &Path) -> Result<(), TrainError> {
    let task = f.task.as_deref().map(|t| task_by_name(t, &f.task_config)).transpose()?;
    let lines = lines_of(&f.input)?;
    let mut kept = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let record = parse_record(line).map_err(|msg| TrainError::Data { path: f.input.clone(), line: i + 1, msg })?;
        let reply = &record.reply;
        let right = match &task {
            Some(t) => {
                t.parse_question(question_of(&record)).is_ok_and(|p| t.verify(&p, reply).verdict == Verdict::Correct)
            }
            None => true,
        };
        let short = f.max_thinking_chars.is_none_or(|m| text::think_block(reply).trim().chars().count() <= m);
        let readable = f.min_readability.is_none_or(|m| readability(reply).is_none_or(|r| r >= m));
        if right && short && readable && !(f.no_mixing && mixes_notation(reply)) {
            kept.push(line.clone());
        }
    }
    eprintln!("stage {name}: kept {} of {} lines", kept.len(), lines.len());
    if kept.is_empty() {
        return Err(TrainError::Config(format!("stage `{name}`: the filter kept none of {} lines", lines.len())));
    }
    write_lines_atomic(out, kept.into_iter())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning_writes_digits_and_drops_repeats_keeping_the_answer() {
        let trace = "<think>\n12*3=36\n12*3=36\nbc*d=dg\n</think>\n\n36";
        let rules = vec!["notation".to_string(), "dedupe".to_string()];
        assert_eq!(clean_completion(trace, &rules), "<think>\n12*3=36\n</think>\n\n36");
        assert_eq!(clean_completion(trace, &["dedupe".into()]), "<think>\n12*3=36\nbc*d=dg\n</think>\n\n36");
    }

    #[test]
    fn the_filter_keeps_right_short_readable_unmixed_lines() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.jsonl");
        let line = |q: &str, c: &str| crate::data_file::record_line(q, c);
        let lines = [
            line("12*3", "<think>\n12*3=36\n</think>\n\n36"),
            line("12*3", "<think>\n12*3=35\n</think>\n\n35"),
            line("12*3", "<think>\n12*3=36\nbc*d=dg\n</think>\n\n36"),
            line("12*3", &format!("<think>\n{}\n</think>\n\n36", "12*3=36 ".repeat(20))),
        ];
        std::fs::write(&input, lines.join("\n")).unwrap();
        let out = dir.path().join("out.jsonl");
        let spec = FilterSpec {
            input,
            task: Some("mult".into()),
            task_config: TaskConfig::from(deepthink_tasks::MultConfig { min_digits: 1, ..Default::default() }),
            max_thinking_chars: Some(60),
            min_readability: Some(0.9),
            no_mixing: true,
        };
        filter(&spec, "f", &out).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap().trim(), lines[0]);
    }
}
