//! The crate's one error type. Every message names the field or input and the offending value.

use thiserror::Error;

/// Errors from task lookup, configuration, question parsing, trace rendering and problem files.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum TaskError {
    /// `task_by_name` got a name it does not know.
    #[error("unknown task `{name}`; known tasks: {known}")]
    UnknownTask { name: String, known: String },
    /// A style or split name that `FromStr` does not know.
    #[error("unknown {kind} `{value}`; expected one of: {expected}")]
    UnknownName { kind: &'static str, value: String, expected: String },
    /// `completion` was asked for a trace style the task does not offer.
    #[error("task `{task}` does not offer trace style `{style}`; it offers: {offered}")]
    UnsupportedTraceStyle { task: &'static str, style: String, offered: String },
    /// A task config field is out of range, of the wrong type, or unknown.
    #[error("invalid task config: `{field}` {reason}, got {value}")]
    InvalidConfig { field: String, value: String, reason: String },
    /// `parse_question` could not read the text.
    #[error("cannot parse {task} question {input:?}: {reason}")]
    BadQuestion { task: &'static str, input: String, reason: String },
    /// A countdown problem with no solution (only possible for problems read from files).
    #[error("countdown problem `{question}` has no solution using every number once")]
    Unsolvable { question: String },
    /// A trace style that needs the problem's own reasoning, for a problem that has none.
    #[error("problem {question:?} has no reasoning of its own to imitate (trace style `given`); use `direct`")]
    NoTrace { question: String },
    /// A trace style that keeps only some traces (countdown's `found`: searches that reach the goal
    /// themselves) rejected this problem's; a training source draws another problem.
    #[error("trace style `{style}` rejected the trace of {question:?}: {reason}")]
    Rejected { style: String, question: String, reason: &'static str },
    /// `accepted_draw` met only rejections.
    #[error("trace style `{style}` rejected {draws} problems in a row; last: {last}")]
    AllRejected { style: String, draws: usize, last: String },
    /// A malformed line in a problem file; `line` is 1-based.
    #[error("{file} line {line}: {message}")]
    BadLine { file: String, line: usize, message: String },
    /// A verifier could not check a batch.
    #[error("verifier `{name}`: {message}")]
    Verifier { name: String, message: String },
    /// A problem file could not be read.
    #[error("cannot read problem file {path}: {message}")]
    Io { path: String, message: String },
}
