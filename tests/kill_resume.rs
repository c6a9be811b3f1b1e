//! A training run killed with SIGKILL resumes from its last checkpoint and finishes.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn sft_args(run: &str) -> Vec<String> {
    [
        "train",
        "sft",
        "--run",
        run,
        "--steps",
        "400",
        "--batch-size",
        "8",
        "--d-model",
        "32",
        "--layers",
        "2",
        "--heads",
        "2",
        "--kv-heads",
        "1",
        "--ffn",
        "32",
        "--eval-problems",
        "4",
        "--eval-every",
        "400",
        "--save-every",
        "20",
        "--threads",
        "1",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

#[test]
fn kill_9_then_resume() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let run_s = run.to_str().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_deepthink"))
        .args(sft_args(run_s))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let state = run.join("checkpoint/trainer_state.json");
    let start = Instant::now();
    while !state.exists() && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(150));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(state.exists(), "no checkpoint was written before the kill");
    let out = Command::new(env!("CARGO_BIN_EXE_deepthink")).args(sft_args(run_s)).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let resumed_at: u64 = err
        .split("resuming from step ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no resume message: {err}"));
    assert!(resumed_at < 400, "the kill landed after the run had finished ({resumed_at})");
    assert!(err.contains("trained 400 steps"), "{err}");
    let lines = std::fs::read_to_string(run.join("metrics.jsonl")).unwrap();
    let steps: Vec<u64> = lines
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["step"].as_u64().unwrap())
        .collect();
    assert_eq!(steps, (1..=400).collect::<Vec<_>>(), "metrics.jsonl must hold each step exactly once");
}
