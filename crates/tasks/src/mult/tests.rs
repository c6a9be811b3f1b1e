use super::check::{answer_key, parse_question, step_labels, verify};
use super::trace::{compact_lines, cot_lines};
use super::*;
use crate::seeded::SplitMix64;
use crate::stats::trace_length_stats;
use crate::text::render_completion;
use crate::verdict::Verdict;
use rand::Rng;

const P: MultProblem = MultProblem { a: 123, b: 456 };

#[test]
fn compact_matches_the_measured_reference() {
    // 123*456=<think>8370+5160+2940|88860|880650</think>56088
    assert_eq!(compact_lines(&P), vec!["8370", "5160", "2940", "88860", "880650"]);
    let one_digit_b = MultProblem { a: 123, b: 7 };
    assert_eq!(compact_lines(&one_digit_b), vec!["1680"]);
}

#[test]
fn compact_last_sum_has_width_len_a_plus_len_b() {
    let mut rng = SplitMix64::new(3);
    for _ in 0..500 {
        let a = rng.gen_range(1..100_000u64);
        let b = rng.gen_range(10..100_000u64);
        let lines = compact_lines(&MultProblem { a, b });
        let (la, lb) = (a.to_string().len(), b.to_string().len());
        assert_eq!(lines.len(), 2 * lb - 1);
        assert_eq!(lines.last().map(String::len), Some(la + lb));
        let last: String = lines[lines.len() - 1].chars().rev().collect();
        assert_eq!(last.parse::<u128>().ok(), Some(u128::from(a) * u128::from(b)));
    }
}

#[test]
fn cot_is_readable() {
    assert_eq!(
        cot_lines(&P),
        vec![
            "123*6=738",
            "123*50=6150",
            "123*400=49200",
            "738+6150=6888",
            "6888+49200=56088",
            "check: 3*6=18, 56088 ends in 8 ok",
        ]
    );
    let zero_digit = MultProblem { a: 12, b: 305 };
    assert_eq!(
        cot_lines(&zero_digit),
        vec!["12*5=60", "12*300=3600", "60+3600=3660", "check: 2*5=10, 3660 ends in 0 ok"]
    );
}

#[test]
fn verify_three_outcomes() {
    let v = |c: &str| verify(&P, c).verdict;
    assert_eq!(v("<think>\n\n</think>\n\n56088"), Verdict::Correct);
    assert_eq!(v("8370\n</think>\n\n056088"), Verdict::Correct);
    assert_eq!(v("<think>\n\n</think>\n\n56089"), Verdict::Wrong);
    assert_eq!(v("<think>\n\n</think>\n\n-56088"), Verdict::Wrong);
    for bad in [
        "<think>\n8370",
        "<think>\n</think>\n\n",
        "<think>\n</think>\n\n56,088",
        "<think>\n</think>\n\n56088 is it",
        "<think>\n</think>\n\n56088\n56088",
        "<think>\n</think>\n\n56088</think>56088",
        "56088",
    ] {
        assert_eq!(v(bad), Verdict::NoAnswer, "{bad:?}");
    }
    let checked = verify(&P, "<think>\n</think>\n\n 5 6 ");
    assert_eq!(checked.answer.as_deref(), Some("5 6"));
}

#[test]
fn answer_keys_normalise_integers() {
    assert_eq!(answer_key(" +0056 088 ").as_deref(), Some("56088"));
    assert_eq!(answer_key("-000").as_deref(), Some("0"));
    assert_eq!(answer_key("56,088"), None);
    assert_eq!(answer_key("5.0"), None);
    assert_eq!(answer_key(""), None);
}

#[test]
fn parse_question_is_lenient_about_spaces() {
    for text in ["123*456", " 123 * 456 ", "123 x 456 =", "123*456=?"] {
        assert_eq!(parse_question(text), Ok(P), "{text}");
    }
    for bad in ["123+456", "*456", "12a*4", "99999999999999999999*2"] {
        let err = parse_question(bad).unwrap_err().to_string();
        assert!(err.contains(bad), "{err}");
    }
}

#[test]
fn step_labels_mark_the_first_wrong_line_and_after() {
    let good = render_completion(&compact_lines(&P), "56088");
    assert!(step_labels(&P, &good).iter().all(|l| *l == StepLabel::Good));
    let bad = "<think>\n8370\n5170\n2940\n88860\n880650\n</think>\n\n56088";
    use StepLabel::{Bad, Good};
    assert_eq!(step_labels(&P, bad), vec![Good, Bad, Bad, Bad, Bad]);
    let cot = "<think>\n123*6=738\n123 * 50 = 6150\nnonsense\n</think>\n\n1";
    assert_eq!(step_labels(&P, cot), vec![Good, Good, Bad]);
    let extra = render_completion(&vec!["8370".to_string(); 7], "1");
    assert_eq!(step_labels(&P, &extra).len(), 7);
}

#[test]
fn generate_respects_digits_and_split() {
    let task = MultTask::new(&MultConfig { min_digits: 2, max_digits: 4, ..MultConfig::default() }).unwrap();
    let mut rng = SplitMix64::new(9);
    for split in [Split::Train, Split::Test] {
        for _ in 0..300 {
            let p = task.generate(&mut rng, split);
            let m = p.downcast_ref::<MultProblem>().expect("not mult");
            assert!((10..10_000).contains(&m.a) && (10..10_000).contains(&m.b));
            assert_eq!(task.is_held_out(&p), split == Split::Test);
        }
    }
}

#[test]
fn tiny_spaces_report_their_partitions() {
    // 1-digit products: 81 problems. Whatever the hash gives, Test must still generate.
    let part = probe_partition(1, 1);
    assert!(part.has_train);
    let task = MultTask::new(&MultConfig { min_digits: 1, max_digits: 1, ..MultConfig::default() }).unwrap();
    let mut rng = SplitMix64::new(1);
    let p = task.generate(&mut rng, Split::Test);
    assert_eq!(task.is_held_out(&p), part.has_test);
    let held: usize = (1..10u64)
        .flat_map(|a| (1..10u64).map(move |b| MultProblem { a, b }))
        .filter(|p| is_held_out_text(&p.question()))
        .count();
    println!("1x1 digit products held out: {held} of 81");
}

#[test]
fn think_lengths_3x3() {
    let task = MultTask::new(&MultConfig::default()).unwrap();
    let compact = trace_length_stats(&task, COMPACT, 1000, 7);
    let cot = trace_length_stats(&task, COT, 1000, 7);
    println!("mult 3x3 compact: {compact:?}");
    println!("mult 3x3 cot:     {cot:?}");
    assert!(compact.chars.mean < cot.chars.mean);
}

#[test]
fn prompts_in_every_style() {
    let task = MultTask::new(&MultConfig::default()).unwrap();
    let p = Problem::new(P);
    assert_eq!(task.prompt(&p, PromptStyle::Plain), "123*456");
    assert_eq!(task.prompt(&p, PromptStyle::Cot), "123*456\nthink step by step.");
    let few = task.prompt(&p, PromptStyle::FewShot);
    assert_eq!(few.matches("</think>").count(), 2);
    assert!(few.ends_with("\n\n123*456"));
    let sup = task.prompt(&p, PromptStyle::Supervised);
    assert!(sup.contains("<think>") && sup.ends_with("123*456"));
    for style in PromptStyle::ALL {
        assert!(crate::prompt::in_vocabulary(&task.prompt(&p, *style)));
    }
}

#[test]
fn long_reads_like_long_multiplication() {
    assert_eq!(
        super::long::long_lines(&P),
        vec![
            "123*6: 8370 = 738",
            "123*5: 5160 = 615",
            "123*4: 2940 = 492",
            "sum: 88860 = 6888",
            "sum: 880650 = 56088",
            "check mod 9: 1+2=3+3=6 is 6, 4+5=9+6=15 is 6, 6*6=36 is 0, 5+6=11+0=11+8=19+8=27 is 0, ok",
        ]
    );
    let one_by_one = MultProblem { a: 7, b: 8 };
    assert_eq!(
        super::long::long_lines(&one_by_one),
        vec!["7*8: 65 = 56", "check mod 9: 7 is 7, 8 is 8, 7*8=56 is 2, 5+6=11 is 2, ok"]
    );
}

/// Every `long` line's scratch digits, read right to left, are the number it then states, and the
/// numbers are the true partial products and sums.
#[test]
fn long_scratch_and_stated_numbers_agree() {
    let mut rng = SplitMix64::new(11);
    for _ in 0..500 {
        let p = MultProblem { a: rng.gen_range(1..100_000u64), b: rng.gen_range(1..100_000u64) };
        let lines = super::long::long_lines(&p);
        let lb = p.b.to_string().len();
        assert_eq!(lines.len(), 2 * lb);
        for (j, line) in lines[..lines.len() - 1].iter().enumerate() {
            let (_, rest) = line.split_once(": ").unwrap();
            let (scratch, stated) = rest.split_once(" = ").unwrap();
            let read: u128 = scratch.chars().rev().collect::<String>().parse().unwrap();
            let stated: u128 = stated.parse().unwrap();
            assert_eq!(read, stated, "{line}");
            let digit = (p.b / 10u64.pow(j.min(lb - 1) as u32)) % 10;
            if j < lb {
                assert_eq!(stated, u128::from(p.a) * u128::from(digit), "{line}");
            }
        }
        let last_sum = &lines[lines.len() - 2];
        assert!(last_sum.ends_with(&format!(" = {}", p.product())), "{last_sum}");
        assert_eq!(super::long::check_passes(&lines[lines.len() - 1]), Some(true));
        let c = render_completion(&lines, &p.product().to_string());
        assert!(step_labels(&p, &c).iter().all(|l| *l == StepLabel::Good));
    }
}

/// A slip in any line is carried into the later sums and makes the check say `wrong`; the redo
/// after `again:` is the clean trace.
#[test]
fn a_wrong_line_fails_the_check() {
    let mut rng = SplitMix64::new(12);
    for _ in 0..500 {
        let p = MultProblem { a: rng.gen_range(1..100_000u64), b: rng.gen_range(1..100_000u64) };
        let clean = super::long::long_lines(&p);
        let lines = super::long::long_lines_with_mistake(&p, &mut rng);
        let again = lines.iter().position(|l| l == super::long::AGAIN).unwrap();
        assert_eq!(&lines[again + 1..], &clean[..]);
        assert_eq!(super::long::check_passes(&lines[again - 1]), Some(false), "{lines:?}");
        let differing = lines[..again - 1].iter().zip(&clean).filter(|(x, y)| x != y).count();
        assert!(differing >= 1);
    }
}

/// The price of readability, measured: over 1000 random 1–5 × 1–5-digit problems the `long`
/// think block is about 6.6× the `compact` one (192 against 29 characters a problem), most of
/// the growth over the first `long` (about 5×) being the check's worked residues.
#[test]
fn long_is_readable_at_a_measured_cost() {
    let mut rng = SplitMix64::new(13);
    let (mut long, mut compact) = (0usize, 0usize);
    for _ in 0..1000 {
        let draw = |r: &mut SplitMix64| crate::integer::draw_operand(r, 1, 5);
        let p = MultProblem { a: draw(&mut rng), b: draw(&mut rng) };
        long += super::long::long_lines(&p).iter().map(|l| l.len() + 1).sum::<usize>();
        compact += compact_lines(&p).iter().map(|l| l.len() + 1).sum::<usize>();
    }
    let ratio = long as f64 / compact as f64;
    assert!((6.0..7.2).contains(&ratio), "long/compact = {ratio:.2} ({long} vs {compact} chars)");
}

#[test]
fn mistake_rate_is_a_config_key_in_range() {
    let task = MultTask::new(&MultConfig { mistake_rate: 1.0, ..MultConfig::default() }).unwrap();
    let mut rng = SplitMix64::new(5);
    let p = Problem::new(P);
    let c = task.completion(&p, LONG, &mut rng).unwrap();
    assert!(c.contains("wrong\nagain:\n"), "{c}");
    assert_eq!(task.verify(&p, &c).verdict, Verdict::Correct);
    let bad = MultConfig { mistake_rate: 1.5, ..MultConfig::default() };
    assert!(MultTask::new(&bad).unwrap_err().to_string().contains("mistake_rate"));
}
