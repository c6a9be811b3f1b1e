use super::*;
use crate::registry::task_by_name;
use crate::seeded::SplitMix64;
use crate::text::think_lines;

fn mix(spec: &str) -> Result<Box<dyn Task>, TaskError> {
    let cfg = TaskConfig::default().with("min_digits", 1).with("max_digits", 5).with("mix", spec);
    task_by_name(NAME, &cfg)
}

#[test]
fn draws_follow_the_weights() {
    let task = mix(DEFAULT_MIX).unwrap();
    let mut rng = SplitMix64::new(1);
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for _ in 0..7000 {
        let p = task.generate(&mut rng, Split::Train);
        let key = if p.task_name() == "countdown" { p.difficulty() } else { p.task_name().to_string() };
        *counts.entry(key).or_default() += 1;
    }
    // Weights 1:1:3:1:1 of 7000 draws: 1000, 1000, 3000, 1000, 1000 (± 4 standard deviations).
    let near = |k: &str, want: f64| (counts[k] as f64 - want).abs() < 4.0 * want.sqrt();
    assert!(near("add", 1000.0) && near("sub", 1000.0) && near("mult", 3000.0), "{counts:?}");
    assert!(near("3 numbers", 1000.0) && near("4 numbers", 1000.0), "{counts:?}");
}

#[test]
fn mixed_trace_thinks_only_when_it_pays() {
    let task = mix(DEFAULT_MIX).unwrap();
    let mut rng = SplitMix64::new(2);
    let easy = task.parse_question("1+1").unwrap();
    let c = task.completion(&easy, MIXED, &mut rng).unwrap();
    assert_eq!(c, "<think>\n\n</think>\n\n2");
    let hard = task.parse_question("123*456").unwrap();
    let c = task.completion(&hard, MIXED, &mut rng).unwrap();
    assert_eq!(think_lines(&c)[0], "123*6: 8370 = 738");
    assert_eq!(task.verify(&hard, &c).verdict, crate::Verdict::Correct);
    let diff = task.parse_question("68-503").unwrap();
    let c = task.completion(&diff, MIXED, &mut rng).unwrap();
    assert!(c.ends_with("-435") && c.contains("and negate"), "{c}");
    let direct = task.completion(&hard, TraceStyle::DIRECT, &mut rng).unwrap();
    assert_eq!(direct, "<think>\n\n</think>\n\n56088");
}

#[test]
fn countdown_components_fix_the_number_count() {
    let task = mix("countdown4:optimal=1").unwrap();
    let mut rng = SplitMix64::new(3);
    for _ in 0..50 {
        let p = task.generate(&mut rng, Split::Train);
        assert_eq!(p.difficulty(), "4 numbers");
        let c = task.completion(&p, MIXED, &mut rng).unwrap();
        assert!(task.verify(&p, &c).verdict == crate::Verdict::Correct || p.answer().is_empty(), "{c}");
    }
}

#[test]
fn test_split_draws_only_held_out_problems() {
    let task = mix(DEFAULT_MIX).unwrap();
    let mut rng = SplitMix64::new(4);
    for _ in 0..300 {
        let p = task.generate(&mut rng, Split::Test);
        assert!(task.is_held_out(&p) || p.difficulty() == "1x1", "{p:?}");
    }
}

#[test]
fn every_operation_parses_and_other_text_lists_the_forms() {
    let task = mix(DEFAULT_MIX).unwrap();
    for (q, name) in [("1+1", "add"), ("503-68", "sub"), ("12*34", "mult"), ("25 5 4 -> 80", "countdown")] {
        assert_eq!(task.parse_question(q).unwrap().task_name(), name, "{q}");
    }
    let err = task.parse_question("hello").unwrap_err().to_string();
    assert!(err.contains("hello") && err.contains('*') && err.contains("->"), "{err}");
    let five_numbers = task.parse_question("1 2 3 4 5 -> 15").unwrap();
    let why = task.covers(&five_numbers).unwrap_err();
    assert!(why.contains("countdown3") && why.contains("5 numbers"), "{why}");
}

#[test]
fn bad_specs_name_the_component() {
    for (spec, says) in [
        ("mult=abc", "not a number"),
        ("mult=0", "positive"),
        ("mult", "TASK[:STYLE]=WEIGHT"),
        ("sudoku=1", "sudoku"),
        ("mult:search=1", "search"),
        ("add4=1", "only `countdown`"),
        ("mix=1", "cannot contain"),
        (" , ", "no component"),
    ] {
        let err = mix(spec).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains(says), "{spec}: {err}");
    }
}

#[test]
fn facts_are_learnt_from_the_whole_table_and_nothing_else_leaks() {
    let task = mix(DEFAULT_MIX).unwrap();
    let mut rng = SplitMix64::new(6);
    let (mut facts, mut held_out_facts) = (std::collections::HashSet::new(), 0);
    for _ in 0..20_000 {
        let p = task.generate(&mut rng, Split::Train);
        if ["1+1", "1-1", "1x1"].contains(&p.difficulty().as_str()) {
            held_out_facts += usize::from(p.is_held_out());
            facts.insert(p);
        } else {
            assert!(!p.is_held_out(), "{p:?}");
        }
    }
    assert!(held_out_facts > 0, "held-out facts are trained on");
    assert!(facts.len() > 150, "most of the 243 facts appear: {}", facts.len());
    // With thinking on easy problems, facts are worked out, and the split is kept everywhere.
    let cfg = TaskConfig::default().with("min_digits", 1).with("max_digits", 5).with("mix_direct_easy", false);
    let strict = task_by_name(NAME, &cfg).unwrap();
    for _ in 0..5000 {
        assert!(!strict.generate(&mut rng, Split::Train).is_held_out());
    }
}
