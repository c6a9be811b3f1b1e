//! The shipped default model (models/default) answers the README's question, with reasoning,
//! and keeps its measured accuracy on held-out problems.

use std::process::Command;

fn deepthink(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_deepthink")).args(args).env_remove("DEEPTHINK_MODEL").output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[test]
fn ask_streams_reasoning_then_the_answer_alone_on_the_last_line() {
    let (ok, stdout, stderr) = deepthink(&["ask", "123*456"]);
    assert!(ok, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.last(), Some(&"56088"), "{stdout}");
    assert!(lines.len() >= 3, "expected reasoning lines before the answer: {stdout}");
    assert!(stderr.contains("Correct"), "{stderr}");
}

#[test]
fn ask_json_has_the_documented_fields() {
    let (ok, stdout, stderr) = deepthink(&["ask", "--json", "99*12"]);
    assert!(ok, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(v["answer"], "1188");
    assert_eq!(v["question"], "99*12");
    for field in ["reasoning", "tokens", "model"] {
        assert!(!v[field].is_null(), "missing {field}: {v}");
    }
}

#[test]
fn held_out_three_digit_products_stay_accurate() {
    let (ok, stdout, stderr) = deepthink(&["eval", "--json", "-n", "200", "--seed", "7"]);
    assert!(ok, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let acc = v["accuracy"].as_f64().unwrap();
    assert!(acc >= 0.97, "held-out 3x3 accuracy fell to {acc}");
}

#[test]
fn questions_outside_its_training_are_refused_clearly() {
    let (ok, _, stderr) = deepthink(&["ask", "123456*7"]);
    assert!(!ok);
    assert!(stderr.contains("digits"), "{stderr}");
    let (ok, _, stderr) = deepthink(&["ask", "what is the capital of france"]);
    assert!(!ok);
    assert!(stderr.contains("mult"), "{stderr}");
}

#[test]
fn reasoning_gym_problem_files_are_evaluated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("products.jsonl");
    std::fs::write(
        &path,
        concat!(
            r#"{"question": "Solve the following multiplication: 123 * 456. Give only the result as your final answer.", "answer": "56088", "metadata": {"expression": "123 * 456"}}"#,
            "\n",
            r#"{"question": "Solve the following multiplication: 77 * 3. Give only the result as your final answer.", "answer": "231", "metadata": {}}"#,
            "\n"
        ),
    )
    .unwrap();
    let (ok, stdout, stderr) =
        deepthink(&["eval", "--json", "--min-digits", "1", "--max-digits", "5", "--problems", path.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["n"], 2);
    assert_eq!(v["correct"], 2, "{v}");
}

#[test]
fn eval_runs_majority_voting_and_charges_every_sample() {
    let run = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["eval", "--json", "-n", "16", "--seed", "3"];
        args.extend_from_slice(extra);
        let (ok, stdout, stderr) = deepthink(&args);
        assert!(ok, "{stderr}");
        serde_json::from_str(&stdout).unwrap()
    };
    let greedy = run(&[]);
    let voted = run(&["--strategy", "majority", "--samples", "4", "--temperature", "1.0"]);
    assert_eq!(voted["n"], 16);
    assert!(voted["accuracy"].as_f64().unwrap() >= 0.9, "{voted}");
    let (g, v) = (greedy["generated_tokens"].as_f64().unwrap(), voted["generated_tokens"].as_f64().unwrap());
    assert!(v > 3.5 * g && v < 4.5 * g, "4 samples should cost ~4x greedy: {v} vs {g}");
}

#[test]
fn sampled_evaluation_reports_pass_at_k_and_maj_at_k() {
    let (ok, stdout, stderr) = deepthink(&[
        "eval",
        "--json",
        "-n",
        "40",
        "--seed",
        "5",
        "--strategy",
        "majority",
        "--samples",
        "6",
        "--temperature",
        "2.5",
        "--min-digits",
        "4",
        "--max-digits",
        "5",
    ]);
    assert!(ok, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let s = &v["samples"];
    assert_eq!(s["k"], 6);
    let (pass_k, pass_1, maj_k) =
        (s["pass_at_k"].as_f64().unwrap(), s["pass_at_1"].as_f64().unwrap(), s["maj_at_k"].as_f64().unwrap());
    assert_eq!(maj_k, v["accuracy"].as_f64().unwrap(), "maj@k is what majority voting scored");
    assert!(pass_1 <= pass_k && maj_k <= pass_k && pass_1 < 1.0, "{s}");
    let (_, greedy, _) = deepthink(&["eval", "--json", "-n", "10"]);
    assert!(
        serde_json::from_str::<serde_json::Value>(&greedy).unwrap().get("samples").is_none(),
        "one sample: no pass@k"
    );
}
