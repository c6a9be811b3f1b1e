//! Strategies on the shipped default model: majority voting turns unreliable high-temperature
//! samples into reliable answers, compute is charged for every sample, and bad budgets are errors.

use std::path::PathBuf;

use deepthink_model::load_checkpoint;
use deepthink_search::majority::Majority;
use deepthink_search::single::Single;
use deepthink_search::{Budget, LocalGenerator, Strategy};
use deepthink_tasks::{task_by_name, MultConfig, Problem, PromptStyle, Split, Task, TaskConfig, Verdict};
use rand::SeedableRng;

fn setup() -> (deepthink_model::Checkpoint, Box<dyn Task>, Vec<Problem>) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/mult-compact");
    let ck = load_checkpoint(&dir).unwrap();
    let task =
        task_by_name("mult", &TaskConfig::from(MultConfig { min_digits: 4, max_digits: 5, ..MultConfig::default() }))
            .unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let problems = (0..24).map(|_| task.generate(&mut rng, Split::Test)).collect();
    (ck, task, problems)
}

fn accuracy(task: &dyn Task, problems: &[Problem], sols: &[deepthink_search::Solution]) -> f64 {
    let ok =
        problems.iter().zip(sols).filter(|(p, s)| task.verify(p, &s.completion).verdict == Verdict::Correct).count();
    ok as f64 / problems.len() as f64
}

#[test]
fn majority_of_hot_samples_beats_one_hot_sample() {
    let (ck, task, problems) = setup();
    let gen = LocalGenerator::new(&ck.model, &ck.tokenizer);
    let budget = Budget { samples: 9, max_new_tokens: 128 };
    // Hot enough that one sample is usually wrong (25% right), yet right answers stay the plurality.
    let hot = 3.0;
    let one = Single { prompt: PromptStyle::Plain, temperature: hot, seed: 11 };
    let single = one.solve(task.as_ref(), &problems, &gen, Budget { samples: 1, ..budget }).unwrap();
    let vote = Majority { temperature: hot, seed: 11, ..Majority::default() };
    let voted = vote.solve(task.as_ref(), &problems, &gen, budget).unwrap();
    let (a1, a9) = (accuracy(task.as_ref(), &problems, &single), accuracy(task.as_ref(), &problems, &voted));
    eprintln!("temperature {hot}: one sample {a1:.3}, majority of 9 {a9:.3}");
    assert!(a9 >= a1 + 0.15, "majority {a9} should clearly beat a single sample {a1}");
    // Every sample is paid for: 9 completions cost about 9 single attempts.
    let spent: usize = voted.iter().map(|s| s.generated_tokens).sum();
    let single_spent: usize = single.iter().map(|s| s.generated_tokens).sum();
    assert!(spent > 6 * single_spent, "{spent} vs {single_spent}");
    assert!(voted.iter().all(|s| s.flops > 0.0 && s.prompt_tokens > 0));
}

#[test]
fn greedy_is_the_default_models_answer_and_a_zero_budget_is_an_error() {
    let (ck, task, problems) = setup();
    let gen = LocalGenerator::new(&ck.model, &ck.tokenizer);
    let greedy = Single { prompt: PromptStyle::Plain, temperature: 0.0, seed: 0 };
    let sols = greedy.solve(task.as_ref(), &problems[..4], &gen, Budget { samples: 1, max_new_tokens: 128 }).unwrap();
    assert_eq!(accuracy(task.as_ref(), &problems[..4], &sols), 1.0);
    let e = Majority::default().solve(task.as_ref(), &problems[..1], &gen, Budget { samples: 0, max_new_tokens: 8 });
    assert!(e.unwrap_err().to_string().contains("`samples` must be at least 1"));
}

#[test]
fn a_stop_string_ends_generation_after_one_reasoning_step() {
    use deepthink_search::{Generator, Request};
    let (ck, _, _) = setup();
    let gen = LocalGenerator::new(&ck.model, &ck.tokenizer);
    let params = deepthink_model::SamplingParams { max_new_tokens: 64, ..Default::default() };
    let step = |prefix: &str| Request {
        messages: vec![deepthink_model::Message::user("123*456")],
        prefix: prefix.into(),
        params: params.clone(),
        stop: vec!["\n".into()],
        logprobs: prefix.is_empty(),
    };
    let out = gen.generate(&[step(""), step("8370\n")]).unwrap();
    assert_eq!(out[0].text, "8370\n");
    assert_eq!(out[0].tokens, 5, "charged for one line only");
    assert_eq!(out[1].text, "5160\n", "continues from a partial reasoning");
    assert_eq!(out[0].logprobs.len(), 5, "log-probabilities when asked");
    assert!(out[1].logprobs.is_empty(), "and none when not");
    assert_eq!(gen.prefill(), "<think>\n", "the pre-fill comes from the chat template");
}

#[test]
fn confidence_tells_right_samples_from_slips_and_a_sure_probe_stops_allocate() {
    use deepthink_search::allocate::{calibrate, Allocate};
    use deepthink_search::allocation_table::AllocationTable;
    use deepthink_search::candidates::Sampling;
    let (ck, task, problems) = setup();
    let gen = LocalGenerator::new(&ck.model, &ck.tokenizer);
    let (hot, n) = (2.5, 6);
    let budget = Budget { samples: n, max_new_tokens: 128 };
    let checker = deepthink_tasks::TaskChecker(task.as_ref());
    let how = Sampling { prompt: PromptStyle::Plain, temperature: hot, seed: 5 };
    let drawn = calibrate(task.as_ref(), &problems, &gen, &checker, how, 1, &[0.5], budget, &mut |_| {}).unwrap();
    let all: Vec<_> = drawn.iter().flatten().collect();
    assert!(all.iter().all(|s| s.confidence > 0.0 && s.confidence <= 1.0), "read from the sampling's log-probs");
    let mean = |right: bool| {
        let c: Vec<f32> = all.iter().filter(|s| s.right == right).map(|s| s.confidence).collect();
        assert!(!c.is_empty(), "samples both right and wrong at T = {hot}");
        c.iter().sum::<f32>() / c.len() as f32
    };
    // DeepConf's premise on a product: a slip is a digit drawn from the tail.
    let (right, wrong) = (mean(true), mean(false));
    eprintln!("confidence: right {right:.3}, wrong {wrong:.3}");
    assert!(right > wrong + 0.1, "right samples {right:.3} vs wrong {wrong:.3}");
    // A table that stops a readable, sure probe at one sample and gives every other probe N.
    let table = AllocationTable { probe: 1, cuts: vec![0.5], samples: vec![n, n, n, 1] };
    let allocate = Allocate { prompt: PromptStyle::Plain, temperature: hot, seed: 5, probe: 1, table: Some(table) };
    let sols = allocate.solve(task.as_ref(), &problems, &gen, budget).unwrap();
    let counts: Vec<usize> = sols.iter().map(|s| s.samples.len()).collect();
    assert!(counts.iter().all(|&c| c == 1 || c == n), "{counts:?}");
    // Both draw sample j of problem i with the same seed, so the probe is calibration's first sample.
    for (i, d) in drawn.iter().enumerate() {
        assert_eq!(counts[i] == 1, d[0].key.is_some() && d[0].confidence >= 0.5, "problem {i}: {counts:?}");
    }
    let stopped: Vec<usize> = (0..problems.len()).filter(|&i| counts[i] == 1).collect();
    assert!(!stopped.is_empty() && stopped.len() < problems.len(), "{counts:?}");
    let sure = stopped.iter().filter(|&&i| task.verify(&problems[i], &sols[i].completion).verdict == Verdict::Correct);
    let one_sample = all.iter().filter(|s| s.right).count() as f64 / all.len() as f64;
    let sure_accuracy = sure.count() as f64 / stopped.len() as f64;
    assert!(sure_accuracy > one_sample, "sure probes {sure_accuracy:.2} vs any sample {one_sample:.2}");
}
