use proptest::prelude::*;

use super::*;
use crate::seeded::SplitMix64;
use crate::text::render_completion;

fn problem(question: &str, answer: &str) -> Problem {
    Problem::new(QaProblem::new(question.into(), answer.into(), None, Value::Null, None))
}

fn write(lines: &str) -> tempfile_path::Temp {
    tempfile_path::Temp::new(lines)
}

/// A file that removes itself (no dev-dependency on `tempfile` in this crate).
mod tempfile_path {
    pub struct Temp(pub std::path::PathBuf);
    impl Temp {
        pub fn new(text: &str) -> Temp {
            use std::sync::atomic::{AtomicUsize, Ordering};
            static N: AtomicUsize = AtomicUsize::new(0);
            let n = N.fetch_add(1, Ordering::SeqCst);
            let p = std::env::temp_dir().join(format!("deepthink-qa-{}-{n}.jsonl", std::process::id()));
            std::fs::write(&p, text).unwrap();
            Temp(p)
        }
    }
    impl Drop for Temp {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

#[test]
fn numeric_text_and_exact_answers_are_checked_by_their_mode() {
    let p = problem("What is 1/2 + 2?", "2.5");
    for right in ["\\boxed{5/2}", "2.50", "+2.5", "The answer is\n2.5"] {
        assert_eq!(
            TaskProblem::verify(p.downcast_ref::<QaProblem>().unwrap(), &render_completion(&[], right)).verdict,
            Verdict::Correct,
            "{right}"
        );
    }
    let task = QaTask::new(vec![p.clone()]).unwrap();
    assert_eq!(task.verify(&p, &render_completion(&[], "3")).verdict, Verdict::Wrong);
    assert_eq!(task.verify(&p, &render_completion(&[], "two and a half")).verdict, Verdict::NoAnswer);
    assert_eq!(task.answer_key(&p, "10/4"), task.answer_key(&p, "2.5"));
    let t = problem("Spell 'cat' backwards", "tac");
    assert_eq!(task.verify(&t, &render_completion(&[], "TAC.")).verdict, Verdict::Correct);
    let e = Problem::new(QaProblem::new("Case?".into(), "Tac".into(), None, Value::Null, Some(AnswerMode::Exact)));
    assert_eq!(task.verify(&e, &render_completion(&[], "tac")).verdict, Verdict::Wrong);
}

#[test]
fn every_format_reads_and_malformed_lines_name_line_and_field() {
    let f = write(concat!(
        r#"{"question": "How many legs have 2 cats?", "answer": "8"}"#,
        "\n",
        r#"{"question": "Natalia sold 48 clips in April and half as many in May. How many in all?", "answer": "In May she sold 48/2 = <<48/2=24>>24 clips.\nIn all 48+24 = <<48+24=72>>72.\n#### 72"}"#,
        "\n",
        "\n",
        r#"{"prompt": [{"role": "user", "content": "Reverse 'ab'"}], "completion": [{"role": "assistant", "content": "<think>\nb then a\n</think>\n\nba"}]}"#,
        "\n",
        r#"{"question": "What is 2 * 3 + 1?", "answer": "7", "metadata": {"source_dataset": "basic_arithmetic"}}"#,
        "\n",
    ));
    let ps = read_file(&f.0, None).unwrap();
    let qa: Vec<&QaProblem> = ps.iter().map(|p| p.downcast_ref::<QaProblem>().unwrap()).collect();
    assert_eq!(qa.len(), 4);
    assert_eq!((qa[0].answer.as_str(), qa[0].mode), ("8", AnswerMode::Numeric));
    assert_eq!(qa[1].answer, "72");
    assert_eq!(qa[1].reasoning.as_deref(), Some("In May she sold 48/2 = 24 clips.\nIn all 48+24 = 72."));
    assert_eq!(
        (qa[2].question.as_str(), qa[2].answer.as_str(), qa[2].reasoning.as_deref()),
        ("Reverse 'ab'", "ba", Some("b then a"))
    );
    assert_eq!(qa[2].mode, AnswerMode::Text);
    assert_eq!(qa[3].metadata["source_dataset"], "basic_arithmetic", "a `*` in a question does not make it a product");
    let task = QaTask::new(ps.clone()).unwrap();
    let mut rng = SplitMix64::new(1);
    let given = task.completion(&ps[1], GIVEN, &mut rng).unwrap();
    assert!(given.starts_with("<think>\nIn May") && given.ends_with("</think>\n\n72"), "{given}");
    assert!(task.completion(&ps[0], GIVEN, &mut rng).unwrap_err().to_string().contains("direct"));
    for (text, want) in [
        (r#"{"question": "x"}"#, "line 1: field `answer` missing"),
        (r#"{"question": "", "answer": "1"}"#, "line 1: field `question` is empty"),
        (r#"{"question": "x", "answer": [1]}"#, "field `answer` must be"),
        (r#"{"prompt": "x", "completion": "no think"}"#, "no answer after `</think>`"),
        ("{nope", "line 1: invalid JSON"),
    ] {
        let f = write(text);
        let e = read_file(&f.0, None).unwrap_err().to_string();
        assert!(e.contains(want), "{e} should contain {want}");
    }
    let e = QaTask::from_config(&TaskConfig::default()).err().unwrap().to_string();
    assert!(e.contains("`qa_file`"), "{e}");
    let e = QaTask::from_config(
        &TaskConfig::default().with("qa_file", f.0.display().to_string()).with("answer_mode", "fuzzy"),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(e.contains("`answer_mode`") && e.contains("fuzzy"), "{e}");
}

#[test]
fn the_file_splits_by_the_held_out_hash_and_the_flag_sets_the_mode() {
    let lines: String = (0..400).map(|i| format!("{{\"question\": \"q{i}\", \"answer\": \"{i}\"}}\n")).collect();
    let f = write(&lines);
    let cfg = TaskConfig::default().with("qa_file", f.0.display().to_string()).with("answer_mode", "exact");
    let task = crate::task_by_name("qa", &cfg).unwrap();
    let mut rng = SplitMix64::new(3);
    for _ in 0..300 {
        assert!(!task.generate(&mut rng, Split::Train).is_held_out());
        assert!(task.generate(&mut rng, Split::Test).is_held_out());
    }
    let p = task.generate(&mut rng, Split::Train);
    assert_eq!(p.downcast_ref::<QaProblem>().unwrap().mode, AnswerMode::Exact);
    let json = serde_json::to_string(&p).unwrap();
    assert!(json.starts_with("{\"task\":\"qa\""), "{json}");
    assert_eq!(serde_json::from_str::<Problem>(&json).unwrap(), p);
    let held = QaTask::from_config(&cfg).unwrap().problems().iter().filter(|p| p.is_held_out()).count();
    assert!((8..=40).contains(&held), "about 5% of 400 held out, got {held}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_text_or_bytes_never_panics(text in any::<String>(), bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let lossy = String::from_utf8_lossy(&bytes).to_string();
        for s in [text.clone(), lossy, format!("<think>\n{text}\n</think>\n\n\\boxed{{{text}}}")] {
            let _ = answer::read_answer(&s);
            for m in AnswerMode::ALL {
                let _ = m.key(&s);
            }
            let _ = parse_qa_line(&s, None);
            let p = problem("q", "12");
            let _ = p.downcast_ref::<QaProblem>().unwrap().verify(&s);
        }
    }

    #[test]
    fn a_right_answer_verifies_and_a_different_number_does_not(n in -1_000_000i64..1_000_000, d in 1i64..1000, boxed in any::<bool>()) {
        let p = problem("q", &n.to_string());
        let qa = p.downcast_ref::<QaProblem>().unwrap();
        let say = |a: String| if boxed { format!("so \\boxed{{{a}}}") } else { a };
        prop_assert_eq!(qa.verify(&render_completion(&["work".into()], &say(n.to_string()))).verdict, Verdict::Correct);
        prop_assert_eq!(qa.verify(&render_completion(&[], &say(format!("{}/{}", n * d, d)))).verdict, Verdict::Correct);
        prop_assert_eq!(qa.verify(&render_completion(&[], &say((n + d).to_string()))).verdict, Verdict::Wrong);
        let both = format!("\\boxed{{{n}}} \\boxed{{{}}}", n + d);
        prop_assert_eq!(qa.verify(&render_completion(&[], &both)).verdict, Verdict::NoAnswer);
        prop_assert_eq!(qa.verify(&format!("<think>\n{n}\n")).verdict, Verdict::NoAnswer);
    }
}
