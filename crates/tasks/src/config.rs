//! `TaskConfig`: the difficulty knobs of a run's task, as the named values a run config carries
//! (`{"min_digits": 1, "max_digits": 5}`), read by each task into its own typed config.
//!
//! A task owns its config type (`MultConfig`, `CountdownConfig`, `AddConfig`); this bag is what
//! travels through run configs, checkpoints' `deepthink.json` and the CLI, so that adding a task
//! adds no field anywhere else. A task reads the keys it knows and leaves the others alone, which
//! lets one bag (the CLI's flags) serve every task; a key that no registered task knows is an
//! error (a typo in a config file must not pass silently; `registry::task_by_name` checks). Missing
//! keys take the task's defaults.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::TaskError;

/// Named task parameters; each task reads its own typed config out of them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TaskConfig(BTreeMap<String, Value>);

impl TaskConfig {
    /// This bag with `key` set to `value`.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> TaskConfig {
        self.0.insert(key.to_string(), value.into());
        self
    }

    /// The value of `key`, if set.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// The keys that are set.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// Reads a task's typed config: the keys its type names (unset ones take its defaults; the
    /// others are other tasks', checked by `registry::task_by_name`). A value of the wrong type is
    /// an `InvalidConfig` error naming the field.
    pub fn read<T: Serialize + DeserializeOwned + Default>(&self) -> Result<T, TaskError> {
        let own = config_keys(&T::default());
        let mine: serde_json::Map<String, Value> =
            self.0.iter().filter(|(k, _)| own.contains(k)).map(|(k, v)| (k.clone(), v.clone())).collect();
        for (key, value) in &mine {
            let mut probe = serde_json::to_value(T::default()).unwrap_or(Value::Null);
            if let Some(obj) = probe.as_object_mut() {
                obj.insert(key.clone(), value.clone());
            }
            if serde_json::from_value::<T>(probe).is_err() {
                return Err(invalid(key, value, "has the wrong type"));
            }
        }
        let mut full = serde_json::to_value(T::default()).unwrap_or(Value::Null);
        if let Some(obj) = full.as_object_mut() {
            obj.extend(mine);
        }
        serde_json::from_value(full).map_err(|e| TaskError::InvalidConfig {
            field: "task config".to_string(),
            value: String::new(),
            reason: e.to_string(),
        })
    }
}

/// A task's own config type: serde with defaults for every field, so a bag with some keys unset
/// still reads.
pub trait TypedConfig: Serialize + DeserializeOwned + Default + Clone + PartialEq + std::fmt::Debug {}

/// Every field of a typed config becomes a key of the bag.
impl<T: TypedConfig> From<T> for TaskConfig {
    fn from(cfg: T) -> TaskConfig {
        match serde_json::to_value(cfg) {
            Ok(Value::Object(map)) => TaskConfig(map.into_iter().collect()),
            _ => TaskConfig::default(),
        }
    }
}

/// The keys a typed config serialises to.
pub(crate) fn config_keys<T: Serialize>(cfg: &T) -> Vec<String> {
    match serde_json::to_value(cfg) {
        Ok(Value::Object(map)) => map.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// An `InvalidConfig` error for `field`.
pub(crate) fn invalid(field: &str, value: impl ToString, reason: &str) -> TaskError {
    TaskError::InvalidConfig { field: field.to_string(), value: value.to_string(), reason: reason.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mult::MultConfig;

    #[test]
    fn a_task_reads_its_keys_and_defaults_the_rest() {
        let bag = TaskConfig::default().with("max_digits", 5).with("countdown_numbers", 4);
        let m: MultConfig = bag.read().unwrap();
        assert_eq!(m, MultConfig { max_digits: 5, ..MultConfig::default() });
    }

    #[test]
    fn wrong_types_name_the_field() {
        let e = TaskConfig::default().with("max_digits", "five").read::<MultConfig>().unwrap_err().to_string();
        assert!(e.contains("`max_digits`") && e.contains("five"), "{e}");
    }

    #[test]
    fn a_typed_config_round_trips_through_the_bag() {
        let m = MultConfig { min_digits: 2, max_digits: 4, ..MultConfig::default() };
        let bag = TaskConfig::from(m.clone());
        assert_eq!(bag.read::<MultConfig>().unwrap(), m);
        assert_eq!(serde_json::to_string(&bag).unwrap(), r#"{"max_digits":4,"min_digits":2,"mistake_rate":0.0}"#);
    }
}
