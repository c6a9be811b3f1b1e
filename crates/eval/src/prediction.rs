//! One problem's outcome in an evaluation: what was asked, what the strategy showed, how a
//! verifier judged it, and what it cost. `--predictions FILE` writes one per line.

use deepthink_model::FinishReason;
use deepthink_search::Solution;
use deepthink_tasks::{Checked, Problem, Verdict};
use serde::Serialize;

/// How a problem's samples fared.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SampleVotes {
    pub samples: usize,
    pub correct: usize,
    pub majority_correct: bool,
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
    /// Whole solutions sampled (k), how many of them were right, and whether their majority
    /// answer (under the task's answer key) was right — pass@k, pass@1 and maj@k come from these.
    pub samples: usize,
    pub samples_correct: usize,
    pub majority_correct: bool,
}

impl Prediction {
    /// The outcome of `s`, the solution shown for `p`, as a verifier `checked` it.
    pub fn new(p: &Problem, s: Solution, checked: Checked, votes: SampleVotes) -> Prediction {
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
            samples: votes.samples,
            samples_correct: votes.correct,
            majority_correct: votes.majority_correct,
        }
    }
}
