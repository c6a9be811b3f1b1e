//! The one evaluation path: solve a problem list with a test-time-compute [`Strategy`] over a
//! [`Generator`], check each chosen completion with the task's verifier, and report three
//! outcomes (correct, wrong, no answer) with the reasoning length in tokens, real truncation, and
//! the compute each strategy spent. Greedy decoding is the `Single` strategy at temperature 0
//! over the local generator ([`evaluate_greedy`]); training-time evaluation, `deepthink eval` and
//! every grid cell go through [`evaluate`].

use std::time::Instant;

use deepthink_model::{ChatTokenizer, FinishReason, Model};
use deepthink_search::single::Single;
use deepthink_search::{Budget, Generator, LocalGenerator, SearchError, Solution, Strategy};
use deepthink_tasks::{Problem, PromptStyle, Task, Verdict};
use serde::Serialize;

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

/// One problem's outcome.
#[derive(Clone, Debug, Serialize)]
pub struct Prediction {
    pub problem: Problem,
    pub question: String,
    pub reference: String,
    /// The assistant turn as the verifier saw it (the template's pre-fill included).
    pub completion: String,
    pub answer: Option<String>,
    pub verdict: Verdict,
    /// Tokens the strategy generated for this problem (every sample, every step).
    pub tokens: usize,
    /// Tokens of the chosen completion's reasoning.
    pub reasoning_tokens: usize,
    /// The chosen completion was cut off by the token budget.
    pub truncated: bool,
    pub group: String,
    /// Prompt tokens computed (shared prefills counted once).
    pub prompt_tokens: usize,
    /// Tokens a verifier read.
    pub verifier_tokens: usize,
    /// Estimated forward FLOPs of everything generated and read.
    pub flops: f64,
}

impl Prediction {
    fn new(task: &dyn Task, p: &Problem, s: Solution) -> Prediction {
        let checked = task.verify(p, &s.completion);
        Prediction {
            problem: p.clone(),
            question: p.question(),
            reference: p.answer(),
            completion: s.completion,
            answer: checked.answer,
            verdict: checked.verdict,
            tokens: s.generated_tokens,
            reasoning_tokens: s.reasoning_tokens,
            truncated: s.finish == FinishReason::Length,
            group: p.difficulty(),
            prompt_tokens: s.prompt_tokens,
            verifier_tokens: s.verifier_tokens,
            flops: s.flops,
        }
    }
}

/// Solve `problems` in chunks of `chunk` with `strategy` and check each chosen completion.
/// `progress(done, total)` is called after each chunk.
pub fn evaluate(
    task: &dyn Task,
    problems: &[Problem],
    strategy: &dyn Strategy,
    gen: &dyn Generator,
    budget: Budget,
    chunk: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(EvalReport, Vec<Prediction>), SearchError> {
    let start = Instant::now();
    let mut preds = Vec::with_capacity(problems.len());
    for part in problems.chunks(chunk.max(1)) {
        for (p, s) in part.iter().zip(strategy.solve(task, part, gen, budget)?) {
            preds.push(Prediction::new(task, p, s));
        }
        progress(preds.len(), problems.len());
    }
    Ok((EvalReport::from_predictions(&preds, start.elapsed().as_secs_f64()), preds))
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
    evaluate(task, problems, &greedy, &gen, budget, opts.batch_size, progress)
}

#[cfg(test)]
mod tests {
    use super::*;
    use deepthink_tasks::{task_by_name, TaskConfig};

    #[test]
    fn truncation_and_reasoning_tokens_come_from_the_generation() {
        let tok = ChatTokenizer::char_level().unwrap();
        let shape = deepthink_model::ModelShape { d_model: 16, n_layers: 1, n_heads: 2, n_kv_heads: 1, ffn_dim: 16, max_seq_len: 64, ..Default::default() };
        let cfg = deepthink_model::ModelConfig::from_shape(&shape, tok.vocab_size()).unwrap();
        let model = Model::new_random(cfg, 1);
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
}
