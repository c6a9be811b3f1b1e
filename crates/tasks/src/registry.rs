//! The task registry: one [`TaskEntry`] per task, in [`REGISTRY`]. Adding a task is one module
//! that defines its `ENTRY` and one line here.
//!
//! An entry says how to build the task from a [`TaskConfig`], how to read its problems back from
//! JSON, which trace styles and config keys it has, and, optionally, how to recognise its lines in
//! reasoning-gym files (see `external`).

use serde_json::{Map, Value};

use crate::config::TaskConfig;
use crate::error::TaskError;
use crate::problem::Problem;
use crate::task::Task;
use crate::trace_style::TraceStyle;
use crate::{add, countdown, mult};

/// Every task, in the order names are listed.
const REGISTRY: &[TaskEntry] = &[mult::ENTRY, countdown::ENTRY, add::ENTRY];

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

/// Every task name `task_by_name` knows.
pub fn all_task_names() -> Vec<&'static str> {
    REGISTRY.iter().map(|e| e.name).collect()
}

/// Every registered entry.
pub fn entries() -> &'static [TaskEntry] {
    REGISTRY
}

/// The entry named `name`, or an `UnknownTask` error listing the known ones.
pub fn entry(name: &str) -> Result<&'static TaskEntry, TaskError> {
    let name = name.trim();
    REGISTRY
        .iter()
        .find(|e| e.name == name)
        .ok_or_else(|| TaskError::UnknownTask { name: name.to_string(), known: all_task_names().join(", ") })
}

/// Builds a task from its name and config. Unknown names and out-of-range configs are errors.
pub fn task_by_name(name: &str, cfg: &TaskConfig) -> Result<Box<dyn Task>, TaskError> {
    (entry(name)?.build)(cfg)
}

/// Every trace style some task offers, each once, in registry order.
pub fn all_trace_styles() -> Vec<TraceStyle> {
    let mut out: Vec<TraceStyle> = Vec::new();
    for style in REGISTRY.iter().flat_map(|e| e.trace_styles) {
        if !out.contains(style) {
            out.push(*style);
        }
    }
    out
}

/// Every config key some task reads, sorted.
pub fn all_config_keys() -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = REGISTRY.iter().flat_map(|e| e.config_keys).copied().collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_task_names_the_input_and_the_known_ones() {
        let err = task_by_name("sudoku", &TaskConfig::default()).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("`sudoku`") && err.contains("mult, countdown, add"), "{err}");
    }

    #[test]
    fn every_name_builds_and_offers_direct() {
        for e in entries() {
            let task = task_by_name(e.name, &TaskConfig::default()).unwrap();
            assert_eq!(task.name(), e.name);
            assert_eq!(task.trace_styles(), e.trace_styles);
            assert!(e.trace_styles.contains(&TraceStyle::DIRECT), "{}", e.name);
        }
    }

    #[test]
    fn listed_config_keys_are_the_typed_configs_fields() {
        for e in entries() {
            let mut listed: Vec<String> = e.config_keys.iter().map(|k| k.to_string()).collect();
            let mut fields = (e.config_fields)();
            listed.sort();
            fields.sort();
            assert_eq!(listed, fields, "{}", e.name);
        }
    }

    #[test]
    fn bad_config_names_the_field() {
        let cfg = TaskConfig::default().with("max_digits", 12);
        let err = task_by_name("mult", &cfg).err().unwrap().to_string();
        assert!(err.contains("`max_digits`") && err.contains("12"), "{err}");
    }

    #[test]
    fn generated_problems_round_trip_through_json() {
        let mut rng = crate::seeded::SplitMix64::new(3);
        for e in entries() {
            let task = task_by_name(e.name, &TaskConfig::default()).unwrap();
            for _ in 0..20 {
                let p = task.generate(&mut rng, crate::Split::Train);
                let json = serde_json::to_string(&p).unwrap();
                assert!(json.starts_with(&format!("{{\"task\":\"{}\"", e.name)), "{json}");
                assert_eq!(serde_json::from_str::<Problem>(&json).unwrap(), p);
            }
        }
    }
}
