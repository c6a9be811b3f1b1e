use super::check::{answer_key, parse_question, verify};
use super::*;
use crate::stats::trace_length_stats;
use crate::text::{render_completion, think_lines};
use crate::verdict::Verdict;

fn p(numbers: &[u32], target: u32) -> CountdownProblem {
    CountdownProblem { numbers: numbers.to_vec(), target }
}

fn answer(text: &str) -> String {
    render_completion(&[], text)
}

#[test]
fn verify_accepts_any_valid_expression() {
    let q = p(&[25, 5, 4], 80);
    for ok in ["(25-5)*4", "4*(25-5)", " ( 25 - 5 ) * 4 ", "(25-5)*4 = 80", "-(4*(5-25))"] {
        assert_eq!(verify(&q, &answer(ok)).verdict, Verdict::Correct, "{ok}");
    }
    // negative intermediate: 2-5 = -3
    assert_eq!(verify(&p(&[2, 5, 7], 4), &answer("2-5+7")).verdict, Verdict::Correct);
}

#[test]
fn verify_rejects_illegal_expressions() {
    let q = p(&[25, 5, 4], 80);
    for wrong in [
        "(25-5)*4*1",                // foreign number
        "25*4-5*4",                  // reused 4, missing nothing? uses 4 twice
        "(25-5)*4+5-5",              // reused 5
        "25*4",                      // omitted 5
        "25*5-4",                    // wrong value
        "(25-5)*4 = 81",             // wrong claim
        "25/(5-5)*4",                // division by zero
        "99999999999999999999*0+80", // overflowing literal
    ] {
        assert_eq!(verify(&q, &answer(wrong)).verdict, Verdict::Wrong, "{wrong}");
    }
    // inexact division: 3/2*4 = 6 but 3/2 is not an integer
    assert_eq!(verify(&p(&[3, 2, 4], 6), &answer("3/2*4")).verdict, Verdict::Wrong);
    for none in ["", "(25-5", "twenty", "(25-5)*4\n(25-5)*4", "25-5=20=x"] {
        assert_eq!(verify(&q, &answer(none)).verdict, Verdict::NoAnswer, "{none:?}");
    }
}

#[test]
fn answer_keys_group_equivalent_expressions() {
    assert_eq!(answer_key("(25-5)*4").as_deref(), Some("80|4,5,25"));
    assert_eq!(answer_key("4 * (25 - 5)"), answer_key("(25-5)*4"));
    assert_eq!(answer_key("7/2").as_deref(), Some("7/2|2,7"));
    assert_eq!(answer_key("1/0"), None);
    assert_eq!(answer_key("(("), None);
}

#[test]
fn optimal_and_search_traces() {
    let q = p(&[25, 5, 4], 80);
    let mut rng = SplitMix64::new(0);
    let (lines, ans) = trace(&q, OPTIMAL, &mut rng).unwrap();
    assert_eq!(lines.len(), 2);
    assert!(lines[1].ends_with("=80"), "{lines:?}");
    assert_eq!(verify(&q, &answer(&ans)).verdict, Verdict::Correct);
    let (lines, ans) = trace(&q, SEARCH, &mut rng).unwrap();
    assert!(lines.last().is_some_and(|l| l.ends_with("=80 yes")), "{lines:?}");
    let completion = render_completion(&lines, &ans);
    assert_eq!(verify(&q, &completion).verdict, Verdict::Correct);
    let labels = steps::step_labels(&q, &completion);
    assert_eq!(labels.len(), think_lines(&completion).len());
    assert_eq!(labels.last(), Some(&StepLabel::Good));
}

#[test]
fn step_labels_follow_reachability_and_backtracking() {
    use StepLabel::{Bad, Good};
    let q = p(&[25, 5, 4], 80);
    let c = "<think>\n25+5=30 [4,30]\n30+4=34 no\n30-4=26 no\nback [25,5,4]\n25-5=20 [4,20]\n\
             20*4=80 yes\n</think>\n\n(25-5)*4";
    assert_eq!(steps::step_labels(&q, c), vec![Bad, Bad, Bad, Good, Good, Good]);
    // illegal lines: reused number, bad arithmetic, wrong state; recovery by `back`
    let c = "<think>\n25-25=0 [0,5,4]\n25-5=20\nback [25,5,4]\n25-5=21\n25-5=20 [20,5]\n</think>";
    assert_eq!(steps::step_labels(&q, c), vec![Bad, Bad, Good, Bad, Bad]);
    let c = "<think>\nback [1,2]\nhello\n25-5=20\n</think>";
    assert_eq!(steps::step_labels(&q, c), vec![Bad, Bad, Bad]);
}

#[test]
fn questions_round_trip_and_errors_name_the_input() {
    let q = p(&[25, 5, 4], 80);
    assert_eq!(q.question(), "25 5 4 -> 80");
    for text in ["25 5 4 -> 80", "25,5,4->80", " [25, 5, 4] -> 80 "] {
        assert_eq!(parse_question(text), Ok(q.clone()), "{text}");
    }
    for bad in ["25 5 4", "25 five 4 -> 80", "-> 80", "1 2 -> x"] {
        let err = parse_question(bad).unwrap_err().to_string();
        assert!(err.contains(bad), "{err}");
    }
}

#[test]
fn generation_is_solvable_in_range_and_split() {
    let task = CountdownTask::new(&CountdownConfig::default()).unwrap();
    let mut rng = SplitMix64::new(5);
    for split in [Split::Train, Split::Test] {
        for _ in 0..200 {
            let prob = task.generate(&mut rng, split);
            let c = prob.downcast_ref::<CountdownProblem>().expect("not countdown");
            assert_eq!(c.numbers.len(), 3);
            assert!(c.numbers.iter().all(|n| (1..=30).contains(n)));
            assert!((10..=100).contains(&c.target));
            assert_eq!(task.is_held_out(&prob), split == Split::Test);
            assert_eq!(task.verify(&prob, &answer(&prob.answer())).verdict, Verdict::Correct);
        }
    }
}

#[test]
fn tiny_and_impossible_configs() {
    let tiny = CountdownConfig {
        countdown_numbers: 2,
        countdown_max_value: 3,
        countdown_min_target: 1,
        countdown_max_target: 10,
    };
    let task = CountdownTask::new(&tiny).unwrap();
    let mut rng = SplitMix64::new(2);
    let _ = task.generate(&mut rng, Split::Test); // terminates whatever the partition
    let impossible = CountdownConfig {
        countdown_numbers: 2,
        countdown_max_value: 1,
        countdown_min_target: 50,
        countdown_max_target: 60,
    };
    let err = CountdownTask::new(&impossible).err().unwrap().to_string();
    assert!(err.contains("`countdown_max_target`") && err.contains("60"), "{err}");
}

#[test]
fn unsolvable_file_problems_are_errors_not_panics() {
    let q = Problem::new(p(&[1, 1, 1], 80));
    assert_eq!(q.answer(), "");
    let task = CountdownTask::new(&CountdownConfig::default()).unwrap();
    let err = task.completion(&q, SEARCH, &mut SplitMix64::new(0));
    assert!(err.is_err());
    let err = task.completion(&q, crate::mult::COMPACT, &mut SplitMix64::new(0));
    assert!(err.err().map(|e| e.to_string()).unwrap_or_default().contains("compact"));
}

#[test]
fn countdown_trace_lengths() {
    let task = CountdownTask::new(&CountdownConfig::default()).unwrap();
    let search = trace_length_stats(&task, SEARCH, 1000, 11);
    let optimal = trace_length_stats(&task, OPTIMAL, 1000, 11);
    println!("countdown search:  {search:?}");
    println!("countdown optimal: {optimal:?}");
    assert_eq!(optimal.lines.max, 2);
    let four = CountdownTask::new(&CountdownConfig { countdown_numbers: 4, ..CountdownConfig::default() }).unwrap();
    println!("countdown 4 numbers search: {:?}", trace_length_stats(&four, SEARCH, 200, 11));
}

#[test]
fn few_shot_prompt_shows_search() {
    let task = CountdownTask::new(&CountdownConfig::default()).unwrap();
    let q = Problem::new(p(&[25, 5, 4], 80));
    let few = task.prompt(&q, PromptStyle::FewShot);
    println!("{few}");
    assert!(few.ends_with("\n\n25 5 4 -> 80"));
    for style in PromptStyle::ALL {
        assert!(crate::prompt::in_vocabulary(&task.prompt(&q, *style)));
    }
}

#[test]
fn visited_traces_mark_revisits_replay_cleanly_and_end_right() {
    use crate::countdown::steps::step_labels;
    let four = CountdownTask::new(&CountdownConfig { countdown_numbers: 4, ..CountdownConfig::default() }).unwrap();
    let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(11);
    let (mut with_seen, mut n) = (0, 0);
    for _ in 0..200 {
        let problem = four.generate(&mut rng, Split::Train);
        let Ok(completion) = four.completion(&problem, VISITED, &mut rng) else { continue };
        n += 1;
        assert_eq!(four.verify(&problem, &completion).verdict, Verdict::Correct, "{completion}");
        let lines = crate::text::think_lines(&completion);
        with_seen += usize::from(lines.iter().any(|l| l.ends_with(" seen")));
        let cp = problem.downcast_ref::<CountdownProblem>().unwrap();
        assert_eq!(step_labels(cp, &completion).len(), lines.len());
    }
    assert!(with_seen * 5 >= n, "revisits are common with 4 numbers: {with_seen} of {n}");
    let search = trace_length_stats(&four, SEARCH, 200, 11);
    let visited = trace_length_stats(&four, VISITED, 200, 11);
    println!("countdown 4 numbers search:  {search:?}\ncountdown 4 numbers visited: {visited:?}");
    // Within the same node budget (a `seen` line costs none), marking revisits finds more
    // solutions by search before the solver's path has to be appended.
    let found = |mark: bool| {
        let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(5);
        let mut found = 0;
        for _ in 0..200 {
            let problem = four.generate(&mut rng, Split::Train);
            let cp = problem.downcast_ref::<CountdownProblem>().unwrap();
            let traced = trace_search::traced_search(&cp.values(), i64::from(cp.target), &mut rng, mark);
            found += usize::from(traced.is_some_and(|(_, _, by_search)| by_search));
        }
        found
    };
    let (plain, marked) = (found(false), found(true));
    println!("4 numbers found by search within the budget: search {plain}/200, visited {marked}/200");
    assert!(marked >= plain, "{marked} vs {plain}");
}

#[test]
fn found_traces_are_the_searches_that_reach_the_goal_themselves() {
    let four = CountdownTask::new(&CountdownConfig { countdown_numbers: 4, ..CountdownConfig::default() }).unwrap();
    let (mut kept, mut rejected) = (0, 0);
    for seed in 0..200u64 {
        let mut gen_rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(seed);
        let problem = four.generate(&mut gen_rng, Split::Train);
        let cp = problem.downcast_ref::<CountdownProblem>().unwrap();
        // The same trace RNG for `visited` and `found`: `found` is `visited` or a rejection.
        let rng_at = || <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(seed + 1000);
        let by_search = trace_search::traced_search(&cp.values(), i64::from(cp.target), &mut rng_at(), true).unwrap().2;
        let visited = four.completion(&problem, VISITED, &mut rng_at()).unwrap();
        match four.completion(&problem, FOUND, &mut rng_at()) {
            Ok(found) => {
                assert!(by_search);
                kept += 1;
                assert_eq!(found, visited);
                assert_eq!(four.verify(&problem, &found).verdict, Verdict::Correct, "{found}");
                let lines = crate::text::think_lines(&found);
                assert!(lines.last().unwrap().ends_with(" yes"), "{found}");
                // Within the node budget: the search's own lines, no solver path after them.
                let tried = lines.iter().filter(|l| !l.starts_with("back") && !l.ends_with(" seen")).count();
                assert!(tried <= trace_search::NODE_BUDGET, "{tried} combinations: {found}");
            }
            Err(TaskError::Rejected { style, .. }) => {
                assert!(!by_search);
                assert_eq!(style, "found");
                rejected += 1;
            }
            Err(e) => panic!("{e}"),
        }
    }
    println!("found: kept {kept}, rejected {rejected} of 200 4-number problems");
    assert!(kept > 40 && rejected > 40, "kept {kept}, rejected {rejected}");
}

#[test]
fn a_rejecting_trace_style_redraws_the_problem() {
    let four = CountdownTask::new(&CountdownConfig { countdown_numbers: 4, ..CountdownConfig::default() }).unwrap();
    let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(3);
    for _ in 0..20 {
        let (_, reply) = crate::accepted_draw(&four, FOUND, Split::Train, &mut rng).unwrap();
        let last = think_lines(&reply).last().map(|l| l.to_string()).unwrap_or_default();
        assert!(last.ends_with(" yes"), "{reply}");
    }
}

#[test]
fn stream_traces_keep_failed_searches_as_they_ran() {
    let four = CountdownTask::new(&CountdownConfig { countdown_numbers: 4, ..CountdownConfig::default() }).unwrap();
    let (mut reached, mut ran_out) = (0, 0);
    for seed in 0..200u64 {
        let mut gen_rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(seed);
        let problem = four.generate(&mut gen_rng, Split::Train);
        // The same trace RNG for both: `stream` is `visited` up to where the fallback starts.
        let rng_at = || <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(seed + 1000);
        let visited = four.completion(&problem, VISITED, &mut rng_at()).unwrap();
        let stream = four.completion(&problem, STREAM, &mut rng_at()).unwrap();
        let checked = four.verify(&problem, &stream);
        if checked.verdict == Verdict::Correct {
            reached += 1;
            assert_eq!(stream, visited);
            continue;
        }
        ran_out += 1;
        assert_eq!(checked.answer.as_deref(), Some(trace_search::NO_SOLUTION), "{stream}");
        assert_ne!(checked.verdict, Verdict::Correct);
        // The search's own lines: visited's, cut where `back [root]` and the solver's path begin.
        let (own, fallback) = (think_lines(&stream), think_lines(&visited));
        let root =
            format!("back {}", trace_search::list(&problem.downcast_ref::<CountdownProblem>().unwrap().values()));
        let cut = fallback.iter().rposition(|l| *l == root).unwrap();
        assert_eq!(own, fallback[..cut].to_vec(), "{stream}");
        let tried = own.iter().filter(|l| !l.starts_with("back") && !l.ends_with(" seen")).count();
        assert_eq!(tried, trace_search::NODE_BUDGET, "{stream}");
    }
    println!("stream: {reached} reached the target, {ran_out} ran out, of 200 4-number problems");
    assert!(reached > 40 && ran_out > 40, "reached {reached}, ran out {ran_out}");
}
