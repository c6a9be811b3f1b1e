//! Verifier-guided strategies on the shipped default model, sampled hot so single attempts are
//! unreliable: with the task's own checker as verifier (an upper bound), every strategy that
//! consults it does far better than one sample; a broken verifier (NaN) still yields answers;
//! prompts shared by many samples are prefilled once; bad settings are errors, not panics.

use std::path::PathBuf;

use deepthink_model::load_checkpoint;
static ORACLE: OracleScorer = OracleScorer::task_checker();

use deepthink_search::{
    by_name, Budget, LocalGenerator, OracleScorer, ScoreItem, Scorer, Scores, SearchError, Solution, StrategyOptions,
};
use deepthink_tasks::{task_by_name, MultConfig, Problem, Split, Task, TaskConfig, Verdict};
use rand::SeedableRng;

fn setup(n: usize) -> (deepthink_model::Checkpoint, Box<dyn Task>, Vec<Problem>) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/mult-compact");
    let ck = load_checkpoint(&dir).unwrap();
    let task =
        task_by_name("mult", &TaskConfig::from(MultConfig { min_digits: 4, max_digits: 5, ..MultConfig::default() }))
            .unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(8);
    let problems = (0..n).map(|_| task.generate(&mut rng, Split::Test)).collect();
    (ck, task, problems)
}

fn accuracy(task: &dyn Task, problems: &[Problem], sols: &[Solution]) -> f64 {
    let ok =
        problems.iter().zip(sols).filter(|(p, s)| task.verify(p, &s.completion).verdict == Verdict::Correct).count();
    ok as f64 / problems.len() as f64
}

/// Hot enough that one sample is right about a quarter of the time.
fn hot() -> StrategyOptions {
    StrategyOptions { temperature: 3.0, seed: 5, ..StrategyOptions::default() }
}

#[test]
fn the_oracle_lifts_every_verifier_strategy_far_above_one_sample() {
    let (ck, task, problems) = setup(16);
    let gen = LocalGenerator::new(&ck.model, &ck.tokenizer);
    let budget = Budget { samples: 8, max_new_tokens: 96 };
    let one = by_name("sample", &hot(), None).unwrap();
    let base = accuracy(task.as_ref(), &problems, &one.solve(task.as_ref(), &problems, &gen, budget).unwrap());
    for name in ["best-of-n", "weighted-majority", "beam", "dvts", "mcts"] {
        let s = by_name(name, &hot(), Some(&ORACLE)).unwrap();
        let sols = s.solve(task.as_ref(), &problems, &gen, budget).unwrap();
        let acc = accuracy(task.as_ref(), &problems, &sols);
        eprintln!("{name}: {acc:.3} (one sample {base:.3})");
        assert!(acc >= base + 0.3, "{name}: {acc} vs one sample {base}");
        assert!(sols.iter().all(|s| s.generated_tokens > 0 && s.flops > 0.0), "{name} charges its work");
    }
}

/// A verifier that has diverged.
struct NanScorer;
impl Scorer for NanScorer {
    fn name(&self) -> String {
        "nan".into()
    }
    fn score(&self, _: &dyn Task, items: &[ScoreItem]) -> Result<Vec<Scores>, SearchError> {
        Ok(items.iter().map(|_| Scores { steps: vec![f32::NAN], tokens_read: 1, flops: 1.0 }).collect())
    }
}

#[test]
fn a_nan_verifier_degrades_to_an_arbitrary_choice_without_failing() {
    let (ck, task, problems) = setup(3);
    let gen = LocalGenerator::new(&ck.model, &ck.tokenizer);
    let budget = Budget { samples: 4, max_new_tokens: 96 };
    let cool = StrategyOptions { temperature: 0.3, ..StrategyOptions::default() };
    for name in ["best-of-n", "weighted-majority", "beam", "dvts", "mcts"] {
        let s = by_name(name, &cool, Some(&NanScorer)).unwrap();
        let sols = s.solve(task.as_ref(), &problems, &gen, budget).unwrap();
        assert_eq!(sols.len(), 3);
        assert!(sols.iter().all(|s| s.answer.is_some()), "{name} still answers: {sols:?}");
        assert!(sols.iter().all(|s| s.verifier_tokens > 0), "{name} charges the verifier");
    }
}

#[test]
fn zero_budgets_missing_verifiers_and_unknown_names_are_errors() {
    let (ck, task, problems) = setup(1);
    let gen = LocalGenerator::new(&ck.model, &ck.tokenizer);
    for name in deepthink_search::STRATEGY_NAMES {
        let s = by_name(name, &StrategyOptions::default(), Some(&ORACLE)).unwrap();
        let e = s.solve(task.as_ref(), &problems, &gen, Budget { samples: 0, max_new_tokens: 8 }).unwrap_err();
        assert!(e.to_string().contains("`samples` must be at least 1"), "{name}: {e}");
    }
    let e = by_name("beam", &StrategyOptions::default(), None).err().unwrap().to_string();
    assert!(e.contains("needs a verifier"), "{e}");
    let e = by_name("tree-of-thought", &StrategyOptions::default(), None).err().unwrap().to_string();
    assert!(e.contains("unknown strategy `tree-of-thought`"), "{e}");
    let bad = StrategyOptions { width: 0, ..StrategyOptions::default() };
    let e = by_name("dvts", &bad, Some(&ORACLE)).unwrap().solve(
        task.as_ref(),
        &problems,
        &gen,
        Budget { samples: 4, max_new_tokens: 8 },
    );
    assert!(e.unwrap_err().to_string().contains("`width`"));
}

#[test]
fn samples_of_one_question_share_one_prefill() {
    let (ck, task, problems) = setup(2);
    let gen = LocalGenerator::new(&ck.model, &ck.tokenizer);
    let s = by_name("majority", &hot(), None).unwrap();
    let one = s.solve(task.as_ref(), &problems, &gen, Budget { samples: 1, max_new_tokens: 64 }).unwrap();
    let many = s.solve(task.as_ref(), &problems, &gen, Budget { samples: 8, max_new_tokens: 64 }).unwrap();
    for (a, b) in one.iter().zip(&many) {
        assert_eq!(a.prompt_tokens, b.prompt_tokens, "8 samples read the prompt once");
        assert!(b.generated_tokens > 4 * a.generated_tokens);
    }
}

#[test]
fn adaptive_majority_stops_early_on_agreement_and_matches_majority_otherwise() {
    let (ck, task, problems) = setup(6);
    let gen = LocalGenerator::new(&ck.model, &ck.tokenizer);
    let budget = Budget { samples: 16, max_new_tokens: 96 };
    // Cool sampling: the answers agree, so a few samples settle each problem.
    let cool = StrategyOptions { temperature: 0.5, seed: 2, ..StrategyOptions::default() };
    let adaptive =
        by_name("adaptive-majority", &cool, None).unwrap().solve(task.as_ref(), &problems, &gen, budget).unwrap();
    let full = by_name("majority", &cool, None).unwrap().solve(task.as_ref(), &problems, &gen, budget).unwrap();
    let spent = |s: &[Solution]| s.iter().map(|s| s.generated_tokens).sum::<usize>();
    assert!(spent(&adaptive) * 3 < spent(&full), "{} vs {}", spent(&adaptive), spent(&full));
    assert_eq!(accuracy(task.as_ref(), &problems, &adaptive), accuracy(task.as_ref(), &problems, &full));
}

#[test]
fn the_confidence_scorer_flags_the_step_with_a_slip() {
    use deepthink_search::ConfidenceScorer;
    let (ck, task, _) = setup(0);
    let p = task.parse_question("123*456").unwrap();
    let q = p.question();
    let right = "<think>\n8370\n5160\n2940\n88860\n880650\n</think>\n\n56088";
    let slip = "<think>\n8370\n5170\n2940\n88860\n880650\n</think>\n\n56088";
    let scorer = ConfidenceScorer { model: ck.model, tokenizer: ck.tokenizer, label: "default".into() };
    let items = [
        ScoreItem { problem: &p, question: &q, completion: right, complete: true },
        ScoreItem { problem: &p, question: &q, completion: slip, complete: true },
    ];
    let s = scorer.score(task.as_ref(), &items).unwrap();
    assert_eq!(s[0].steps.len(), 6);
    assert!(s[0].steps.iter().all(|&x| x > 0.5), "the model's own trace is confident: {:?}", s[0].steps);
    assert!(s[1].steps[1] < 0.05, "the slipped digit: {:?}", s[1].steps);
    assert!(s[1].last() < 0.05 && s[0].last() > 0.5);
}

#[test]
fn beam_steps_continue_from_cached_prefixes_instead_of_rereading_them() {
    let (ck, task, problems) = setup(4);
    let cached = LocalGenerator::new(&ck.model, &ck.tokenizer);
    let fresh = LocalGenerator::without_prefix_cache(&ck.model, &ck.tokenizer);
    let s = by_name("beam", &hot(), Some(&ORACLE)).unwrap();
    let b = Budget { samples: 4, max_new_tokens: 96 };
    let with = s.solve(task.as_ref(), &problems, &cached, b).unwrap();
    let without = s.solve(task.as_ref(), &problems, &fresh, b).unwrap();
    let read = |s: &[Solution]| s.iter().map(|s| s.prompt_tokens).sum::<usize>();
    eprintln!("prompt tokens computed: {} with the prefix cache, {} without", read(&with), read(&without));
    assert!(read(&with) * 3 < read(&without), "{} vs {}", read(&with), read(&without));
    assert_eq!(accuracy(task.as_ref(), &problems, &with), accuracy(task.as_ref(), &problems, &without));
}
