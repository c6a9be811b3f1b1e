//! `deepthink eval --thinking-budgets`: one row per maximum, each spending exactly its budget
//! on the default model (whose trace is 28 tokens long), and wait-word rows at a minimum.

mod common;

use common::succeeds;

#[test]
fn a_budget_sweep_writes_one_row_per_budget() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    succeeds(&[
        "eval",
        "-n",
        "20",
        "--thinking-budgets",
        "8,16",
        "--min-thinking-tokens",
        "30",
        "--wait-words",
        "wait,\\n",
        "--out",
        out,
    ]);
    let rows: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("thinking-budgets.json")).unwrap()).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 5, "none, max 8, max 16, and two wait words");
    assert_eq!(rows[0]["accuracy"], 1.0);
    assert_eq!(rows[0]["mean_thinking_tokens"], 28.0);
    for (row, cap) in rows[1..3].iter().zip([8.0, 16.0]) {
        assert_eq!(row["mean_thinking_tokens"], cap, "{row}");
        assert_eq!(row["control"], 1.0);
        assert_eq!(row["accuracy"], 0.0, "a cut long-multiplication trace cannot answer: {row}");
    }
    for row in &rows[3..] {
        assert!(row["mean_thinking_tokens"].as_f64().unwrap() >= 30.0, "the minimum holds: {row}");
    }
    let md = std::fs::read_to_string(dir.path().join("thinking-budgets.md")).unwrap();
    assert!(md.contains("| max 8 |") && md.contains("per doubling"), "{md}");
}
