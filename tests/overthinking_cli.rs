//! The overthinking tools from the command line: the mixed suite, per-cell evaluation, typed
//! questions, the thinking section of `ask`, and L1's flags refusing bad values.

mod common;

use common::{deepthink, succeeds};

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_mixed_suite_writes_a_table_json_and_a_chart_with_every_bin() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    succeeds(&["eval", "--suite", "mixed", "--per-bin", "3", "--max-new-tokens", "64", "--out", out]);
    let rows: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("suite.json")).unwrap()).unwrap();
    let bins = rows[0]["bins"].as_array().unwrap();
    assert_eq!(bins.len(), 7);
    assert!(bins.iter().all(|b| b["n"] == 3), "{bins:?}");
    // The compact mult model (the test model) multiplies: its product bins are right, its countdown bins are not.
    assert_eq!(bins[3]["accuracy"], 1.0, "{bins:?}");
    assert_eq!(bins[5]["accuracy"], 0.0, "{bins:?}");
    let svg = std::fs::read_to_string(dir.path().join("suite.svg")).unwrap();
    assert!(svg.contains("countdown-4") && svg.contains("mult-compact greedy"), "{svg}");
    let err = deepthink(&["eval", "--suite", "hard", "--out", out]);
    assert!(!err.status.success());
    assert!(String::from_utf8_lossy(&err.stderr).contains("unknown suite `hard`"));
}

#[test]
fn per_group_evaluation_fills_each_cell() {
    let out =
        succeeds(&["eval", "--min-digits", "2", "--max-digits", "3", "--per-group", "5", "--max-new-tokens", "64"]);
    let text = stdout(&out);
    for cell in ["2x2", "2x3", "3x2", "3x3"] {
        assert!(text.contains(&format!("{cell}: 100.0% of 5")), "{cell}: {text}");
    }
}

#[test]
fn ask_reads_typed_questions_and_shows_a_thinking_section() {
    let out = succeeds(&["ask", "what is 12 times 34?"]);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.first(), Some(&"thinking…"), "{text}");
    assert_eq!(lines.last(), Some(&"408"), "{text}");
    assert!(lines.iter().any(|l| l.starts_with("(thought for ") && l.ends_with(" tokens)")), "{text}");
    let cut = succeeds(&["ask", "12*34", "--max-thinking-tokens", "0"]);
    assert!(stdout(&cut).starts_with("(answered without thinking)\n"), "{}", stdout(&cut));
    // A forced first line is shown as part of the reasoning and the model continues after it.
    let forced = succeeds(&["ask", "123*456", "--think-line", "8370"]);
    assert!(stdout(&forced).starts_with("thinking…\n8370\n5160\n"), "{}", stdout(&forced));
}

#[test]
fn l1_flags_refuse_bad_values_naming_the_flag() {
    let run = tempfile::tempdir().unwrap();
    let out = deepthink(&[
        "train",
        "grpo",
        "--init-from",
        concat!(env!("CARGO_MANIFEST_DIR"), "/models/mult-compact"),
        "--length-targets",
        "64:32",
        "--steps",
        "1",
        "--run",
        run.path().to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--length-targets `64:32`") && err.contains("MIN:MAX"), "{err}");
    let out = succeeds(&["eval", "-n", "5", "--length-target", "40", "--max-new-tokens", "64"]);
    let text = stdout(&out);
    assert!(text.contains("length control, target 40: mean |n - target| / target"), "{text}");
}
