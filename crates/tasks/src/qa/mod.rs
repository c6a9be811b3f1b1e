//! Task `qa`: open questions with reference answers, from the user's own file — reasoning-gym
//! datasets no built-in task claims, GSM8K, TRL prompt–completion files, plain
//! `{"question", "answer"}` lines (see [`read`]). The answer is read from the completion by
//! [`answer::read_answer`] and compared under the problem's [`AnswerMode`] (`numeric`, `exact`,
//! `text`; guessed from the reference unless the file or flag says), whose normal form is also the
//! `answer_key` votes group by.
//!
//! The task draws its problems from `qa_file`: training draws every line but the hash-held-out 5%
//! (the rule every task follows, on the question's text), evaluation only those. It has no step
//! labels (a free-text answer has no line-level ground truth) and no question parser. Trace styles:
//! `direct` (the answer alone) and `given` (the file's own reasoning: GSM8K's worked solution, a TRL
//! completion's think block).

pub mod answer;
pub mod compare;
pub mod read;

use std::path::Path;
use std::sync::Arc;

use rand::{Rng, RngCore};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use compare::AnswerMode;

use crate::config::{config_keys, invalid, TaskConfig, TypedConfig};
use crate::entry::TaskEntry;
use crate::error::TaskError;
use crate::problem::{fields_of, typed_from_json, Problem, TaskProblem};
use crate::prompt::{self, PromptParts};
use crate::style::{PromptStyle, Split};
use crate::task::{few_shot_examples, Task};
use crate::trace_style::TraceStyle;
use crate::verdict::{Checked, Verdict};

/// Task name.
pub const NAME: &str = "qa";

/// The file's own reasoning for the problem.
pub const GIVEN: TraceStyle = TraceStyle::named("given");

/// Trace styles `qa` offers.
pub const TRACE_STYLES: &[TraceStyle] = &[TraceStyle::DIRECT, GIVEN];

/// The registry entry.
pub const ENTRY: TaskEntry = TaskEntry {
    name: NAME,
    summary: "your own questions and reference answers from a JSONL file (`qa_file`)",
    trace_styles: TRACE_STYLES,
    config_keys: &["qa_file", "answer_mode"],
    config_fields: || config_keys(&QaConfig::default()),
    build: |cfg| Ok(Box::new(QaTask::from_config(cfg)?)),
    problem_from_json: |v| typed_from_json::<QaProblem>(v).map(Problem::new),
    gym: None,
};

/// The supervised-prompt paragraph for `qa`.
const INSTRUCTION: &str = "answer the question. reason step by step, one step per line, and check your work.";

/// One question with its reference answer.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct QaProblem {
    pub question: String,
    pub answer: String,
    /// A worked solution the file gave, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<String>,
    /// The line's `metadata`, for external verifiers (`null` if none).
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub metadata: Value,
    pub mode: AnswerMode,
}

impl QaProblem {
    /// A problem; `mode` defaults to what the reference looks like.
    pub fn new(
        question: String,
        answer: String,
        reasoning: Option<String>,
        metadata: Value,
        mode: Option<AnswerMode>,
    ) -> Self {
        let mode = mode.unwrap_or_else(|| AnswerMode::guess(&answer));
        QaProblem { question: question.trim().to_string(), answer, reasoning, metadata, mode }
    }
}

impl TaskProblem for QaProblem {
    fn task_name(&self) -> &'static str {
        NAME
    }
    fn question(&self) -> String {
        self.question.clone()
    }
    fn answer(&self) -> String {
        self.answer.clone()
    }
    fn to_json(&self) -> Map<String, Value> {
        fields_of(self)
    }
    fn verify(&self, completion: &str) -> Checked {
        let answer = answer::read_answer(completion);
        let reference = self.mode.key(&self.answer);
        let verdict = match answer.as_deref().and_then(|a| self.mode.key(a)) {
            None => Verdict::NoAnswer,
            Some(k) if Some(&k) == reference.as_ref() => Verdict::Correct,
            Some(_) => Verdict::Wrong,
        };
        Checked::new(verdict, answer)
    }
    fn answer_key(&self, answer: &str) -> Option<String> {
        self.mode.key(answer)
    }
    fn trace_styles(&self) -> &'static [TraceStyle] {
        TRACE_STYLES
    }
    fn trace(&self, style: TraceStyle, _rng: &mut dyn RngCore) -> Result<(Vec<String>, String), TaskError> {
        let lines = match (style, &self.reasoning) {
            (GIVEN, Some(r)) => r.lines().map(str::to_string).collect(),
            (GIVEN, None) => return Err(TaskError::NoTrace { question: self.question.clone() }),
            _ => Vec::new(),
        };
        Ok((lines, self.answer.clone()))
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// `qa`'s settings: where its problems are, and how answers are compared.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QaConfig {
    /// The JSONL file of questions and answers.
    pub qa_file: String,
    /// `numeric`, `exact`, `text`, or empty for each problem's own (guessed from its reference).
    pub answer_mode: String,
}

impl TypedConfig for QaConfig {}

/// The `qa` task over one file's problems.
#[derive(Clone, Debug)]
pub struct QaTask {
    problems: Arc<Vec<Problem>>,
    train: Vec<usize>,
    test: Vec<usize>,
}

impl QaTask {
    /// Reads `qa_file` (every line a question/answer line; see [`read`]), with every problem's
    /// mode set to `answer_mode` when given.
    pub fn from_config(cfg: &TaskConfig) -> Result<Self, TaskError> {
        let cfg: QaConfig = cfg.read()?;
        if cfg.qa_file.trim().is_empty() {
            return Err(invalid("qa_file", "\"\"", "must name the JSONL file of questions and answers (--qa-file)"));
        }
        let mode = match cfg.answer_mode.trim() {
            "" | "auto" => None,
            m => {
                Some(m.parse::<AnswerMode>().map_err(|_| invalid("answer_mode", m, "must be numeric, exact or text"))?)
            }
        };
        let problems = read_file(Path::new(&cfg.qa_file), mode)?;
        QaTask::new(problems)
    }

    /// The task over these problems (at least one).
    pub fn new(problems: Vec<Problem>) -> Result<Self, TaskError> {
        if problems.is_empty() {
            return Err(invalid("qa_file", "(no problems)", "must hold at least one question"));
        }
        let (test, train): (Vec<usize>, Vec<usize>) = (0..problems.len()).partition(|&i| problems[i].is_held_out());
        Ok(QaTask { problems: Arc::new(problems), train, test })
    }

    /// Every problem of the file, in order.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
}

/// Every line of a file as a `qa` problem, whatever a built-in task would make of it (a question
/// with a `*` is a question here, not a product): `{"question", "answer"}` lines (plain,
/// reasoning-gym, GSM8K), TRL prompt–completion lines, and `qa`'s own tagged lines. Blank lines
/// are skipped; a malformed one is an error naming its line and field.
pub fn read_file(path: &Path, mode: Option<AnswerMode>) -> Result<Vec<Problem>, TaskError> {
    let name = path.display().to_string();
    let text =
        std::fs::read_to_string(path).map_err(|e| TaskError::Io { path: name.clone(), message: e.to_string() })?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            parse_qa_line(l, mode).map_err(|message| TaskError::BadLine { file: name.clone(), line: i + 1, message })
        })
        .collect()
}

/// One line as a `qa` problem; the error names the field.
pub fn parse_qa_line(line: &str, mode: Option<AnswerMode>) -> Result<Problem, String> {
    let value: Value = serde_json::from_str(line).map_err(|e| format!("invalid JSON: {e}"))?;
    let obj = value.as_object().ok_or("expected a JSON object")?;
    let problem = if obj.get("task").and_then(Value::as_str) == Some(NAME) {
        let mut p: QaProblem = typed_from_json(value.clone())?;
        if let Some(m) = mode {
            p.mode = m;
        }
        p
    } else if obj.contains_key("prompt") && obj.contains_key("completion") {
        read::from_trl_line(obj, mode)?
    } else if obj.contains_key("question") {
        read::from_question_line(obj, mode)?
    } else {
        return Err("expected `question` and `answer` (or TRL `prompt` and `completion`)".to_string());
    };
    Ok(Problem::new(problem))
}

impl Task for QaTask {
    fn name(&self) -> &'static str {
        NAME
    }

    /// A uniform draw from the split's lines (from all of them when the file has none there).
    fn generate(&self, rng: &mut dyn RngCore, split: Split) -> Problem {
        let side = match split {
            Split::Train => &self.train,
            Split::Test => &self.test,
        };
        let i =
            if side.is_empty() { rng.gen_range(0..self.problems.len()) } else { side[rng.gen_range(0..side.len())] };
        self.problems[i].clone()
    }

    fn prompt(&self, p: &Problem, style: PromptStyle) -> String {
        let question = p.question();
        let parts = PromptParts { question: &question, instruction: INSTRUCTION };
        prompt::render(style, &parts, || few_shot_examples(self, TraceStyle::DIRECT))
    }

    fn trace_styles(&self) -> &'static [TraceStyle] {
        TRACE_STYLES
    }
}

#[cfg(test)]
mod tests;
