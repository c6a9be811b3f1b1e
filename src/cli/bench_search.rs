//! `deepthink bench --search`: does the strategy layer keep the engine busy?
//!
//! On one model and the same held-out problems it times self-consistency three ways: the N
//! samples of each problem drawn one after another (one sequence in flight), all N of a problem
//! together, and several problems together (N × problems in flight) — and, in the same run, the
//! engine's own batched decode (64 sequences × 128 tokens, as `deepthink bench`), so the
//! strategy's generated tokens/s can be read as a fraction of what the engine can do.

use std::time::Instant;

use deepthink_search::majority::Majority;
use deepthink_search::single::Single;
use deepthink_search::{Budget, LocalGenerator, Strategy};
use deepthink_tasks::held_out_problems;
use deepthink_tasks::{task_by_name, MultConfig, PromptStyle};
use serde_json::json;

use deepthink_model::bench::decode_seconds;

pub struct SearchBench {
    pub samples: usize,
    pub problems: usize,
    pub together: usize,
    pub reps: usize,
}

pub fn run(model_arg: &Option<std::path::PathBuf>, b: &SearchBench) -> anyhow::Result<()> {
    let (name, ck) = super::load_model(model_arg)?;
    let task = task_by_name("mult", &MultConfig { min_digits: 4, max_digits: 5, ..MultConfig::default() }.into())?;
    let problems = held_out_problems(task.as_ref(), b.problems, 7);
    let gen = LocalGenerator::new(&ck.model, &ck.tokenizer);
    let budget = Budget { samples: b.samples, max_new_tokens: 200 };
    let n = b.samples;
    eprintln!("{name}: majority@{n} on {} held-out 4–5-digit products, temperature 1", problems.len());
    let vote = Majority { prompt: PromptStyle::Plain, temperature: 1.0, seed: 3 };
    let mut rows = Vec::new();
    for _ in 0..b.reps.max(1) {
        // (a) one sample at a time: request j of problem i with majority's seed for it.
        let t0 = Instant::now();
        let mut seq_tokens = 0;
        for (i, p) in problems.iter().enumerate() {
            for j in 0..n {
                let one = Single { prompt: PromptStyle::Plain, temperature: 1.0, seed: 3 + (i * n + j) as u64 };
                let s = one.solve(task.as_ref(), std::slice::from_ref(p), &gen, Budget { samples: 1, ..budget })?;
                seq_tokens += s[0].generated_tokens;
            }
        }
        let sequential = t0.elapsed().as_secs_f64();
        // (b) a problem's N samples together; (c) `together` problems at once.
        let timed = |chunk: usize| -> anyhow::Result<(f64, usize)> {
            let t0 = Instant::now();
            let mut tokens = 0;
            for part in problems.chunks(chunk) {
                tokens +=
                    vote.solve(task.as_ref(), part, &gen, budget)?.iter().map(|s| s.generated_tokens).sum::<usize>();
            }
            Ok((t0.elapsed().as_secs_f64(), tokens))
        };
        let (per_problem, _) = timed(1)?;
        let (together, tokens) = timed(b.together)?;
        let engine = (64 * 128) as f64 / decode_seconds(&ck.model, 64, 128, 2)?;
        rows.push(json!({
            "sequential_s": sequential, "sequential_tokens": seq_tokens,
            "per_problem_s": per_problem, "together_s": together, "together_tokens": tokens,
            "speedup_per_problem": sequential / per_problem, "speedup_together": sequential / together,
            "together_tokens_per_s": tokens as f64 / together, "engine_batched_tokens_per_s": engine,
            "fraction_of_engine": tokens as f64 / together / engine,
        }));
    }
    for r in &rows {
        println!(
            "one at a time {:.2} s · {n} together {:.2} s ({:.1}x) · {} problems × {n} together {:.2} s ({:.1}x), {:.0} generated tokens/s = {:.0}% of the engine's batched decode ({:.0} tokens/s)",
            r["sequential_s"].as_f64().unwrap_or(0.0),
            r["per_problem_s"].as_f64().unwrap_or(0.0),
            r["speedup_per_problem"].as_f64().unwrap_or(0.0),
            b.together,
            r["together_s"].as_f64().unwrap_or(0.0),
            r["speedup_together"].as_f64().unwrap_or(0.0),
            r["together_tokens_per_s"].as_f64().unwrap_or(0.0),
            100.0 * r["fraction_of_engine"].as_f64().unwrap_or(0.0),
            r["engine_batched_tokens_per_s"].as_f64().unwrap_or(0.0),
        );
    }
    println!(
        "{}",
        json!({ "model": name, "samples": n, "problems": problems.len(), "together": b.together, "rounds": rows })
    );
    Ok(())
}
