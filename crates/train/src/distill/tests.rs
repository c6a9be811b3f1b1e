use std::cell::Cell;

use deepthink_tasks::{task_by_name, TaskConfig};

use super::*;

/// Per problem: the right trace twice (one path), the right answer by another path, a wrong one.
/// Fails on chunk `fail_at` (once) to test resuming.
struct Scripted {
    fail_at: Cell<Option<u64>>,
    calls: Cell<u64>,
}

impl Teacher for Scripted {
    fn describe(&self) -> String {
        "scripted".into()
    }
    fn candidates(&self, _: &dyn Task, problems: &[Problem], _: u64) -> Result<Vec<Vec<String>>, TrainError> {
        let call = self.calls.get();
        self.calls.set(call + 1);
        if self.fail_at.get() == Some(call) {
            self.fail_at.set(None);
            return Err(TrainError::Config("teacher went away".into()));
        }
        Ok(problems
            .iter()
            .map(|p| {
                let right = text::render_completion(&[format!("work for {}", p.question())], &p.answer());
                let other = text::render_completion(&["another way".into()], &p.answer());
                let wrong = text::render_completion(&["oops".into()], "-1");
                vec![right.clone(), right, other, wrong]
            })
            .collect())
    }
}

fn scripted(fail_at: Option<u64>) -> Scripted {
    Scripted { fail_at: Cell::new(fail_at), calls: Cell::new(0) }
}

fn cfg(keep: usize) -> DistillConfig {
    DistillConfig { problems: 10, keep, prompt: PromptStyle::Plain, chunk: 3, seed: 4 }
}

#[test]
fn only_right_distinct_paths_are_kept_with_their_provenance() {
    let task = task_by_name("add", &TaskConfig::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("d.jsonl");
    let r = distill(task.as_ref(), &scripted(None), None, &cfg(1), &out, false).unwrap();
    assert_eq!((r.problems, r.candidates, r.accepted, r.solved, r.kept), (10, 40, 30, 10, 10));
    assert!((r.acceptance_rate - 0.75).abs() < 1e-12 && (r.distinct_per_solved - 2.0).abs() < 1e-12, "{r:?}");
    let two = distill(task.as_ref(), &scripted(None), None, &cfg(2), &dir.path().join("e.jsonl"), false).unwrap();
    assert_eq!(two.kept, 20, "keep 2: both distinct right paths of every problem");
    let text = std::fs::read_to_string(&out).unwrap();
    let records: Vec<_> = text.lines().map(|l| crate::data_file::parse_record(l).unwrap()).collect();
    assert_eq!(records.len(), 10);
    assert!(records.iter().all(|r| r.reply.contains("work for") && !r.reply.contains("oops")));
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["provenance"]["teacher"], "scripted");
    assert_eq!(first["provenance"]["sample"], 0);
    let report: DistillReport =
        serde_json::from_slice(&std::fs::read(dir.path().join("d.jsonl.report.json")).unwrap()).unwrap();
    assert_eq!(report, r);
    assert!(!dir.path().join("d.jsonl.partial").exists() && !dir.path().join("d.jsonl.progress.json").exists());
}

#[test]
fn an_interrupted_run_resumes_to_the_same_file_and_a_changed_one_is_refused() {
    let task = task_by_name("add", &TaskConfig::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole.jsonl");
    let expected = distill(task.as_ref(), &scripted(None), None, &cfg(1), &whole, false).unwrap();
    let out = dir.path().join("cut.jsonl");
    let teacher = scripted(Some(2));
    let e = distill(task.as_ref(), &teacher, None, &cfg(1), &out, false).unwrap_err();
    assert!(e.to_string().contains("teacher went away"), "{e}");
    assert!(!out.exists(), "no output until every problem is done");
    let other = DistillConfig { keep: 2, ..cfg(1) };
    let refused = distill(task.as_ref(), &scripted(None), None, &other, &out, false).unwrap_err();
    assert!(refused.to_string().contains("different configuration"), "{refused}");
    let resumed = distill(task.as_ref(), &teacher, None, &cfg(1), &out, false).unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), std::fs::read_to_string(&whole).unwrap());
    assert_eq!(
        DistillReport { seconds: 0.0, ..resumed },
        DistillReport { seconds: 0.0, ..expected },
        "the counts carry over the interruption"
    );
}

#[test]
fn the_task_trace_teacher_is_always_right() {
    let task = task_by_name("countdown", &TaskConfig::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let teacher = TraceTeacher { style: "optimal".parse().unwrap(), samples: 2 };
    let r = distill(task.as_ref(), &teacher, None, &cfg(2), &dir.path().join("c.jsonl"), false).unwrap();
    assert_eq!(r.accepted, r.candidates);
    assert_eq!(r.solved, 10);
}

#[test]
fn a_stream_trace_teachers_failed_searches_are_dropped_by_verification() {
    // 4-number countdown: the 40-combination search often runs out, and a `stream` trace then
    // answers `none`. Those candidates are written by the teacher and rejected by the verifier.
    let task = task_by_name("countdown", &TaskConfig::default().with("countdown_numbers", 4)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.jsonl");
    let teacher = TraceTeacher { style: "stream".parse().unwrap(), samples: 4 };
    let r = distill(task.as_ref(), &teacher, None, &cfg(4), &out, false).unwrap();
    assert_eq!(r.candidates, 40);
    assert!(r.accepted > 0 && r.accepted < r.candidates, "{r:?}");
    let kept = std::fs::read_to_string(&out).unwrap();
    assert!(!kept.contains("</think>\n\nnone"), "a failed stream was kept");
}
