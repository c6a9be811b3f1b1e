//! Bad input through the binary: each is a one-line error and a non-zero exit, never a panic,
//! and nothing already written is damaged.

mod common;

use std::path::Path;
use std::process::Output;

use common::{deepthink, succeeds, tiny_run};

/// Asserts failure with exactly one line on stderr that contains `needle`.
fn fails_with(out: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "expected failure, got success; stderr: {err}");
    assert!(!err.contains("panicked"), "panic: {err}");
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one line, got: {err}");
    assert!(lines[0].starts_with("error: ") && lines[0].contains(needle), "expected {needle:?} in {err}");
}

fn tiny_checkpoint(dir: &Path) {
    let mut args = vec!["train", "sft", "--run", dir.to_str().unwrap()];
    args.extend(tiny_run());
    args.extend_from_slice(&["--eval-problems", "2", "--eval-every", "2"]);
    succeeds(&args);
}

#[test]
fn unknown_task_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("x.jsonl");
    fails_with(&deepthink(&["data", "--task", "sudoku", "-o", out_file.to_str().unwrap()]), "sudoku");
    assert!(!out_file.exists(), "nothing should be written");
}

#[test]
fn malformed_jsonl_line_is_named_by_number() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d.jsonl");
    let good = r#"{"prompt":[{"role":"user","content":"1*2"}],"completion":[{"role":"assistant","content":"<think>\n\n</think>\n\n2"}]}"#;
    std::fs::write(&data, format!("{good}\n{good}\n{{\"prompt\": 3}}\n")).unwrap();
    let run = dir.path().join("run");
    fails_with(
        &deepthink(&["train", "sft", "--data", data.to_str().unwrap(), "--run", run.to_str().unwrap()]),
        "line 3",
    );
}

#[test]
fn truncated_weights_and_mismatched_config_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    tiny_checkpoint(&run);
    let ck = run.join("checkpoint");
    let model = ck.to_str().unwrap();
    // A config whose shapes disagree with the weights.
    let cfg_path = ck.join("config.json");
    let cfg = std::fs::read_to_string(&cfg_path).unwrap();
    std::fs::write(&cfg_path, cfg.replace("\"intermediate_size\": 16", "\"intermediate_size\": 24")).unwrap();
    fails_with(&deepthink(&["ask", "--model", model, "12*34"]), "shape");
    std::fs::write(&cfg_path, cfg).unwrap();
    // A truncated safetensors file.
    let st = ck.join("model.safetensors");
    let bytes = std::fs::read(&st).unwrap();
    std::fs::write(&st, &bytes[..bytes.len() / 2]).unwrap();
    fails_with(&deepthink(&["ask", "--model", model, "12*34"]), "safetensors");
    fails_with(&deepthink(&["eval", "--model", model, "-n", "2"]), "safetensors");
}

#[test]
fn empty_and_unparseable_questions_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    tiny_checkpoint(&run);
    let model = run.join("checkpoint");
    let model = model.to_str().unwrap();
    fails_with(&deepthink(&["ask", "--model", model, "  "]), "empty");
    fails_with(&deepthink(&["ask", "--model", model, "what is love"]), "mult");
    fails_with(&deepthink(&["ask", "--model", model, "12345*6"]), "digits");
}

#[test]
fn a_missing_model_directory_is_named() {
    fails_with(&deepthink(&["ask", "--model", "/nonexistent/model", "1*2"]), "/nonexistent/model");
}

#[test]
fn bad_strategy_settings_are_named() {
    fails_with(&deepthink(&["eval", "-n", "2", "--strategy", "beam"]), "needs a verifier");
    fails_with(&deepthink(&["eval", "-n", "2", "--strategy", "tree-of-thought"]), "unknown strategy `tree-of-thought`");
    fails_with(&deepthink(&["eval", "-n", "2", "--strategy", "majority", "--budgets", "0,4"]), "at least 1, got 0");
    fails_with(&deepthink(&["eval", "-n", "2", "--strategy", "majority,beam", "--samples", "4"]), "needs a verifier");
    fails_with(&deepthink(&["eval", "-n", "2", "--strategy", "majority,greedy"]), "need --budgets");
    fails_with(
        &deepthink(&["eval", "-n", "2", "--strategy", "majority", "--samples", "0"]),
        "`samples` must be at least 1",
    );
    fails_with(
        &deepthink(&["eval", "-n", "2", "--strategy", "best-of-n", "--verifier", "/nonexistent/verifier"]),
        "/nonexistent/verifier",
    );
}

#[test]
fn a_grid_with_other_settings_is_not_mixed_into_a_cached_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("grid");
    let grid = |temperature: &str| {
        deepthink(&[
            "eval",
            "-n",
            "3",
            "--strategy",
            "greedy,majority",
            "--budgets",
            "1,2",
            "--seeds",
            "1",
            "--max-new-tokens",
            "64",
            "--temperature",
            temperature,
            "--out",
            out.to_str().unwrap(),
        ])
    };
    let first = grid("0.7");
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    for f in ["cells.jsonl", "summary.md", "summary.json", "accuracy-vs-n.svg", "accuracy-vs-flops.svg"] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let cells = std::fs::read_to_string(out.join("cells.jsonl")).unwrap();
    assert_eq!(cells.lines().count(), 3, "greedy once, majority at N=1 and N=2");
    // A rerun resumes: nothing is recomputed, nothing appended.
    assert!(grid("0.7").status.success());
    assert_eq!(std::fs::read_to_string(out.join("cells.jsonl")).unwrap(), cells);
    fails_with(&grid("0.9"), "other settings");
}

#[test]
fn plotting_a_run_without_metrics_names_the_file() {
    fails_with(&deepthink(&["plot", "/nonexistent/run"]), "/nonexistent/run/metrics.jsonl");
}

#[test]
fn a_config_file_runs_as_its_flags_would_and_refuses_extra_flags() {
    let dir = tempfile::tempdir().unwrap();
    let mut flags: Vec<&str> = vec![
        "--task",
        "add",
        "--trace",
        "carry",
        "--min-digits",
        "1",
        "--max-digits",
        "1",
        "--max-seq-len",
        "64",
        "--max-len",
        "64",
        "--eval-problems",
        "2",
    ];
    flags.extend(tiny_run());
    let mut args = vec!["train", "sft", "--print-config"];
    args.extend_from_slice(&flags);
    let printed = succeeds(&args);
    let file = dir.path().join("add.toml");
    std::fs::write(&file, &printed.stdout).unwrap();
    let text = String::from_utf8_lossy(&printed.stdout).to_string();
    assert!(text.contains("task = \"add\"") && text.contains("trace = \"carry\""), "{text}");
    let f = file.to_str().unwrap();
    fails_with(&deepthink(&["train", "sft", "--config", f, "--lr", "0.1"]), "--lr cannot be combined");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let mut from_flags = vec!["train", "sft", "--run", a.to_str().unwrap()];
    from_flags.extend_from_slice(&flags);
    assert!(deepthink(&from_flags).status.success());
    assert!(deepthink(&["train", "sft", "--config", f, "--run", b.to_str().unwrap()]).status.success());
    let weights = |d: &Path| std::fs::read(d.join("checkpoint/model.safetensors")).unwrap();
    assert_eq!(weights(&a), weights(&b), "the file and the flags make the same run");
    std::fs::write(&file, "steps = \"many\"\n").unwrap();
    fails_with(&deepthink(&["train", "sft", "--config", f]), "steps");
    fails_with(&deepthink(&["train", "grpo", "--steps", "1"]), "--init-from");
}

#[test]
fn tasks_lists_every_registered_task_with_its_styles() {
    let out = deepthink(&["tasks", "--json"]);
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let names: Vec<&str> = lines.iter().filter_map(|v| v["task"].as_str()).collect();
    assert_eq!(names, vec!["mult", "countdown", "add", "sub", "qa", "mix"]);
    assert_eq!(lines[5]["trace_styles"], serde_json::json!(["direct", "mixed"]));
    assert_eq!(lines[3]["trace_styles"], serde_json::json!(["direct", "borrow"]));
    assert_eq!(lines[2]["trace_styles"], serde_json::json!(["direct", "carry", "recheck"]));
}

#[test]
fn a_question_answer_file_is_evaluated_as_task_qa() {
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/crates/tasks/tests/data/qa-sample.jsonl");
    let out = succeeds(&["eval", "--task", "qa", "--problems", sample, "--json", "--max-new-tokens", "16"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["n"], 55, "every line is scored");
    let held =
        deepthink(&["eval", "--task", "qa", "--problems", sample, "--held-out", "--json", "--max-new-tokens", "16"]);
    let h: serde_json::Value = serde_json::from_slice(&held.stdout).unwrap();
    assert!(h["n"].as_u64().unwrap() < 55, "--held-out scores only the held-out lines: {h}");
    fails_with(&deepthink(&["eval", "--task", "qa", "--problems", sample, "--answer-mode", "fuzzy"]), "fuzzy");
    fails_with(&deepthink(&["eval", "--task", "qa"]), "qa_file");
}

#[test]
fn eval_checks_answers_with_a_verifier_process() {
    let script =
        |name: &str| format!("python3 -u {}/crates/tasks/tests/data/verifiers/{name}.py", env!("CARGO_MANIFEST_DIR"));
    let run = |cmd: &str| deepthink(&["eval", "-n", "20", "--json", "--verifier-cmd", cmd]);
    let own: serde_json::Value = serde_json::from_slice(&deepthink(&["eval", "-n", "20", "--json"]).stdout).unwrap();
    let out = run(&script("exact"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["correct"], own["correct"], "the process and the task's checker agree");
    fails_with(&run(&script("garbage")), "not a JSON score for line 0");
}

#[test]
fn grpo_takes_its_prompts_from_a_question_answer_file() {
    let dir = tempfile::tempdir().unwrap();
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/crates/tasks/tests/data/qa-sample.jsonl");
    let run = dir.path().join("run");
    let out = deepthink(&[
        "train",
        "grpo",
        "--init-from",
        concat!(env!("CARGO_MANIFEST_DIR"), "/models/mult-compact"),
        "--data",
        sample,
        "--steps",
        "1",
        "--prompts",
        "2",
        "--group",
        "2",
        "--max-new-tokens",
        "8",
        "--eval-problems",
        "2",
        "--run",
        run.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let state = std::fs::read_to_string(run.join("checkpoint/trainer_state.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&state).unwrap();
    assert_eq!(v["config"]["task"], "qa");
    assert!(v["config"]["task_config"]["qa_file"].as_str().unwrap().ends_with("qa-sample.jsonl"), "{v}");
}

#[test]
fn exporting_a_character_level_model_to_gguf_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.gguf");
    fails_with(&deepthink(&["export", "--gguf", out.to_str().unwrap()]), "byte-level BPE");
    assert!(!out.exists());
}
