//! Property tests: reference completions always verify, step labels of reference traces are
//! Good where they should be, and no input ever panics a verifier or parser.

use deepthink_tasks::countdown::trace_search::NO_SOLUTION;
use deepthink_tasks::countdown::{FOUND, SEARCH, STREAM, VISITED};
use deepthink_tasks::external::read_problems_str;
use deepthink_tasks::prompt::in_vocabulary;
use deepthink_tasks::seeded::SplitMix64;
use deepthink_tasks::text::{render_completion, think_lines};
use deepthink_tasks::{
    all_task_names, task_by_name, CountdownProblem, Problem, PromptStyle, Split, StepLabel, Task, TaskConfig,
    TaskError, Verdict,
};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn tasks() -> Vec<Box<dyn Task>> {
    let cfgs = [
        TaskConfig::default(),
        TaskConfig::default()
            .with("min_digits", 1)
            .with("max_digits", 5)
            .with("countdown_numbers", 4)
            .with("countdown_max_value", 25)
            .with("countdown_min_target", 1)
            .with("countdown_max_target", 500),
    ];
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/qa-sample.jsonl");
    cfgs.iter()
        .flat_map(|cfg| {
            all_task_names().into_iter().map(move |n| {
                let cfg = if n == "qa" { cfg.clone().with("qa_file", sample) } else { cfg.clone() };
                task_by_name(n, &cfg)
            })
        })
        .collect::<Result<_, _>>()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn reference_completions_verify(seed in any::<u64>(), test_split in any::<bool>()) {
        let split = if test_split { Split::Test } else { Split::Train };
        for task in tasks() {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let p = task.generate(&mut rng, split);
            // A mix trains on its whole table of single-digit facts, held-out ones included.
            let fact = task.name() == "mix" && ["1+1", "1-1", "1x1"].contains(&p.difficulty().as_str());
            prop_assert!(task.is_held_out(&p) == (split == Split::Test) || fact, "{:?}", p);
            if let Ok(parsed) = task.parse_question(&p.question()) {
                prop_assert_eq!(parsed, p.clone());
            }
            let json = serde_json::to_string(&p).unwrap();
            prop_assert_eq!(serde_json::from_str::<Problem>(&json).unwrap(), p.clone());
            for &style in task.trace_styles() {
                let c = match task.completion(&p, style, &mut rng) {
                    Ok(c) => c,
                    // Only countdown's `found` keeps some traces and not others.
                    Err(TaskError::Rejected { style: rejecting, .. }) => {
                        prop_assert_eq!(rejecting.as_str(), "found");
                        continue;
                    }
                    Err(_) => {
                        prop_assert_eq!(style.name(), "given", "only the file's own reasoning may be missing");
                        continue;
                    }
                };
                prop_assert!(in_vocabulary(&c), "{}", c);
                let checked = task.verify(&p, &c);
                // Only countdown's `stream` keeps a search that ran out, answering `none`.
                if checked.answer.as_deref() == Some(NO_SOLUTION) {
                    prop_assert_eq!(style, STREAM);
                    prop_assert!(checked.verdict != Verdict::Correct, "{}", c);
                    continue;
                }
                prop_assert_eq!(checked.verdict, Verdict::Correct, "{}", c);
                let answer = checked.answer.unwrap();
                prop_assert_eq!(task.answer_key(&p, &answer), task.answer_key(&p, &p.answer()));
                let Some(labels) = task.step_labels(&p, &c) else { continue };
                prop_assert_eq!(labels.len(), think_lines(&c).len());
                if style != SEARCH && style != VISITED && style != FOUND && style != STREAM {
                    prop_assert!(labels.iter().all(|l| *l == StepLabel::Good), "{}", c);
                } else {
                    prop_assert_eq!(labels.last(), Some(&StepLabel::Good));
                }
            }
            for &style in PromptStyle::ALL {
                prop_assert!(in_vocabulary(&task.prompt(&p, style)));
            }
        }
    }

    #[test]
    fn reusing_a_countdown_number_is_wrong(seed in any::<u64>(), pick in any::<usize>()) {
        let task = task_by_name("countdown", &TaskConfig::default()).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let p = task.generate(&mut rng, Split::Train);
        let c = p.downcast_ref::<CountdownProblem>().unwrap();
        let n = c.numbers[pick % c.numbers.len()];
        let reused = format!("{}+{n}-{n}", p.answer());
        let verdict = task.verify(&p, &render_completion(&[], &reused)).verdict;
        prop_assert_eq!(verdict, Verdict::Wrong);
    }

    #[test]
    fn wrong_products_are_wrong(a in 0u64..1_000_000, b in 0u64..1_000_000, d in 1u64..1000) {
        let task = task_by_name("mult", &TaskConfig::default()).unwrap();
        let p = task.parse_question(&format!("{a} * {b}")).unwrap();
        let wrong = (u128::from(a) * u128::from(b) + u128::from(d)).to_string();
        prop_assert_eq!(task.verify(&p, &render_completion(&[], &wrong)).verdict, Verdict::Wrong);
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>(), seed in any::<u64>()) {
        let mut rng = SplitMix64::new(seed);
        for task in tasks() {
            let p = task.generate(&mut rng, Split::Train);
            for completion in [text.clone(), format!("<think>\n{text}\n</think>\n\n{text}")] {
                let _ = task.verify(&p, &completion);
                if let Some(labels) = task.step_labels(&p, &completion) {
                    prop_assert_eq!(labels.len(), think_lines(&completion).len());
                }
            }
            let _ = task.answer_key(&p, &text);
            let _ = task.parse_question(&text);
        }
        let _ = read_problems_str(&text, "x.jsonl");
    }

    #[test]
    fn expression_like_text_never_panics(text in "[-+*/() 0-9x=\\[\\],<>a-z\n]{0,80}") {
        let p: Problem = serde_json::from_str(r#"{"task":"countdown","numbers":[25,5,4],"target":80}"#).unwrap();
        let task = task_by_name("countdown", &TaskConfig::default()).unwrap();
        let _ = task.verify(&p, &format!("</think>{text}"));
        let _ = task.step_labels(&p, &format!("<think>\n{text}\n</think>"));
        let _ = task.answer_key(&p, &text);
        let _ = task.parse_question(&text);
    }
}
