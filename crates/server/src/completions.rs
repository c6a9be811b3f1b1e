//! `POST /v1/completions`: a raw prompt, continued as written (no chat template), with each
//! generated token's log-probability when `logprobs` is asked for — what a client that renders
//! its own prompts needs, deepthink's remote backend among them (step-level search continues a
//! partial reasoning this way). Only the chosen tokens' log-probabilities are given: top-k
//! alternatives are refused at parse time. Not streamed (a `stream: true` request is refused).

use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::api_error::ApiError;
use crate::chat::{collect, prepare};
use crate::detok::reasoning_tokens;
use crate::reply::{finish_name, usage};
use crate::state::{AppState, Backend};
use crate::wire::CompletionParams;

pub async fn handle(s: Arc<AppState>, p: CompletionParams) -> Result<Response, ApiError> {
    let Backend::Local { engine, tokenizer, .. } = &s.backend else {
        return Err(ApiError::with_status(
            axum::http::StatusCode::NOT_IMPLEMENTED,
            "invalid_request_error",
            "this server proxies a remote backend for strategies; send raw completions to the backend itself",
        ));
    };
    if p.sampling.stream {
        return Err(ApiError::field(
            "stream",
            "`/v1/completions` does not stream here; use /v1/chat/completions to stream",
        ));
    }
    let tok = Arc::clone(tokenizer);
    let number = s.next_request();
    // A raw prompt that ends inside a think block continues the reasoning (`prepared.prefilled`).
    let mut prepared = prepare(&tok, engine, &p.prompt, &p.sampling, number, "prompt")?;
    let deadline = tokio::time::Instant::now() + s.timeout;
    let receivers =
        engine.submit(std::mem::take(&mut prepared.requests)).map_err(|b| ApiError::busy(b.queued, b.capacity))?;
    let mut choices = Vec::new();
    let (mut completion_tokens, mut reasoning, mut computed) = (0, 0, 0);
    for (i, rx) in receivers.into_iter().enumerate() {
        let f = collect(&tok, rx, &prepared, deadline).await?;
        computed += f.computed_prompt;
        completion_tokens += f.tokens.len();
        reasoning += reasoning_tokens(&f.tokens, &tok, prepared.prefilled);
        let logprobs = p.logprobs.then(|| {
            let pieces: Vec<String> = f.tokens.iter().map(|&t| tok.decode(&[t])).collect();
            let mut offset = 0;
            let offsets: Vec<usize> = pieces
                .iter()
                .map(|piece| {
                    let at = offset;
                    offset += piece.len();
                    at
                })
                .collect();
            json!({"tokens": pieces, "token_logprobs": f.logprobs, "top_logprobs": null, "text_offset": offsets})
        });
        let text = if p.echo { format!("{}{}", p.prompt, f.text) } else { f.text };
        choices.push(json!({"index": i, "text": text, "logprobs": logprobs, "finish_reason": finish_name(f.finish),
            "stop_reason": f.stop_reason}));
    }
    let body = json!({
        "id": format!("cmpl-{number}"), "object": "text_completion", "created": s.created, "model": s.model_name,
        "choices": choices, "usage": usage(prepared.prompt_tokens, completion_tokens, reasoning, prepared.prompt_tokens.saturating_sub(computed)),
    });
    Ok(axum::Json(body).into_response())
}
