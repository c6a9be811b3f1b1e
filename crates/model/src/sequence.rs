//! What a sequence to decode is (a prompt, sampling parameters, stop sequences) and what comes
//! back (tokens, log-probabilities, why it stopped): shared by the step-wise engine and batched
//! generation.

use crate::sampling::SamplingParams;
use crate::thinking::ThinkTags;

/// One sequence to continue.
#[derive(Clone, Debug)]
pub struct GenRequest {
    pub prompt: Vec<u32>,
    pub params: SamplingParams,
    /// Stop as soon as the generated tokens end with any of these sequences (kept in the
    /// output), e.g. the tokens of `"\n"` to generate one reasoning step.
    pub stop_sequences: Vec<Vec<u32>>,
    /// The think tags and wait word, needed when `params.thinking` sets a budget.
    pub think_tags: Option<ThinkTags>,
    /// Decode on past end-of-sequence tokens until `max_new_tokens` (vLLM's `ignore_eos`, for
    /// benchmarks that need every sequence to run its full length).
    pub ignore_eos: bool,
}

impl GenRequest {
    pub fn new(prompt: Vec<u32>, params: SamplingParams) -> Self {
        GenRequest { prompt, params, stop_sequences: Vec::new(), think_tags: None, ignore_eos: false }
    }

    /// The same request, with the tags a thinking budget needs.
    pub fn with_think_tags(mut self, tags: ThinkTags) -> Self {
        self.think_tags = Some(tags);
        self
    }

    pub(crate) fn hits_stop(&self, tokens: &[u32]) -> bool {
        self.stop_sequences.iter().any(|s| !s.is_empty() && tokens.ends_with(s))
    }
}

/// Why a sequence stopped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FinishReason {
    /// A stop token was produced (it is included in `tokens`).
    Stop,
    /// `max_new_tokens` or the model's context ran out (also: not finished yet).
    #[default]
    Length,
}

/// A finished sequence.
#[derive(Clone, Debug)]
pub struct GenOutput {
    pub tokens: Vec<u32>,
    pub logprobs: Vec<f32>,
    pub finish: FinishReason,
    /// Prompt tokens this request's prefill computed: the prompt length, less what a restored
    /// [`PrefixStore`] snapshot covered, or 0 when it shared an identical earlier prompt's prefill.
    pub prefilled: usize,
}
