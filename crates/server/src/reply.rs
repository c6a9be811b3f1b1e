//! The pieces every chat and completion reply is made of, in OpenAI's shapes: the finish reason,
//! the `usage` object (with the reasoning and cached-token details), the assistant message with
//! its reasoning under both names, and the timeout error.

use deepthink_model::FinishReason;
use serde_json::{json, Value};

use crate::api_error::ApiError;

pub fn finish_name(f: FinishReason) -> &'static str {
    match f {
        FinishReason::Stop => "stop",
        FinishReason::Length => "length",
    }
}

pub fn timeout() -> ApiError {
    ApiError::with_status(axum::http::StatusCode::GATEWAY_TIMEOUT, "timeout_error", "the request timed out")
}

/// The `usage` object; `cached` of the prompt tokens came from a cache (OpenAI's
/// `prompt_tokens_details.cached_tokens`).
pub fn usage(prompt: usize, completion: usize, reasoning: usize, cached: usize) -> Value {
    json!({
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": cached},
        "completion_tokens_details": {"reasoning_tokens": reasoning},
    })
}

/// The assistant message of a reply, reasoning under both names (or neither, when the client
/// asked not to include it).
pub fn message(reasoning: &str, content: &str, include_reasoning: bool) -> Value {
    let r = if include_reasoning { Value::from(reasoning) } else { Value::Null };
    json!({"role": "assistant", "content": content, "reasoning_content": r, "reasoning": r})
}
