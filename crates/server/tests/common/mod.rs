//! The server over the repository's default model (a 2.9 MB multiplication model), driven
#![allow(dead_code)] // each test binary that includes this module uses a different part of it
//! through axum's router without a socket.

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use deepthink_model::ChatTokenizer;
use deepthink_server::{AppState, EngineConfig};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub const MODEL: &str = "default";

pub fn model_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/mult-compact")
}

pub fn state(cfg: EngineConfig) -> Arc<AppState> {
    state_with(cfg, |_| {})
}

/// A state adjusted before it is shared (a short timeout, a verifier).
pub fn state_with(cfg: EngineConfig, adjust: impl FnOnce(&mut AppState)) -> Arc<AppState> {
    let ck = deepthink_model::load_checkpoint(&model_dir()).unwrap();
    let mut s = deepthink_server::serve::local_state(ck, MODEL.into(), cfg);
    adjust(&mut s);
    Arc::new(s)
}

pub fn tokenizer() -> ChatTokenizer {
    ChatTokenizer::load(&model_dir()).unwrap()
}

pub struct Reply {
    pub status: u16,
    pub headers: axum::http::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// The `data:` payloads of an SSE body.
    pub fn events(&self) -> Vec<String> {
        self.text.lines().filter_map(|l| l.strip_prefix("data: ")).map(str::to_string).collect()
    }
}

pub async fn call(state: &Arc<AppState>, method: &str, path: &str, body: impl Into<String>) -> Reply {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .body(Body::from(body.into()))
        .unwrap();
    let resp = deepthink_server::router(Arc::clone(state)).oneshot(req).await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    Reply { status, headers, text: String::from_utf8_lossy(&bytes).into_owned() }
}

pub async fn chat(state: &Arc<AppState>, extra: serde_json::Value) -> Reply {
    let mut body = serde_json::json!({"model": MODEL, "messages": [{"role": "user", "content": "123*456"}]});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    call(state, "POST", "/v1/chat/completions", body.to_string()).await
}
