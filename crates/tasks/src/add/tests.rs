use super::carry::{lines, parse_question, step_labels, verify};
use super::*;
use crate::seeded::SplitMix64;
use crate::text::render_completion;
use crate::verdict::Verdict;

const P: AddProblem = AddProblem { a: 457, b: 68 };

#[test]
fn carry_trace_writes_each_column() {
    assert_eq!(lines(&P), vec!["7+8=15, write 5 carry 1", "5+6+1=12, write 2 carry 1", "4+0+1=5, write 5 carry 0"]);
    assert_eq!(lines(&AddProblem { a: 1, b: 1 }), vec!["1+1=2, write 2 carry 0"]);
    assert_eq!(
        lines(&AddProblem { a: 95, b: 7 }),
        vec!["5+7=12, write 2 carry 1", "9+0+1=10, write 0 carry 1", "carry 1, write 1"]
    );
}

#[test]
fn the_written_digits_are_the_sum() {
    let mut rng = SplitMix64::new(5);
    let task = AddTask::new(&AddConfig { min_digits: 1, max_digits: 18 }).unwrap();
    for _ in 0..500 {
        let p = task.generate(&mut rng, Split::Train);
        let add = p.downcast_ref::<AddProblem>().unwrap();
        let written: String =
            lines(add).iter().rev().map(|l| l.split("write ").nth(1).unwrap().chars().next().unwrap()).collect();
        assert_eq!(written.trim_start_matches('0'), add.sum().to_string().trim_start_matches('0'));
        let c = task.completion(&p, CARRY, &mut rng).unwrap();
        assert_eq!(task.verify(&p, &c).verdict, Verdict::Correct);
        assert!(task.step_labels(&p, &c).unwrap().iter().all(|l| *l == StepLabel::Good));
    }
}

#[test]
fn verify_and_step_labels() {
    assert_eq!(verify(&P, "<think>\n</think>\n\n525").verdict, Verdict::Correct);
    assert_eq!(verify(&P, "<think>\n</think>\n\n0525").verdict, Verdict::Correct);
    assert_eq!(verify(&P, "<think>\n</think>\n\n526").verdict, Verdict::Wrong);
    assert_eq!(verify(&P, "<think>\n</think>\n\nfive").verdict, Verdict::NoAnswer);
    assert_eq!(verify(&P, "<think>\n525").verdict, Verdict::NoAnswer);
    let mut wrong = lines(&P);
    wrong[1] = "5+6+1=13, write 3 carry 1".into();
    use StepLabel::{Bad, Good};
    assert_eq!(step_labels(&P, &render_completion(&wrong, "535")), vec![Good, Bad, Bad]);
}

#[test]
fn parses_questions_leniently_and_rejects_others() {
    assert_eq!(parse_question(" 457 + 68 =?").unwrap(), P);
    for bad in ["457*68", "4a+1", "+1", "1234567890123456789+1"] {
        let e = parse_question(bad).unwrap_err().to_string();
        assert!(e.contains(bad.trim()), "{e}");
    }
}

#[test]
fn generate_respects_digits_and_split() {
    let task = AddTask::new(&AddConfig { min_digits: 2, max_digits: 4 }).unwrap();
    let mut rng = SplitMix64::new(9);
    for split in [Split::Train, Split::Test] {
        for _ in 0..300 {
            let p = task.generate(&mut rng, split);
            let a = p.downcast_ref::<AddProblem>().unwrap();
            assert!((10..10_000).contains(&a.a) && (10..10_000).contains(&a.b));
            assert_eq!(task.is_held_out(&p), split == Split::Test);
        }
    }
    assert!(AddTask::new(&AddConfig { min_digits: 0, max_digits: 2 }).is_err());
    assert!(AddTask::new(&AddConfig { min_digits: 3, max_digits: 19 }).is_err());
}

#[test]
fn prompts_stay_in_the_vocabulary() {
    let task = AddTask::new(&AddConfig::default()).unwrap();
    let p = Problem::new(P);
    assert_eq!(task.prompt(&p, PromptStyle::Plain), "457+68");
    for style in PromptStyle::ALL {
        assert!(crate::prompt::in_vocabulary(&task.prompt(&p, *style)), "{style}");
    }
}

#[test]
fn a_recheck_trace_repeats_the_whole_sum_with_the_operands_swapped_then_in_order() {
    let two = super::recheck::lines_with(&P, 2);
    let first = lines(&P);
    assert_eq!(two[..3], first[..]);
    assert_eq!(two[3], "sum 525");
    assert_eq!(two[4], "wait, check again: 68+457");
    assert_eq!(two[5..8], lines(&AddProblem { a: 68, b: 457 })[..]);
    assert_eq!(two[8], "sum 525");
    assert_eq!(two[9], "wait, check again: 457+68");
    assert_eq!(two[10..13], first[..]);
    assert_eq!(two.len(), 14);
    assert_eq!(super::recheck::count_rechecks(&two.join("\n")), 2);
    assert_eq!(super::recheck::lines_with(&P, 0).len(), 4);
}

#[test]
fn recheck_traces_draw_every_count_and_stay_right() {
    let mut rng = SplitMix64::new(9);
    let task = AddTask::new(&AddConfig { min_digits: 1, max_digits: 4 }).unwrap();
    let mut seen = [0usize; super::recheck::MAX_RECHECKS as usize + 1];
    for _ in 0..400 {
        let p = task.generate(&mut rng, Split::Train);
        let c = task.completion(&p, RECHECK, &mut rng).unwrap();
        assert_eq!(task.verify(&p, &c).verdict, Verdict::Correct, "{c}");
        seen[super::recheck::count_rechecks(&c)] += 1;
    }
    assert!(seen.iter().all(|&n| n > 60), "each count near a quarter of 400: {seen:?}");
}

#[test]
fn recheck_step_labels_accept_redundant_rechecks_and_flag_a_wrong_line() {
    let trace = super::recheck::lines_with(&P, 2);
    let good = render_completion(&trace, "525");
    assert!(P.step_labels(&good).unwrap().iter().all(|l| *l == StepLabel::Good), "{good}");
    // A slip inside the second recheck: Bad from that line on, Good before it.
    let mut slipped = trace.clone();
    slipped[10] = "7+8=16, write 6 carry 1".into();
    let labels = P.step_labels(&render_completion(&slipped, "525")).unwrap();
    assert!(labels[..10].iter().all(|l| *l == StepLabel::Good));
    assert!(labels[10..].iter().all(|l| *l == StepLabel::Bad));
    // A carry-style completion is still labelled against the carry trace.
    let carry = render_completion(&lines(&P), "525");
    assert!(P.step_labels(&carry).unwrap().iter().all(|l| *l == StepLabel::Good));
}
