//! The external verifier process against well-behaved and deliberately broken verifier scripts
//! (`tests/data/verifiers/`): a batch is written whole and read back in order; a crash, a hang, a
//! garbage line and an out-of-order answer each fail the batch with a one-line error naming the
//! problem, and the next batch runs on a fresh process.

use std::time::Duration;

use deepthink_tasks::text::render_completion;
use deepthink_tasks::verifier_process::ProcessVerifier;
use deepthink_tasks::{task_by_name, Attempt, Problem, TaskConfig, Verdict, Verifier};

fn script(name: &str) -> String {
    format!("python3 -u {}/tests/data/verifiers/{name}.py", env!("CARGO_MANIFEST_DIR"))
}

fn problems(n: usize) -> Vec<Problem> {
    let task = task_by_name("mult", &TaskConfig::default()).unwrap();
    (0..n).map(|i| task.parse_question(&format!("{}*{}", 100 + i, 7)).unwrap()).collect()
}

fn attempts<'a>(ps: &'a [Problem], completions: &'a [String]) -> Vec<Attempt<'a>> {
    ps.iter().zip(completions).map(|(p, c)| Attempt { problem: p, completion: c }).collect()
}

#[test]
fn a_large_batch_is_scored_in_order_by_one_process() {
    let ps = problems(500);
    // Every third answer is wrong; the batch (~60 kB) is larger than a pipe's buffer.
    let cs: Vec<String> = ps
        .iter()
        .enumerate()
        .map(|(i, p)| render_completion(&["x".repeat(100)], &if i % 3 == 0 { "0".into() } else { p.answer() }))
        .collect();
    let v = ProcessVerifier::new(&script("exact"), Duration::from_secs(30));
    for _ in 0..2 {
        let checked = v.check(&attempts(&ps, &cs)).unwrap();
        let wrong: Vec<usize> = (0..ps.len()).filter(|&i| checked[i].verdict == Verdict::Wrong).collect();
        assert_eq!(wrong, (0..ps.len()).filter(|i| i % 3 == 0).collect::<Vec<_>>());
    }
}

#[test]
fn broken_verifiers_fail_the_batch_with_a_line_naming_the_problem() {
    let ps = problems(2);
    let cs: Vec<String> = ps.iter().map(|p| render_completion(&[], &p.answer())).collect();
    let cases = [
        ("crash", "exited before scoring line 1 (\"101*7\")"),
        ("hang", "no score within 2 s for line 0 (\"100*7\")"),
        ("garbage", "not a JSON score for line 0"),
        ("out_of_order", "answered id 1 out of order for line 0"),
    ];
    for (name, want) in cases {
        let v = ProcessVerifier::new(&script(name), Duration::from_secs(2));
        let e = v.check(&attempts(&ps, &cs)).unwrap_err().to_string();
        assert!(e.contains(want) && !e.contains('\n'), "{name}: {e}");
        // The faulty process is replaced: the next batch fails the same way rather than hanging on.
        let again = v.check(&attempts(&ps, &cs)).unwrap_err().to_string();
        assert!(again.contains(want), "{name} (second batch): {again}");
    }
    let missing = ProcessVerifier::new("exit 0", Duration::from_secs(2));
    assert!(missing.check(&attempts(&ps, &cs)).unwrap_err().to_string().contains("exited"));
}
