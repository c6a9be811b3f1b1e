//! The one evaluation path: solve a problem list with a test-time-compute [`Strategy`] over a
//! [`Generator`], check each chosen completion with a [`Verifier`] (once per chunk; the task's own
//! checker unless another is given), and report three
//! outcomes (correct, wrong, no answer) with the reasoning length in tokens, real truncation, and
//! the compute each strategy spent. Greedy decoding is the `Single` strategy at temperature 0
//! over the local generator ([`evaluate_greedy`]); training-time evaluation, `deepthink eval` and
//! every grid cell go through [`Evaluation::run`].

use std::time::Instant;

use deepthink_model::{ChatTokenizer, Model};
use deepthink_search::single::Single;
use deepthink_search::vote::majority;
use deepthink_search::{Budget, Generator, LocalGenerator, SearchError, Strategy};
use deepthink_tasks::{check_batch, Attempt, Checked, Problem, PromptStyle, Task, TaskChecker, Verdict, Verifier};

use crate::prediction::{Prediction, SampleVotes};
use crate::report::EvalReport;

/// Greedy evaluation settings (what training runs evaluate with).
#[derive(Clone, Debug)]
pub struct EvalOptions {
    pub prompt_style: PromptStyle,
    /// Longest completion, in tokens.
    pub max_new_tokens: usize,
    /// Problems decoded together.
    pub batch_size: usize,
}

impl EvalOptions {
    /// Greedy decoding with room for `max_new_tokens` (a run's longest training sequence).
    pub fn greedy(prompt_style: PromptStyle, max_new_tokens: usize) -> EvalOptions {
        EvalOptions { prompt_style, max_new_tokens, batch_size: 100 }
    }
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions { prompt_style: PromptStyle::Plain, max_new_tokens: 200, batch_size: 64 }
    }
}

/// What an evaluation runs: a strategy over a generator, within a budget, checked by a verifier.
#[derive(Clone, Copy)]
pub struct Evaluation<'a> {
    pub task: &'a dyn Task,
    pub strategy: &'a dyn Strategy,
    pub gen: &'a dyn Generator,
    pub budget: Budget,
    /// Problems solved per strategy call (about 64 sequences in flight suits the local engine).
    pub chunk: usize,
    /// Checks the chosen completions; `None` for the task's own checker.
    pub verifier: Option<&'a dyn Verifier>,
}

impl Evaluation<'_> {
    /// Solve `problems` chunk by chunk and check each chosen completion (one verifier call per
    /// chunk). `progress(done, total)` is called after each chunk.
    pub fn run(
        &self,
        problems: &[Problem],
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<(EvalReport, Vec<Prediction>), SearchError> {
        let start = Instant::now();
        let own = TaskChecker(self.task);
        let verifier = self.verifier.unwrap_or(&own);
        let mut preds = Vec::with_capacity(problems.len());
        for part in problems.chunks(self.chunk.max(1)) {
            let solutions = self.strategy.solve(self.task, part, self.gen, self.budget)?;
            // One verifier call for the chunk: every sample, then each shown completion that is
            // not one of its own samples (greedy's and majority's always is: checked once).
            let mut attempts: Vec<Attempt> = part
                .iter()
                .zip(&solutions)
                .flat_map(|(p, s)| s.samples.iter().map(move |c| Attempt { problem: p, completion: c }))
                .collect();
            let mut shown_at = Vec::with_capacity(part.len());
            let mut start = 0;
            for (p, s) in part.iter().zip(&solutions) {
                let at = match s.samples.iter().position(|c| *c == s.completion) {
                    Some(j) => start + j,
                    None => {
                        attempts.push(Attempt { problem: p, completion: &s.completion });
                        attempts.len() - 1
                    }
                };
                shown_at.push(at);
                start += s.samples.len();
            }
            let checked = check_batch(verifier, &attempts).map_err(|e| SearchError::Verifier(e.to_string()))?;
            let votes = sample_votes(self.task, part, &solutions, &checked);
            for (((p, s), v), at) in part.iter().zip(solutions).zip(votes).zip(shown_at) {
                preds.push(Prediction::new(p, s, checked[at].clone(), v));
            }
            progress(preds.len(), problems.len());
        }
        Ok((EvalReport::from_predictions(&preds, start.elapsed().as_secs_f64()), preds))
    }
}

/// How many of each solution's samples were right (`checked` starts with every sample's verdict,
/// in order), and whether the majority answer (the task's answer key; ties to the first) was.
fn sample_votes(
    task: &dyn Task,
    problems: &[Problem],
    solutions: &[deepthink_search::Solution],
    checked: &[Checked],
) -> Vec<SampleVotes> {
    let mut at = 0;
    problems
        .iter()
        .zip(solutions)
        .map(|(p, s)| {
            let mine = &checked[at..at + s.samples.len()];
            at += s.samples.len();
            let keys: Vec<Option<String>> =
                mine.iter().map(|c| c.answer.as_deref().and_then(|a| task.answer_key(p, a))).collect();
            let majority_correct = majority(&keys).is_some_and(|(winner, _)| {
                keys.iter()
                    .zip(mine)
                    .any(|(k, c)| k.as_deref() == Some(winner.as_str()) && c.verdict == Verdict::Correct)
            });
            let correct = mine.iter().filter(|c| c.verdict == Verdict::Correct).count();
            SampleVotes { samples: s.samples.len(), correct, majority_correct }
        })
        .collect()
}

/// Greedy decoding of every problem once, on the local model (no cross-call prefix cache: whole
/// solutions never continue one another).
pub fn evaluate_greedy(
    model: &Model,
    tok: &ChatTokenizer,
    task: &dyn Task,
    problems: &[Problem],
    opts: &EvalOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(EvalReport, Vec<Prediction>), SearchError> {
    let gen = LocalGenerator::without_prefix_cache(model, tok);
    let greedy = Single { prompt: opts.prompt_style, temperature: 0.0, seed: 0 };
    let budget = Budget { samples: 1, max_new_tokens: opts.max_new_tokens };
    let run = Evaluation { task, strategy: &greedy, gen: &gen, budget, chunk: opts.batch_size, verifier: None };
    run.run(problems, progress)
}

#[cfg(test)]
mod tests {
    use super::*;
    use deepthink_tasks::{task_by_name, TaskConfig, TaskError};

    /// A tiny random model with the character-level tokenizer.
    fn random_model(seed: u64) -> (Model, ChatTokenizer) {
        let tok = ChatTokenizer::char_level().unwrap();
        let shape = deepthink_model::ModelShape {
            d_model: 16,
            n_layers: 1,
            n_heads: 2,
            n_kv_heads: 1,
            ffn_dim: 16,
            max_seq_len: 64,
            ..Default::default()
        };
        let cfg = deepthink_model::ModelConfig::from_shape(&shape, tok.vocab_size()).unwrap();
        (Model::new_random(cfg, seed), tok)
    }

    #[test]
    fn truncation_and_reasoning_tokens_come_from_the_generation() {
        let (model, tok) = random_model(1);
        let task = task_by_name("mult", &TaskConfig::default()).unwrap();
        let problems: Vec<Problem> = ["12*34", "5*6"].iter().map(|q| task.parse_question(q).unwrap()).collect();
        let opts = EvalOptions { max_new_tokens: 7, ..EvalOptions::default() };
        let (report, preds) = evaluate_greedy(&model, &tok, task.as_ref(), &problems, &opts, &mut |_, _| {}).unwrap();
        assert_eq!(report.overall.n, 2);
        for p in &preds {
            // A random model rarely closes its think block in 7 tokens; either way the counts
            // must agree with the completion the verifier saw.
            let body = p.completion.strip_prefix("<think>\n").unwrap();
            let closed = body.find("</think>");
            assert_eq!(p.reasoning_tokens, tok.encode(&body[..closed.unwrap_or(body.len())]).unwrap().len());
            assert!(p.tokens <= 7 && p.flops > 0.0 && p.prompt_tokens > 0);
            if p.tokens < 7 {
                assert!(!p.truncated, "stopped early, so not cut off: {p:?}");
            }
        }
        assert!(preds.iter().any(|p| p.truncated), "a random model runs out of 7 tokens");
    }

    /// A verifier that calls every completion right, counting its calls.
    struct Lenient(std::sync::atomic::AtomicUsize);

    impl Verifier for Lenient {
        fn name(&self) -> String {
            "lenient".into()
        }
        fn check(&self, attempts: &[Attempt<'_>]) -> Result<Vec<Checked>, TaskError> {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(attempts.iter().map(|_| Checked::new(Verdict::Correct, None)).collect())
        }
    }

    #[test]
    fn another_verifier_is_called_once_per_chunk() {
        let (model, tok) = random_model(2);
        let task = task_by_name("mult", &TaskConfig::default()).unwrap();
        let problems = deepthink_tasks::held_out_problems(task.as_ref(), 5, 1);
        let gen = LocalGenerator::new(&model, &tok);
        let greedy = Single { prompt: PromptStyle::Plain, temperature: 0.0, seed: 0 };
        let lenient = Lenient(Default::default());
        let budget = Budget { samples: 1, max_new_tokens: 4 };
        let run = Evaluation {
            task: task.as_ref(),
            strategy: &greedy,
            gen: &gen,
            budget,
            chunk: 2,
            verifier: Some(&lenient),
        };
        let (report, _) = run.run(&problems, &mut |_, _| {}).unwrap();
        assert_eq!(report.overall.correct, 5, "its verdicts are the ones counted");
        assert_eq!(lenient.0.load(std::sync::atomic::Ordering::SeqCst), 3, "chunks of 2, 2 and 1");
    }
}
