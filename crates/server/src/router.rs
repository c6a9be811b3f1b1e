//! The routes (the API, and the chat page at `/`), and the edges that keep every answer in OpenAI's shape: a body over the limit is
//! a 413, an unknown path a 404 and a wrong method a 405, each with the error JSON; every
//! response is counted in `/metrics` by endpoint and status.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use crate::api_error::ApiError;
use crate::state::AppState;
use crate::wire;

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 1 << 20;

fn body_error(rejection: BytesRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError {
            code: Some("request_too_large"),
            ..ApiError::with_status(
                StatusCode::PAYLOAD_TOO_LARGE,
                "invalid_request_error",
                format!("the request body is over the {MAX_BODY_BYTES}-byte limit"),
            )
        };
    }
    ApiError::bad_request(format!("could not read the request body: {rejection}"))
}

async fn chat(State(s): State<Arc<AppState>>, body: Result<Bytes, BytesRejection>) -> Response {
    let result = async {
        let body = body.map_err(body_error)?;
        let p = wire::chat_params(&body)?;
        s.check_model(&p.model)?;
        crate::dispatch::chat(Arc::clone(&s), p).await
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn completions(State(s): State<Arc<AppState>>, body: Result<Bytes, BytesRejection>) -> Response {
    let result = async {
        let body = body.map_err(body_error)?;
        let p = wire::completion_params(&body)?;
        s.check_model(&p.model)?;
        crate::completions::handle(Arc::clone(&s), p).await
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn models(State(s): State<Arc<AppState>>) -> Json<serde_json::Value> {
    Json(json!({"object": "list", "data": [
        {"id": s.model_name, "object": "model", "created": s.created, "owned_by": "deepthink"}
    ]}))
}

/// The chat page (embedded: no build step, no files to ship).
const PAGE: &str = include_str!("page.html");

async fn page() -> axum::response::Html<&'static str> {
    axum::response::Html(PAGE)
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

async fn metrics(State(s): State<Arc<AppState>>) -> impl IntoResponse {
    ([("content-type", "text/plain; version=0.0.4")], s.metrics.render())
}

async fn not_found(req: Request) -> ApiError {
    ApiError::not_found(format!("no route {} {}", req.method(), req.uri().path()), None, "unknown_url")
}

async fn record(State(s): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let method = req.method().clone();
    let mut resp = next.run(req).await;
    if resp.status() == StatusCode::METHOD_NOT_ALLOWED && resp.headers().get("content-type").is_none() {
        let allow = resp.headers().get("allow").cloned();
        resp = ApiError::with_status(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request_error",
            format!("{path} does not take {method}"),
        )
        .into_response();
        if let Some(a) = allow {
            resp.headers_mut().insert("allow", a);
        }
    }
    let endpoint = match path.as_str() {
        "/v1/chat/completions" | "/v1/completions" | "/v1/models" | "/health" | "/metrics" | "/" => path.as_str(),
        _ => "other",
    };
    s.metrics.record(endpoint, resp.status().as_u16());
    resp
}

/// Every route over `state`.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/v1/chat/completions", post(chat))
        .route("/v1/completions", post(completions))
        .route("/v1/models", get(models))
        .route("/", get(page))
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(Arc::clone(&state), record))
        .with_state(state)
}
