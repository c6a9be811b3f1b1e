//! The contract between strategies and whatever produces text.
//!
//! A request is a conversation (system and earlier turns, ending with the user turn to answer)
//! plus the assistant text written so far, after what the chat template pre-fills
//! ([`Generator::prefill`]: `<think>\n` for deepthink's template). Step-level search extends a
//! partial reasoning by passing it as `prefix`; sampling strategies leave it empty. The generator
//! reports the tokens it read and wrote, which is how strategies are charged.

use deepthink_model::{FinishReason, Message, SamplingParams};

use crate::error::SearchError;

/// One continuation to produce.
#[derive(Clone, Debug)]
pub struct Request {
    /// The conversation to continue, ending with the user turn.
    pub messages: Vec<Message>,
    /// Assistant text already written after the template's pre-fill (empty to start).
    pub prefix: String,
    pub params: SamplingParams,
    /// Stop after any of these strings (kept in the output), besides end-of-sequence.
    pub stop: Vec<String>,
    /// Return each generated token's log-probability (a remote server may charge for them).
    pub logprobs: bool,
}

impl Request {
    /// A sampled continuation of `prefix` (no stop strings): the request every strategy builds.
    pub fn sampled(
        question: impl Into<String>,
        prefix: impl Into<String>,
        temperature: f32,
        max_new_tokens: usize,
        seed: u64,
    ) -> Self {
        Request {
            messages: vec![Message::user(question)],
            prefix: prefix.into(),
            params: SamplingParams { temperature, max_new_tokens, seed, ..SamplingParams::default() },
            stop: Vec::new(),
            logprobs: false,
        }
    }
}

/// What a generator wrote for one request.
#[derive(Clone, Debug)]
pub struct Continuation {
    /// The new text only (not the prefix).
    pub text: String,
    /// Tokens generated.
    pub tokens: usize,
    /// Prompt tokens computed for this request (0 when it shared an identical prompt's prefill).
    pub prompt_tokens: usize,
    /// Length of the prompt it continued (question, template and prefix), computed or shared.
    pub context: usize,
    /// Log-probability of each generated token, when the request asked for them (else empty).
    pub logprobs: Vec<f32>,
    pub finish: FinishReason,
}

/// Batched text continuation. Implementations should run a whole slice of requests together.
pub trait Generator: Sync {
    fn generate(&self, requests: &[Request]) -> Result<Vec<Continuation>, SearchError>;
    /// The assistant text the chat template pre-fills before a request's prefix: the full
    /// assistant turn of a continuation is `prefill + prefix + text`.
    fn prefill(&self) -> &str;
    /// How many tokens `text` is for this generator's model (reasoning lengths are reported in
    /// tokens).
    fn count_tokens(&self, text: &str) -> usize;
    /// Forward-pass FLOPs per token at context length `ctx` (for compute accounting), if known.
    fn flops_per_token(&self, ctx: usize) -> Option<f64>;
}
