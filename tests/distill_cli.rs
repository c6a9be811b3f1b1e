//! `deepthink distill` end to end: a model teacher's verified samples become a file that
//! `train sft --data` trains on; bad input gets a one-line error.

mod common;

use common::{deepthink, succeeds, tiny_run};

#[test]
fn a_model_teachers_verified_samples_train_a_student() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("distilled.jsonl");
    let out_s = out.to_str().unwrap();
    let done =
        succeeds(&["distill", "--task", "mult", "-n", "6", "--samples", "3", "--temperature", "1.5", "-o", out_s]);
    let stdout = String::from_utf8_lossy(&done.stdout);
    assert!(stdout.contains("candidates right") && stdout.contains("train sft --data"), "{stdout}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("distilled.jsonl.report.json")).unwrap()).unwrap();
    assert_eq!(report["candidates"], 18);
    assert_eq!(report["kept"], report["solved"], "keep 1: one line a solved problem");
    assert!(report["teacher"].as_str().unwrap().contains("majority×3"), "{report}");
    let run = dir.path().join("student");
    let mut args = vec!["train", "sft", "--data", out_s, "--task", "mult", "--run", run.to_str().unwrap()];
    args.extend(tiny_run());
    succeeds(&args);
    assert!(run.join("checkpoint/model.safetensors").exists());
}

#[test]
fn bad_distill_input_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.jsonl");
    let out_s = out.to_str().unwrap();
    let e = deepthink(&["distill", "--task", "mult", "--strategy", "vibes", "-o", out_s]);
    assert!(!e.status.success());
    assert!(String::from_utf8_lossy(&e.stderr).contains("unknown strategy `vibes`"));
    let e = deepthink(&["distill", "--task", "mult", "--strategy", "beam", "-o", out_s]);
    assert!(String::from_utf8_lossy(&e.stderr).contains("needs a verifier"));
    let e = deepthink(&["distill", "--task", "mult", "--keep", "0", "-n", "2", "-o", out_s]);
    assert!(String::from_utf8_lossy(&e.stderr).contains("`keep`"), "{}", String::from_utf8_lossy(&e.stderr));
    assert!(!out.exists(), "nothing is written for a refused run");
}
