//! Compute accounting: what a strategy spent on one problem, in the units the test-time-scaling
//! literature compares at — tokens generated, prompt tokens computed, tokens the verifier read,
//! and the forward FLOPs of all of it (Snell et al. 2024 compare methods at equal FLOPs).

use deepthink_model::FinishReason;

use crate::generator::{Continuation, Generator};
use crate::scorer::Scores;
use crate::strategy::{reasoning_tokens, Solution};

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Spend {
    pub generated_tokens: usize,
    pub prompt_tokens: usize,
    pub verifier_tokens: usize,
    /// Policy and verifier forward FLOPs together.
    pub flops: f64,
}

impl Spend {
    /// Charge one continuation: its new tokens and its computed prompt, at the context it reached.
    pub fn add_continuation(&mut self, gen: &dyn Generator, c: &Continuation) {
        self.generated_tokens += c.tokens;
        self.prompt_tokens += c.prompt_tokens;
        self.flops += gen.flops_per_token(c.context + c.tokens).unwrap_or(0.0) * (c.prompt_tokens + c.tokens) as f64;
    }

    /// Charge one verifier reading.
    pub fn add_scores(&mut self, s: &Scores) {
        self.verifier_tokens += s.tokens_read;
        self.flops += s.flops;
    }

    pub fn add(&mut self, other: &Spend) {
        self.generated_tokens += other.generated_tokens;
        self.prompt_tokens += other.prompt_tokens;
        self.verifier_tokens += other.verifier_tokens;
        self.flops += other.flops;
    }

    /// The solution that answers `answer`, shown with `completion` (which ended for `finish`;
    /// its reasoning is counted in `gen`'s tokens), at this cost.
    pub fn solution(
        &self,
        gen: &dyn Generator,
        answer: Option<String>,
        completion: String,
        finish: FinishReason,
    ) -> Solution {
        Solution {
            answer,
            reasoning_tokens: reasoning_tokens(gen, &completion),
            completion,
            finish,
            generated_tokens: self.generated_tokens,
            prompt_tokens: self.prompt_tokens,
            verifier_tokens: self.verifier_tokens,
            flops: self.flops,
            samples: Vec::new(),
        }
    }
}
