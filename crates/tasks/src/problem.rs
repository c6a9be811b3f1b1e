//! `Problem`: one problem of any task. Each task owns its problem type (`MultProblem`,
//! `CountdownProblem`, `AddProblem`) and implements [`TaskProblem`] for it; `Problem` holds one
//! behind an `Arc`, so code outside the task never matches on which task it is.
//!
//! Checking a completion depends only on the problem, never on a task's difficulty config, so the
//! per-problem operations (verify, answer keys, step labels, traces) live on the problem type and
//! every `Task` delegates to them by default.
//!
//! On disk a problem is its task's fields plus a `task` tag:
//! `{"task":"mult","a":123,"b":456}`, `{"task":"countdown","numbers":[25,5,4],"target":80}`.
//! Equality and hashing go through that canonical JSON, so two problems are equal exactly when
//! they would be written the same. (Reading one back needs every task: `registry`.)

use std::any::Any;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::error::TaskError;
use crate::trace_style::{names, TraceStyle};
use crate::verdict::{Checked, StepLabel};

/// What a task's own problem type provides. `Send + Sync` so problems cross threads.
pub trait TaskProblem: fmt::Debug + Send + Sync + 'static {
    /// The name of the task this problem belongs to.
    fn task_name(&self) -> &'static str;
    /// Canonical question text: `123*456`, `25 5 4 -> 80`.
    fn question(&self) -> String;
    /// The text the held-out hash is taken over (see `split`); the question by default.
    fn canonical_question(&self) -> String {
        self.question()
    }
    /// A reference answer (empty when there is none, e.g. an unsolvable countdown problem).
    fn answer(&self) -> String;
    /// The difficulty group evaluation reports break accuracy down by (`3x3`, `3 numbers`).
    fn difficulty(&self) -> String {
        "all".to_string()
    }
    /// The task's fields, without the `task` tag.
    fn to_json(&self) -> Map<String, Value>;
    /// Checks the final answer of an assistant turn.
    fn verify(&self, completion: &str) -> Checked;
    /// Normalisation under which answers vote together; `None` if unparseable.
    fn answer_key(&self, answer: &str) -> Option<String>;
    /// One label per reasoning line (see `text::think_lines`); `None` if the task has no
    /// line-level ground truth (a capability, not a requirement).
    fn step_labels(&self, _completion: &str) -> Option<Vec<StepLabel>> {
        None
    }
    /// The trace styles `trace` renders.
    fn trace_styles(&self) -> &'static [TraceStyle];
    /// Reasoning lines and answer for `style`, which is one of `trace_styles`.
    fn trace(&self, style: TraceStyle, rng: &mut dyn rand::RngCore) -> Result<(Vec<String>, String), TaskError>;
    /// For [`Problem::downcast_ref`].
    fn as_any(&self) -> &dyn Any;
}

/// One problem of any task.
#[derive(Clone)]
pub struct Problem {
    data: Arc<dyn TaskProblem>,
    /// Canonical JSON with the `task` tag: serialisation, equality and hashing.
    key: Arc<str>,
}

impl Problem {
    /// Wraps a task's problem.
    pub fn new(p: impl TaskProblem) -> Problem {
        let key: Arc<str> = serde_json::to_string(&Tagged(&p)).unwrap_or_default().into();
        Problem { data: Arc::new(p), key }
    }

    /// The task's own problem, if it is of type `T`.
    pub fn downcast_ref<T: TaskProblem>(&self) -> Option<&T> {
        self.data.as_any().downcast_ref()
    }

    /// Canonical question text.
    pub fn question(&self) -> String {
        self.data.question()
    }

    /// A reference answer (see [`TaskProblem::answer`]).
    pub fn answer(&self) -> String {
        self.data.answer()
    }

    /// The difficulty group (see [`TaskProblem::difficulty`]).
    pub fn difficulty(&self) -> String {
        self.data.difficulty()
    }

    /// Name of the task this problem belongs to.
    pub fn task_name(&self) -> &'static str {
        self.data.task_name()
    }

    /// The text the held-out hash is taken over (see `split`).
    pub fn canonical_question(&self) -> String {
        self.data.canonical_question()
    }

    /// Whether this problem is in the held-out partition.
    pub fn is_held_out(&self) -> bool {
        crate::split::is_held_out_text(&self.canonical_question())
    }

    /// The problem as JSON, with its `task` tag.
    pub fn to_json(&self) -> Value {
        serde_json::from_str(&self.key).unwrap_or(Value::Null)
    }

    pub(crate) fn verify(&self, completion: &str) -> Checked {
        self.data.verify(completion)
    }

    pub(crate) fn step_labels(&self, completion: &str) -> Option<Vec<StepLabel>> {
        self.data.step_labels(completion)
    }

    pub(crate) fn answer_key(&self, answer: &str) -> Option<String> {
        self.data.answer_key(answer)
    }

    /// Reasoning lines and answer for `style`; an unsupported style names the ones offered.
    pub(crate) fn trace(
        &self,
        style: TraceStyle,
        rng: &mut dyn rand::RngCore,
    ) -> Result<(Vec<String>, String), TaskError> {
        let offered = self.data.trace_styles();
        if !offered.contains(&style) {
            return Err(TaskError::UnsupportedTraceStyle {
                task: self.task_name(),
                style: style.to_string(),
                offered: names(offered),
            });
        }
        self.data.trace(style, rng)
    }
}

impl fmt::Debug for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key)
    }
}

impl PartialEq for Problem {
    fn eq(&self, other: &Problem) -> bool {
        self.key == other.key
    }
}

impl Eq for Problem {}

impl Hash for Problem {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl Serialize for Problem {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Tagged(self.data.as_ref()).serialize(s)
    }
}

/// A problem's fields after its `task` tag, in that order.
struct Tagged<'a, P: TaskProblem + ?Sized>(&'a P);

impl<P: TaskProblem + ?Sized> Serialize for Tagged<'_, P> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let fields = self.0.to_json();
        let mut map = s.serialize_map(Some(fields.len() + 1))?;
        map.serialize_entry("task", self.0.task_name())?;
        for (k, v) in &fields {
            if k != "task" {
                map.serialize_entry(k, v)?;
            }
        }
        map.end()
    }
}

/// A task's problem type from its tagged JSON (the `task` tag is ignored), for registry entries.
pub(crate) fn typed_from_json<T: serde::de::DeserializeOwned>(mut value: Value) -> Result<T, String> {
    if let Some(obj) = value.as_object_mut() {
        obj.remove("task");
    }
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// A problem type's fields as a JSON map, for `TaskProblem::to_json`.
pub(crate) fn fields_of<T: Serialize>(p: &T) -> Map<String, Value> {
    match serde_json::to_value(p) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}
