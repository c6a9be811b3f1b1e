//! The engine under pressure: more requests than the queue holds get 503 with `Retry-After`
//! and the rest are answered; clients that leave mid-stream free their slots; afterwards the
//! gauges are back at idle.

mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use common::{call, chat, state, state_with, MODEL};
use deepthink_server::EngineConfig;
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

async fn idle(s: &std::sync::Arc<deepthink_server::AppState>) -> String {
    for _ in 0..200 {
        let m = call(s, "GET", "/metrics", "").await.text;
        if m.contains("deepthink_sequences_in_flight 0") && m.contains("deepthink_queue_depth 0") {
            return m;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the server never went back to idle: {}", call(s, "GET", "/metrics", "").await.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_queue_requests_get_503_and_nothing_leaks() {
    let s = state(EngineConfig { slots: 2, queue: 4, ..EngineConfig::default() });
    let mut tasks = Vec::new();
    for i in 0..16 {
        let s = std::sync::Arc::clone(&s);
        tasks.push(tokio::spawn(
            async move { chat(&s, json!({"temperature": 1.0, "seed": i, "max_tokens": 60})).await },
        ));
    }
    let (mut ok, mut busy) = (0, 0);
    for t in tasks {
        let r = t.await.unwrap();
        match r.status {
            200 => ok += 1,
            503 => {
                busy += 1;
                assert_eq!(r.headers.get("retry-after").and_then(|v| v.to_str().ok()), Some("1"));
                assert_eq!(r.json()["error"]["code"], "server_busy");
            }
            other => panic!("status {other}: {}", r.text),
        }
    }
    assert!(ok >= 4 && busy >= 1, "{ok} answered, {busy} refused");
    let m = idle(&s).await;
    assert!(m.contains(&format!("status=\"503\"}} {busy}")), "{m}");
    assert_eq!(chat(&s, json!({"temperature": 0})).await.status, 200, "healthy afterwards");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_leave_mid_stream_free_their_slots() {
    let s = state(EngineConfig { slots: 4, queue: 64, ..EngineConfig::default() });
    for i in 0..12 {
        let body = json!({"model": MODEL, "messages": [{"role": "user", "content": "123*456"}], "stream": true,
            "seed": i, "temperature": 1.0, "min_thinking_tokens": 100, "max_tokens": 150});
        let req = Request::post("/v1/chat/completions").body(Body::from(body.to_string())).unwrap();
        let resp = deepthink_server::router(std::sync::Arc::clone(&s)).oneshot(req).await.unwrap();
        let mut body = resp.into_body();
        let first = body.frame().await.unwrap().unwrap();
        assert!(first.data_ref().is_some_and(|d| d.starts_with(b"data: ")));
        drop(body); // the client goes away
    }
    let m = idle(&s).await;
    let cancelled: u64 = m
        .lines()
        .find_map(|l| l.strip_prefix("deepthink_cancelled_sequences_total "))
        .and_then(|v| v.parse().ok())
        .unwrap();
    assert!(cancelled >= 8, "only {cancelled} of 12 abandoned sequences were cancelled: {m}");
    assert_eq!(chat(&s, json!({"temperature": 0})).await.json()["choices"][0]["message"]["content"], "56088");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_past_its_timeout_gets_504_and_frees_its_slot() {
    let s = state_with(EngineConfig::default(), |s| s.timeout = Duration::from_millis(5));
    let r = chat(&s, json!({"temperature": 1.0, "max_tokens": 240, "min_thinking_tokens": 200, "n": 8})).await;
    assert_eq!(r.status, 504, "{}", r.text);
    assert_eq!(r.json()["error"]["type"], "timeout_error");
    let m = idle(&s).await;
    assert!(!m.contains("deepthink_cancelled_sequences_total 0"), "{m}");
}
