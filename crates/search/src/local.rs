//! [`Generator`] over deepthink's own model: renders the chat template, decodes the whole batch
//! through one KV cache, and honours stop strings by cutting the text after the first match.
//!
//! Stop strings end a sequence inside the decode loop (as token sequences), so a one-step
//! request (`stop: ["\n"]`) is charged for one line only. Requests with the same question and
//! prefix (N samples, M expansions of a beam) share one prefill through `KvCache::fork`, and are
//! charged for it once. Across calls a prefix cache keeps the last calls' KV caches, so a beam's
//! next step, whose prompt extends the sequence it generated, restores it instead of reading the
//! prefix again (charged for one token).
//!
//! Prompts, stop strings and thinking budgets are read as [`crate::decode_request`] says; a
//! budget set with [`LocalGenerator::with_thinking`] applies to every request that sets none.

use std::sync::Mutex;

use deepthink_model::{generate_with_prefixes, ChatTokenizer, GenRequest, Model, PrefixStore, ThinkingBudget};

use crate::decode_request::{continuation, count_tokens, decode_request};
use crate::error::SearchError;
use crate::generator::{Continuation, Generator, Request};

pub struct LocalGenerator<'a> {
    pub model: &'a Model,
    pub tokenizer: &'a ChatTokenizer,
    /// KV caches of the last calls' sequences, continued by later prompts that extend them.
    prefixes: Option<Mutex<PrefixStore>>,
    /// The budget of requests that set none.
    thinking: ThinkingBudget,
}

/// Default bound of the cross-call prefix cache.
const PREFIX_CACHE_BYTES: usize = 512 << 20;

impl<'a> LocalGenerator<'a> {
    /// A generator with a cross-call prefix cache of up to 512 MiB.
    pub fn new(model: &'a Model, tokenizer: &'a ChatTokenizer) -> Self {
        LocalGenerator {
            model,
            tokenizer,
            prefixes: Some(Mutex::new(PrefixStore::new(PREFIX_CACHE_BYTES))),
            thinking: ThinkingBudget::default(),
        }
    }

    /// The same without the cross-call prefix cache (every call prefills its prompts in full).
    pub fn without_prefix_cache(model: &'a Model, tokenizer: &'a ChatTokenizer) -> Self {
        LocalGenerator { model, tokenizer, prefixes: None, thinking: ThinkingBudget::default() }
    }

    /// The same generator, applying `budget` to every request that sets no budget of its own.
    pub fn with_thinking(mut self, budget: ThinkingBudget) -> Self {
        self.thinking = budget;
        self
    }
}

impl Generator for LocalGenerator<'_> {
    fn generate(&self, requests: &[Request]) -> Result<Vec<Continuation>, SearchError> {
        let gen: Vec<GenRequest> =
            requests.iter().map(|r| decode_request(self.tokenizer, r, &self.thinking)).collect::<Result<_, _>>()?;
        let stops = self.tokenizer.stop_ids();
        let outs = match &self.prefixes {
            Some(store) => {
                let mut store =
                    store.lock().map_err(|_| SearchError::Config("the prefix cache was poisoned".into()))?;
                generate_with_prefixes(self.model, &gen, stops, &mut |_, _| {}, Some(&mut store))?
            }
            None => generate_with_prefixes(self.model, &gen, stops, &mut |_, _| {}, None)?,
        };
        Ok(outs
            .into_iter()
            .zip(requests)
            .zip(&gen)
            .map(|((out, r), g)| continuation(self.tokenizer, r, out, g.prompt.len()))
            .collect())
    }

    fn prefill(&self) -> &str {
        self.tokenizer.generation_prefill(true)
    }

    fn count_tokens(&self, text: &str) -> usize {
        count_tokens(self.tokenizer, text)
    }

    fn flops_per_token(&self, ctx: usize) -> Option<f64> {
        Some(self.model.cfg.flops_per_token(ctx))
    }
}
