//! The shipped default model (models/default, the third generalist: `+`, `−`, `×` on 1–5-digit
//! operands and countdown): it answers the lecture's two examples as the README shows — `1+1` at
//! once, `123*456` worked through and checked — and keeps its measured accuracy on held-out
//! problems.

use std::process::Command;

fn deepthink(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_deepthink")).args(args).env_remove("DEEPTHINK_MODEL").output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

fn ask(question: &str) -> Vec<String> {
    let (ok, stdout, stderr) = deepthink(&["ask", question]);
    assert!(ok, "ask {question:?}: {stderr}");
    stdout.lines().map(str::to_string).collect()
}

#[test]
fn one_plus_one_is_answered_without_thinking() {
    for question in ["1+1", "1 + 1", "what is 1 plus 1?"] {
        assert_eq!(ask(question), ["(answered without thinking)", "2"], "{question}");
    }
}

#[test]
fn a_product_is_worked_through_readably_and_checked() {
    let (ok, stdout, stderr) = deepthink(&["ask", "123*456"]);
    assert!(ok, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    let section = [
        "thinking…",
        "123*6: 8370 = 738",
        "123*5: 5160 = 615",
        "123*4: 2940 = 492",
        "sum: 88860 = 6888",
        "sum: 880650 = 56088",
        "check mod 9: 1+2=3+3=6 is 6, 4+5=9+6=15 is 6, 6*6=36 is 0, 5+6=11+0=11+8=19+8=27 is 0, ok",
        "",
    ];
    assert_eq!(lines.get(..section.len()), Some(&section[..]), "{stdout}");
    assert!(lines.get(section.len()).is_some_and(|l| l.starts_with("(thought for ")), "{stdout}");
    assert_eq!(lines.last(), Some(&"56088"), "{stdout}");
    assert!(stderr.contains("Correct"), "{stderr}");
}

#[test]
fn a_forced_wrong_partial_product_fails_the_check_and_is_redone() {
    let (ok, stdout, stderr) = deepthink(&["ask", "--think-line", "123*6: 9370 = 739", "123*456"]);
    assert!(ok, "{stderr}");
    let check = stdout.lines().find(|l| l.starts_with("check mod 9:")).unwrap_or_default();
    assert!(check.ends_with(", wrong"), "the check must catch the forced slip: {stdout}");
    assert!(stdout.contains("\nagain:\n123*6: 8370 = 738\n"), "the redo starts from the right row: {stdout}");
    assert_eq!(stdout.lines().last(), Some("56088"), "{stdout}");
}

#[test]
fn typed_questions_are_understood() {
    for (question, answer) in [
        ("what is 12 times 34?", "408"),
        ("what is 500 minus 123?", "377"),
        ("12 - 34", "-22"),
        ("98765+4321", "103086"),
    ] {
        assert_eq!(ask(question).last().map(String::as_str), Some(answer), "{question}");
    }
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
fn held_out_arithmetic_stays_accurate() {
    for task in ["mult", "add", "sub"] {
        let (ok, stdout, stderr) = deepthink(&[
            "eval",
            "--json",
            "--task",
            task,
            "--min-digits",
            "1",
            "--max-digits",
            "3",
            "-n",
            "200",
            "--seed",
            "7",
        ]);
        assert!(ok, "{stderr}");
        let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let acc = v["accuracy"].as_f64().unwrap();
        assert!(acc >= 0.97, "held-out {task} accuracy fell to {acc}");
    }
}

#[test]
fn questions_outside_its_training_are_refused_clearly() {
    let (ok, _, stderr) = deepthink(&["ask", "123456*7"]);
    assert!(!ok);
    assert!(stderr.contains("digits"), "{stderr}");
    let (ok, _, stderr) = deepthink(&["ask", "what is the capital of france"]);
    assert!(!ok);
    assert!(stderr.contains("question forms"), "the refusal names the forms it knows: {stderr}");
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
    let (ok, stdout, stderr) = deepthink(&[
        "eval",
        "--json",
        "--task",
        "mult",
        "--min-digits",
        "1",
        "--max-digits",
        "5",
        "--problems",
        path.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["n"], 2);
    assert_eq!(v["correct"], 2, "{v}");
}
