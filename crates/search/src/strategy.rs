//! What every strategy implements, and what it returns: the answer, the reasoning shown for it,
//! and the compute it cost (tokens generated and read, estimated forward FLOPs).

use deepthink_model::FinishReason;
use deepthink_tasks::{Problem, PromptStyle, Task};

use crate::error::SearchError;
use crate::generator::{Continuation, Generator, Request};

/// How much a strategy may spend per problem.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// N in the test-time-scaling literature: completions sampled per problem, beams kept alive
    /// in step-level search, or simulations of MCTS.
    pub samples: usize,
    /// Longest completion, in tokens.
    pub max_new_tokens: usize,
}

impl Budget {
    pub fn validate(&self) -> Result<(), SearchError> {
        if self.samples == 0 {
            return Err(SearchError::Budget("`samples` must be at least 1, got 0".into()));
        }
        if self.max_new_tokens == 0 {
            return Err(SearchError::Budget("`max_new_tokens` must be at least 1, got 0".into()));
        }
        Ok(())
    }
}

/// One problem's outcome.
#[derive(Clone, Debug)]
pub struct Solution {
    /// The chosen answer as the task reads it, if any completion had one.
    pub answer: Option<String>,
    /// The assistant turn behind the chosen answer (the template's pre-fill included).
    pub completion: String,
    /// Why the chosen completion ended: `Length` when it was cut off (by the token budget).
    pub finish: FinishReason,
    /// Tokens of the chosen completion's reasoning: after the pre-fill, up to `</think>` (all
    /// of it when the think block never closed).
    pub reasoning_tokens: usize,
    pub generated_tokens: usize,
    /// Prompt tokens computed (shared prefills counted once).
    pub prompt_tokens: usize,
    /// Tokens the verifier read (0 without one).
    pub verifier_tokens: usize,
    /// Estimated forward-pass FLOPs of everything generated and read, verifier included.
    pub flops: f64,
    /// Every whole solution the strategy sampled for the problem (its pre-fill included), for
    /// pass@k and maj@k; empty for step-level search, whose partial paths are not samples.
    pub samples: Vec<String>,
}

/// A way of spending test-time compute on problems.
pub trait Strategy {
    fn name(&self) -> &'static str;
    /// Solve `problems` (batched together where the strategy can), each within `budget`.
    fn solve(
        &self,
        task: &dyn Task,
        problems: &[Problem],
        gen: &dyn Generator,
        budget: Budget,
    ) -> Result<Vec<Solution>, SearchError>;
}

/// `n` fresh requests per problem (empty reasoning so far), problem-major. Request `j` of problem
/// `i` is seeded `seed + i·n + j`, so a sample depends only on its position, not on the batch.
pub(crate) fn sampled_requests(
    task: &dyn Task,
    problems: &[Problem],
    style: PromptStyle,
    temperature: f32,
    seed: u64,
    n: usize,
    max_new_tokens: usize,
) -> Vec<Request> {
    let mut requests = Vec::with_capacity(problems.len() * n);
    for (i, p) in problems.iter().enumerate() {
        let question = task.prompt(p, style);
        for j in 0..n {
            requests.push(Request::sampled(
                question.clone(),
                "",
                temperature,
                max_new_tokens,
                sample_seed(seed, i, n, j),
            ));
        }
    }
    requests
}

/// The seed of sample `j` of problem `i` among `n` per problem (shared by every sampling strategy,
/// so they draw the same samples).
pub(crate) fn sample_seed(seed: u64, i: usize, n: usize, j: usize) -> u64 {
    seed.wrapping_add((i * n + j) as u64)
}

/// The tokens of a completion's reasoning (after the generator's pre-fill, up to `</think>`).
pub fn reasoning_tokens(gen: &dyn Generator, completion: &str) -> usize {
    let body = completion.strip_prefix(gen.prefill()).unwrap_or(completion);
    let reasoning = body.find(deepthink_tasks::text::THINK_CLOSE).map_or(body, |end| &body[..end]);
    gen.count_tokens(reasoning)
}

/// The assistant turn a continuation of an empty prefix completes.
pub(crate) fn completion_text(gen: &dyn Generator, c: &Continuation) -> String {
    format!("{}{}", gen.prefill(), c.text)
}

/// The user turn of each problem under a prompt style.
pub(crate) fn questions(task: &dyn Task, problems: &[Problem], style: PromptStyle) -> Vec<String> {
    problems.iter().map(|p| task.prompt(p, style)).collect()
}
