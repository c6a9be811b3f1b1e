//! What every handler shares: the engine (or a remote backend), the tokenizer, the task the
//! model was trained on, the verifier for `high` effort, metrics, and the served model's name.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use deepthink_model::{ChatTokenizer, Message, Model};
use deepthink_search::{Generator, Scorer};
use deepthink_tasks::{Problem, PromptStyle, Task};

use crate::api_error::ApiError;
use crate::engine::EngineHandle;
use crate::metrics::Metrics;

/// The model behind the server: local (an engine over the weights) or another OpenAI-compatible
/// server, reached through a remote [`Generator`].
pub enum Backend {
    Local { engine: EngineHandle, tokenizer: Arc<ChatTokenizer>, model: Arc<Model> },
    Remote(Arc<dyn Generator + Send + Sync>),
}

/// The task questions are read as, with the prompt style the model was trained with.
pub struct ServedTask {
    pub task: Box<dyn Task>,
    pub prompt: PromptStyle,
}

pub struct AppState {
    pub backend: Backend,
    /// The name `GET /v1/models` lists and requests must use.
    pub model_name: String,
    pub task: Option<ServedTask>,
    /// The verifier behind `reasoning_effort: "high"` and verifier strategies.
    pub scorer: Option<Arc<dyn Scorer>>,
    pub metrics: Arc<Metrics>,
    /// Longest a request may take, queueing included.
    pub timeout: Duration,
    next_id: AtomicU64,
    pub created: u64,
}

impl AppState {
    pub fn new(backend: Backend, model_name: String, metrics: Arc<Metrics>) -> Self {
        let created = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        AppState {
            backend,
            model_name,
            task: None,
            scorer: None,
            metrics,
            timeout: Duration::from_secs(600),
            next_id: AtomicU64::new(0),
            created,
        }
    }

    /// A fresh request number (ids, and the seed of a request that sends none).
    pub fn next_request(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    pub fn check_model(&self, requested: &str) -> Result<(), ApiError> {
        if requested == self.model_name {
            return Ok(());
        }
        Err(ApiError::not_found(
            format!("the model `{requested}` does not exist; this server serves `{}`", self.model_name),
            Some("model"),
            "model_not_found",
        ))
    }

    /// The question as the model's task reads it, if the last user turn is one.
    pub fn parse_question(&self, messages: &[Message]) -> Option<Result<Problem, String>> {
        let t = self.task.as_ref()?;
        let question = messages.last()?.content.trim();
        Some(t.task.parse_question(question).map_err(|e| e.to_string()).and_then(|p| t.task.covers(&p).map(|_| p)))
    }

    /// The conversation as the model saw it in training: a last user turn the task can read is
    /// rewritten in the task's prompt style (as `deepthink ask` does); anything else is sent as
    /// typed.
    pub fn prompt_messages(&self, messages: &[Message]) -> Vec<Message> {
        let mut out = messages.to_vec();
        if let (Some(t), Some(Ok(p))) = (self.task.as_ref(), self.parse_question(messages)) {
            if let Some(last) = out.last_mut() {
                last.content = t.task.prompt(&p, t.prompt);
            }
        }
        out
    }
}
