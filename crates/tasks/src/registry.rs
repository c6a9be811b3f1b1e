//! The task registry: one [`TaskEntry`] per task, in [`REGISTRY`]. Adding a task is one module
//! that defines its `ENTRY` and one line here.
//!
//! This is the one module that knows every task, so what needs all of them lives here: building a
//! task by name (and refusing config keys no task knows), reading a tagged problem back from JSON
//! (`Problem`'s `Deserialize`), and parsing a trace style's name (`TraceStyle`'s `FromStr`).

use std::str::FromStr;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::config::TaskConfig;
use crate::entry::TaskEntry;
use crate::error::TaskError;
use crate::mix::{MixConfig, MixTask};
use crate::problem::Problem;
use crate::task::Task;
use crate::trace_style::TraceStyle;
use crate::{add, countdown, mix, mult, qa, sub};

/// Every task, in the order names are listed.
const REGISTRY: &[TaskEntry] = &[mult::ENTRY, countdown::ENTRY, add::ENTRY, sub::ENTRY, qa::ENTRY, MIX_ENTRY];

/// `mix` builds its components by name, so its entry lives here, beside the registry it needs.
const MIX_ENTRY: TaskEntry = TaskEntry {
    name: mix::NAME,
    summary: "a weighted mix of the tasks above, for one generalist model (`mix`)",
    trace_styles: mix::TRACE_STYLES,
    config_keys: &["mix", "mix_direct_easy"],
    config_fields: || crate::config::config_keys(&MixConfig::default()),
    build: |cfg| Ok(Box::new(MixTask::new(cfg, &task_by_name)?)),
    problem_from_json,
    gym: None,
};

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

/// Builds a task from its name and config. Unknown names, keys no task knows (a typo in a config
/// file) and out-of-range values are errors naming the field.
pub fn task_by_name(name: &str, cfg: &TaskConfig) -> Result<Box<dyn Task>, TaskError> {
    let entry = entry(name)?;
    let known = all_config_keys();
    if let Some(unknown) = cfg.keys().find(|k| !known.contains(k)) {
        let reason = format!("is not a setting of any task; known: {}", known.join(", "));
        let value = cfg.get(unknown).map(Value::to_string).unwrap_or_default();
        return Err(TaskError::InvalidConfig { field: unknown.to_string(), value, reason });
    }
    (entry.build)(cfg)
}

/// Reads a tagged problem (`{"task": NAME, ...fields}`) through its task's entry; the error
/// names the field.
pub fn problem_from_json(value: Value) -> Result<Problem, String> {
    let name = value.get("task").and_then(Value::as_str).ok_or("field `task` missing")?.to_string();
    let entry = entry(&name).map_err(|e| format!("field `task`: {e}"))?;
    (entry.problem_from_json)(value)
}

impl<'de> Deserialize<'de> for Problem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        problem_from_json(Value::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl FromStr for TraceStyle {
    type Err = TaskError;

    /// Any style offered by a registered task (case and surrounding space ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        let known = all_trace_styles();
        known.iter().copied().find(|t| t.name() == wanted).ok_or_else(|| TaskError::UnknownName {
            kind: "trace style",
            value: s.to_string(),
            expected: known.iter().map(|t| t.name()).collect::<Vec<_>>().join(", "),
        })
    }
}

impl<'de> Deserialize<'de> for TraceStyle {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
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

    /// The default config of every task, with the committed sample file for `qa`.
    pub(crate) fn test_config(name: &str) -> TaskConfig {
        let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/qa-sample.jsonl");
        if name == "qa" {
            TaskConfig::default().with("qa_file", sample)
        } else {
            TaskConfig::default()
        }
    }

    #[test]
    fn unknown_task_names_the_input_and_the_known_ones() {
        let err = task_by_name("sudoku", &TaskConfig::default()).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("`sudoku`") && err.contains("mult, countdown, add"), "{err}");
    }

    #[test]
    fn every_name_builds_and_offers_direct() {
        for e in entries() {
            let task = task_by_name(e.name, &test_config(e.name)).unwrap();
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
    fn unknown_config_keys_name_the_field_and_the_known_ones() {
        let e = task_by_name("mult", &TaskConfig::default().with("max_digts", 5)).err().unwrap().to_string();
        assert!(e.contains("`max_digts`") && e.contains("max_digits") && e.contains("countdown_numbers"), "{e}");
    }

    #[test]
    fn trace_style_names_round_trip_through_from_str_display_and_serde() {
        for s in all_trace_styles() {
            assert_eq!(s.to_string().parse::<TraceStyle>(), Ok(s));
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{s}\""));
            assert_eq!(serde_json::from_str::<TraceStyle>(&json).unwrap(), s);
        }
        assert_eq!(" Compact ".parse::<TraceStyle>(), Ok(crate::mult::COMPACT));
        let err = "fancy".parse::<TraceStyle>().unwrap_err().to_string();
        assert!(err.contains("`fancy`") && err.contains("search") && err.contains("carry"), "{err}");
        assert!(serde_json::from_str::<TraceStyle>("\"fancy\"").is_err());
    }

    #[test]
    fn generated_problems_round_trip_through_json() {
        let mut rng = crate::seeded::SplitMix64::new(3);
        for e in entries() {
            let task = task_by_name(e.name, &test_config(e.name)).unwrap();
            for _ in 0..20 {
                let p = task.generate(&mut rng, crate::Split::Train);
                let json = serde_json::to_string(&p).unwrap();
                let tag = if e.name == "mix" { p.task_name() } else { e.name };
                assert!(json.starts_with(&format!("{{\"task\":\"{tag}\"",)), "{json}");
                assert_eq!(serde_json::from_str::<Problem>(&json).unwrap(), p);
            }
        }
    }
}
