//! Batched generation: many sequences decode together through one KV cache, each with its own
//! sampling parameters and seed, and each stopping on its own (stop token or length).
//!
//! A sequence's tokens depend only on its prompt, parameters and seed — not on which other
//! sequences share the batch — so results are reproducible however requests are grouped.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::error::ModelError;
use crate::infer::{KvCache, StepToken};
use crate::model::Model;
use crate::sampling::{Sampler, SamplingParams};

/// One sequence to continue.
#[derive(Clone, Debug)]
pub struct GenRequest {
    pub prompt: Vec<u32>,
    pub params: SamplingParams,
    /// Stop as soon as the generated tokens end with any of these sequences (kept in the
    /// output), e.g. the tokens of `"\n"` to generate one reasoning step.
    pub stop_sequences: Vec<Vec<u32>>,
}

impl GenRequest {
    pub fn new(prompt: Vec<u32>, params: SamplingParams) -> Self {
        GenRequest { prompt, params, stop_sequences: Vec::new() }
    }

    fn hits_stop(&self, tokens: &[u32]) -> bool {
        self.stop_sequences.iter().any(|s| !s.is_empty() && tokens.ends_with(s))
    }
}

/// Why a sequence stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FinishReason {
    /// A stop token was produced (it is included in `tokens`).
    Stop,
    /// `max_new_tokens` or the model's context ran out.
    Length,
}

/// A finished sequence.
#[derive(Clone, Debug)]
pub struct GenOutput {
    pub tokens: Vec<u32>,
    pub logprobs: Vec<f32>,
    pub finish: FinishReason,
}

/// Continue every request until it stops; `on_token(i, token)` sees each new token of request
/// `i` as it is chosen (for streaming).
pub fn generate(
    model: &Model,
    requests: &[GenRequest],
    stop_tokens: &[u32],
    on_token: &mut dyn FnMut(usize, u32),
) -> Result<Vec<GenOutput>, ModelError> {
    for (i, r) in requests.iter().enumerate() {
        r.params.validate()?;
        if r.prompt.is_empty() {
            return Err(ModelError::Input(format!("request {i}: the prompt is empty")));
        }
        if r.prompt.len() >= model.cfg.max_seq_len {
            return Err(ModelError::Input(format!(
                "request {i}: the prompt has {} tokens; the model's context is {}",
                r.prompt.len(),
                model.cfg.max_seq_len
            )));
        }
    }
    let capacity = requests
        .iter()
        .map(|r| r.prompt.len().saturating_add(r.params.max_new_tokens))
        .max()
        .unwrap_or(0)
        .min(model.cfg.max_seq_len);
    let mut cache = KvCache::new(model, requests.len(), capacity);
    let mut rngs: Vec<ChaCha8Rng> = requests.iter().map(|r| ChaCha8Rng::seed_from_u64(r.params.seed)).collect();
    let mut outs: Vec<GenOutput> = requests
        .iter()
        .map(|_| GenOutput { tokens: Vec::new(), logprobs: Vec::new(), finish: FinishReason::Length })
        .collect();
    let mut steps: Vec<StepToken> = Vec::new();
    for (slot, r) in requests.iter().enumerate() {
        let last = r.prompt.len() - 1;
        steps.extend(r.prompt.iter().enumerate().map(|(j, &token)| StepToken { slot, token, want_logits: j == last }));
    }
    let mut live: Vec<usize> = (0..requests.len()).collect();
    let mut still = Vec::with_capacity(live.len());
    let mut sampler = Sampler::default();
    // Tokens already in a slot's cache: the prompt and every sampled token but the newest.
    let fed = |i: usize, outs: &[GenOutput]| requests[i].prompt.len() + outs[i].tokens.len() - 1;
    while !live.is_empty() {
        let logits = model.forward_step(&mut cache, &steps)?;
        steps.clear();
        still.clear();
        let v = model.cfg.vocab_size;
        for (row, &i) in logits.chunks(v).zip(&live) {
            let params = &requests[i].params;
            let (tok, lp) = sampler.sample(row, params, &mut rngs[i]);
            outs[i].tokens.push(tok);
            outs[i].logprobs.push(lp);
            on_token(i, tok);
            if stop_tokens.contains(&tok) || requests[i].hits_stop(&outs[i].tokens) {
                outs[i].finish = FinishReason::Stop;
            } else if outs[i].tokens.len() < params.max_new_tokens && fed(i, &outs) < capacity {
                still.push(i);
                steps.push(StepToken { slot: i, token: tok, want_logits: true });
            }
        }
        std::mem::swap(&mut live, &mut still);
    }
    Ok(outs)
}
