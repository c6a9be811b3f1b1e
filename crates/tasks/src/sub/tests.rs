use proptest::prelude::*;

use super::borrow::{lines, parse_question, step_labels, verify};
use super::*;
use crate::seeded::SplitMix64;
use crate::text::render_completion;
use crate::verdict::Verdict;

const P: SubProblem = SubProblem { a: 503, b: 68 };

#[test]
fn borrow_trace_writes_each_column_and_negates_when_the_second_is_larger() {
    assert_eq!(lines(&P), vec!["13-8=5, write 5 borrow 1", "10-6-1=3, write 3 borrow 1", "5-0-1=4, write 4 borrow 0"]);
    assert_eq!(lines(&SubProblem { a: 1, b: 1 }), vec!["1-1=0, write 0 borrow 0"]);
    let neg = SubProblem { a: 68, b: 503 };
    assert_eq!(lines(&neg)[0], "68<503, so 503-68 and negate");
    assert_eq!(lines(&neg)[1..], lines(&P)[..]);
    assert_eq!(neg.difference(), -435);
}

#[test]
fn equal_lengths_are_compared_from_the_left_first() {
    let less = SubProblem { a: 4567, b: 4593 };
    assert_eq!(lines(&less)[0], "4567 vs 4593: 4=4 5=5 6<9");
    assert_eq!(lines(&less)[1], "4567<4593, so 4593-4567 and negate");
    let more = SubProblem { a: 4593, b: 4567 };
    assert_eq!(lines(&more)[0], "4593 vs 4567: 4=4 5=5 9>6");
    assert!(lines(&more)[1].starts_with("13-7=6"), "{:?}", lines(&more));
    assert_eq!(lines(&SubProblem { a: 77, b: 77 })[0], "77 vs 77: 7=7 7=7");
    assert_eq!(super::borrow::comparison(7, 9), None, "single digits need no comparison line");
    assert_eq!(super::borrow::comparison(70, 9), None, "lengths decide");
}

/// The digits the lines write, most significant first, as a number.
fn written(lines: &[String]) -> i128 {
    let negate = lines.iter().take(2).any(|l| l.contains("negate"));
    let digits: String = lines
        .iter()
        .rev()
        .filter(|l| l.contains("write "))
        .map(|l| l.split("write ").nth(1).unwrap().chars().next().unwrap())
        .collect();
    let n: i128 = digits.parse().unwrap();
    if negate {
        -n
    } else {
        n
    }
}

proptest! {
    /// The written digits are the difference, and the reference completion verifies, with
    /// every step labelled good.
    #[test]
    fn the_written_digits_are_the_difference(a in 0u64..10_000_000, b in 0u64..10_000_000) {
        let p = SubProblem { a, b };
        prop_assert_eq!(written(&lines(&p)), p.difference());
        let c = render_completion(&lines(&p), &p.difference().to_string());
        prop_assert_eq!(verify(&p, &c).verdict, Verdict::Correct);
        prop_assert!(step_labels(&p, &c).iter().all(|l| *l == StepLabel::Good));
    }
}

#[test]
fn verify_reads_negative_answers_and_labels_the_first_wrong_line() {
    let neg = SubProblem { a: 68, b: 503 };
    assert_eq!(verify(&neg, "<think>\n</think>\n\n-435").verdict, Verdict::Correct);
    assert_eq!(verify(&neg, "<think>\n</think>\n\n435").verdict, Verdict::Wrong);
    assert_eq!(verify(&P, "<think>\n</think>\n\n0435").verdict, Verdict::Correct);
    assert_eq!(verify(&P, "<think>\n</think>\n\nfour").verdict, Verdict::NoAnswer);
    let mut bad = lines(&P);
    bad[1] = "10-6-1=4, write 4 borrow 1".into();
    let labels = step_labels(&P, &render_completion(&bad, "445"));
    assert_eq!(labels, vec![StepLabel::Good, StepLabel::Bad, StepLabel::Bad]);
}

#[test]
fn questions_parse_and_generated_problems_round_trip_through_the_registry() {
    assert_eq!(parse_question(" 503 - 68 =?").unwrap(), P);
    assert!(parse_question("5+3").unwrap_err().to_string().contains("joined by `-`"));
    assert!(parse_question("-5-3").unwrap_err().to_string().contains("first operand"));
    let task =
        crate::task_by_name(NAME, &crate::TaskConfig::default().with("min_digits", 1).with("max_digits", 2)).unwrap();
    let mut rng = SplitMix64::new(3);
    let (mut negative, mut held_out) = (0, 0);
    for split in [Split::Train, Split::Test] {
        for _ in 0..200 {
            let p = task.generate(&mut rng, split);
            assert_eq!(p.is_held_out(), split == Split::Test);
            held_out += usize::from(p.is_held_out());
            let q = p.downcast_ref::<SubProblem>().unwrap();
            negative += usize::from(q.difference() < 0);
            let c = task.completion(&p, BORROW, &mut rng).unwrap();
            assert_eq!(task.verify(&p, &c).verdict, Verdict::Correct, "{c}");
            let back = crate::registry::problem_from_json(p.to_json()).unwrap();
            assert_eq!(back.question(), p.question());
        }
    }
    assert_eq!(held_out, 200);
    assert!(negative > 100, "about half the differences are negative: {negative} of 400");
}
