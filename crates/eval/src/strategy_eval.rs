//! Evaluation through a test-time-compute [`Strategy`] (greedy, sampling, majority voting, …):
//! the same three-outcome report, with the tokens each strategy spent.

use std::time::Instant;

use deepthink_search::{Budget, Generator, SearchError, Strategy};
use deepthink_tasks::{Problem, Task};

use crate::harness::Prediction;
use crate::report::{group_of, EvalReport};

/// Solve `problems` in chunks of `chunk` with `strategy` and check each chosen completion.
/// `tokens` in each prediction is everything the strategy generated for the problem (all samples);
/// `reasoning_tokens` counts the characters of the chosen reasoning (one per token for
/// deepthink's character-level models).
/// `progress(done, total)` is called after each chunk.
pub fn evaluate_strategy(
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
            let checked = task.verify(p, &s.completion);
            let reasoning = deepthink_tasks::text::think_block(&s.completion);
            preds.push(Prediction {
                problem: p.clone(),
                question: p.question(),
                reference: p.answer(),
                reasoning_tokens: reasoning.chars().count(),
                completion: s.completion,
                answer: checked.answer,
                verdict: checked.verdict,
                tokens: s.generated_tokens,
                truncated: false,
                group: group_of(p),
            });
        }
        progress(preds.len(), problems.len());
    }
    Ok((EvalReport::from_predictions(&preds, start.elapsed().as_secs_f64()), preds))
}
