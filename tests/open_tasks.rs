//! A built-in task's problems, exported with `deepthink data` and read back as an open task
//! (`--task qa`), train bit-for-bit as the built-in task does on the same file: the file reader,
//! the hash split and the example order do not depend on which task reads the lines.

mod common;

use common::{deepthink, succeeds, tiny_run, TINY_SHAPE};

#[test]
fn an_exported_task_trains_identically_as_an_open_task() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("add.jsonl");
    let data = data.to_str().unwrap();
    succeeds(&[
        "data",
        "--task",
        "add",
        "--trace",
        "carry",
        "--min-digits",
        "1",
        "--max-digits",
        "2",
        "-n",
        "200",
        "-o",
        data,
    ]);
    let mut tiny = vec!["--steps", "12", "--batch-size", "8", "--eval-every", "12", "--eval-problems", "4"];
    tiny.extend_from_slice(TINY_SHAPE);
    let run = |task: &str| {
        let run = dir.path().join(task);
        let mut args = vec!["train", "sft", "--task", task, "--data", data, "--run", run.to_str().unwrap()];
        args.extend_from_slice(&tiny);
        succeeds(&args);
        let losses: Vec<f64> = std::fs::read_to_string(run.join("metrics.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["loss"].as_f64().unwrap())
            .collect();
        (losses, std::fs::read(run.join("checkpoint/model.safetensors")).unwrap())
    };
    let (built_in, built_in_weights) = run("add");
    let (open, open_weights) = run("qa");
    assert_eq!(built_in.len(), 12);
    assert_eq!(built_in, open, "the same loss curve, bit for bit");
    assert!(built_in_weights == open_weights, "the same weights, byte for byte");
}

#[test]
fn a_model_trained_on_a_question_file_answers_typed_in_questions() {
    let dir = tempfile::tempdir().unwrap();
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/crates/tasks/tests/data/qa-sample.jsonl");
    let run = dir.path().join("qa");
    let mut args = vec!["train", "sft", "--task", "qa", "--data", sample, "--run", run.to_str().unwrap()];
    args.extend(tiny_run());
    args.extend_from_slice(&["--eval-every", "2", "--eval-problems", "2"]);
    succeeds(&args);
    let model = run.join("checkpoint");
    let out = deepthink(&["ask", "--model", model.to_str().unwrap(), "--max-new-tokens", "4", "what is 2 + 2?"]);
    let err = String::from_utf8_lossy(&out.stderr);
    // Two steps of training answer nothing useful; what matters is that the question is asked.
    assert!(!err.contains("typed-in") && !err.contains("this model answers"), "{err}");
}
