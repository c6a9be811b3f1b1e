//! What a task registers: a [`TaskEntry`] (its name, trace styles, config keys, constructor and
//! problem reader) and, optionally, how its problems look in reasoning-gym files. Task modules
//! define their `ENTRY` with these types; `registry` lists the entries.

use serde_json::{Map, Value};

use crate::config::TaskConfig;
use crate::error::TaskError;
use crate::problem::Problem;
use crate::task::Task;
use crate::trace_style::TraceStyle;

/// What the registry knows about one task.
pub struct TaskEntry {
    /// The name `task_by_name` takes.
    pub name: &'static str,
    /// One line for `--help` and errors.
    pub summary: &'static str,
    /// The trace styles the task offers (`direct` among them).
    pub trace_styles: &'static [TraceStyle],
    /// The keys of the task's typed config (a test checks they are its fields).
    pub config_keys: &'static [&'static str],
    /// The keys its typed config actually serialises to, for that test.
    pub config_fields: fn() -> Vec<String>,
    /// Builds the task; out-of-range configs are errors naming the field.
    pub build: fn(&TaskConfig) -> Result<Box<dyn Task>, TaskError>,
    /// Reads one of its problems from tagged JSON; the error names the field.
    pub problem_from_json: fn(Value) -> Result<Problem, String>,
    /// How its problems look in reasoning-gym files, if they have a reasoning-gym dataset.
    pub gym: Option<GymFormat>,
}

/// One reasoning-gym line: `{"question", "answer", "metadata"}`.
pub struct GymLine<'a> {
    pub question: &'a str,
    pub answer: Option<&'a Value>,
    pub metadata: &'a Map<String, Value>,
}

/// How a task recognises and reads reasoning-gym lines.
pub struct GymFormat {
    /// reasoning-gym's dataset name (`metadata.source_dataset`).
    pub dataset: &'static str,
    /// How strongly a line without (or with an unknown) `source_dataset` looks like this
    /// dataset: 0 not at all; the strongest claim reads the line, earlier entries winning ties.
    pub claim: fn(&GymLine<'_>) -> u8,
    /// Reads the line; the error names the field.
    pub read: fn(&GymLine<'_>) -> Result<Problem, String>,
}
