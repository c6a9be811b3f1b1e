//! `--backend`: strategies run against another OpenAI-compatible server (here a `deepthink
//! serve` started by the test) give the answers the local model gives, seed for seed — whole
//! samples through /v1/chat/completions (n > 1 in one call), step-level beam search through
//! /v1/completions — and a server too busy to take every request (503 + Retry-After) is
//! retried until it does.

mod common;

use common::{http_get, succeeds, Server};

fn predictions(path: &std::path::Path) -> Vec<(String, String, String)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
            (s("question"), s("answer"), s("completion"))
        })
        .collect()
}

fn eval(dir: &std::path::Path, name: &str, strategy: &[&str], backend: Option<&str>) -> Vec<(String, String, String)> {
    let out = dir.join(name);
    let mut args = vec!["eval", "-n", "24", "--predictions", out.to_str().unwrap()];
    args.extend_from_slice(strategy);
    if let Some(b) = backend {
        args.extend_from_slice(&["--backend", b]);
    }
    succeeds(&args);
    predictions(&out)
}

#[test]
fn strategies_through_a_backend_answer_as_the_local_model_does() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&[]);
    for (name, strategy) in [
        ("majority", &["--strategy", "majority", "--samples", "4"][..]),
        ("beam", &["--strategy", "beam", "--verifier", "oracle", "--samples", "4"][..]),
    ] {
        let local = eval(dir.path(), &format!("{name}-local.jsonl"), strategy, None);
        let remote = eval(dir.path(), &format!("{name}-remote.jsonl"), strategy, Some(&server.base));
        assert_eq!(local.len(), 24);
        assert_eq!(local, remote, "{name}");
    }
}

#[test]
fn a_busy_backend_is_retried_until_it_answers() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&["--slots", "2", "--queue", "3"]);
    let strategy = ["--strategy", "sample", "--temperature", "1.0"];
    let local = eval(dir.path(), "local.jsonl", &strategy, None);
    let remote = eval(dir.path(), "remote.jsonl", &strategy, Some(&server.base));
    assert_eq!(local, remote);
    let metrics = http_get(&server.base, "/metrics");
    assert!(metrics.contains("status=\"503\""), "the backend was never busy, so nothing was retried: {metrics}");
}
