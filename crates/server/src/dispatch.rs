//! Where a chat request goes: `reasoning_effort` and the `deepthink` extension pick a plan
//! ([`crate::effort`]); a strategy runs in [`crate::strategy_path`], one completion per choice on
//! the local engine in [`crate::chat`], and every request on a remote backend is a strategy run
//! (a single sample when none was asked for).

use std::sync::Arc;

use axum::response::Response;

use crate::api_error::ApiError;
use crate::effort::Plan;
use crate::state::{AppState, Backend};
use crate::wire::ChatParams;

pub async fn chat(s: Arc<AppState>, mut p: ChatParams) -> Result<Response, ApiError> {
    let plan = match (&p.deepthink, p.effort) {
        (Some(choice), _) => Some(Plan::Strategy(choice.clone())),
        (None, Some(effort)) => Some(crate::effort::plan(effort, s.scorer.is_some())),
        (None, None) => None,
    };
    let choice = match plan {
        Some(Plan::Strategy(choice)) => Some(choice),
        Some(Plan::Greedy { max_thinking }) => {
            p.sampling.temperature = 0.0;
            if p.sampling.thinking.max.is_none() {
                p.sampling.thinking.max = max_thinking;
            }
            None
        }
        None => None,
    };
    let remote = matches!(s.backend, Backend::Remote(_));
    if choice.is_some() || remote {
        if let Some(resp) = crate::strategy_path::handle(Arc::clone(&s), p.clone(), choice).await? {
            return Ok(resp);
        }
    }
    crate::chat::handle(s, ChatParams { effort: None, deepthink: None, ..p }).await
}
