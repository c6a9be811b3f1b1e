//! [`Generator`] over deepthink's own model: renders the chat template, decodes the whole batch
//! through one KV cache, and honours stop strings by cutting the text after the first match.
//!
//! Stop strings end a sequence inside the decode loop (as token sequences), so a one-step
//! request (`stop: ["\n"]`) is charged for one line only. Requests with the same question and
//! prefix (N samples, M expansions of a beam) share one prefill through `KvCache::fork`, and are
//! charged for it once. Across calls a prefix cache keeps the last calls' KV caches, so a beam's
//! next step, whose prompt extends the sequence it generated, restores it instead of reading the
//! prefix again (charged for one token).

use std::sync::Mutex;

use deepthink_model::{
    generate_with_prefixes, ChatTokenizer, FinishReason, GenRequest, Model, PrefixStore, ThinkTags, ThinkingBudget,
};

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

    /// The decode request for `r`, with its prompt `p`: stop sequences, and the thinking budget
    /// less what the prefix already thought.
    fn decode_request(&self, r: &Request, p: &[u32]) -> Result<GenRequest, SearchError> {
        // Stop inside the decode loop on each stop string's tokens (exact for deepthink's
        // character-level tokenizer); the text-level cut in `generate` stays as the final word.
        let stop_sequences =
            r.stop.iter().filter(|s| !s.is_empty()).map(|s| self.tokenizer.encode(s)).collect::<Result<_, _>>()?;
        let mut params = r.params.clone();
        if !params.thinking.is_active() {
            params.thinking = self.thinking.clone();
        }
        let mut req = GenRequest { prompt: p.to_vec(), params, stop_sequences, think_tags: None };
        if req.params.thinking.is_active() {
            if !r.prefix.contains(deepthink_model::tokenizer::END_THINK) {
                req.params.thinking = req.params.thinking.after(self.count_tokens(&r.prefix));
            }
            req.think_tags = Some(ThinkTags::new(self.tokenizer, &req.params.thinking.wait)?);
        }
        Ok(req)
    }

    fn prompt(&self, r: &Request) -> Result<Vec<u32>, SearchError> {
        let mut text = self.tokenizer.render(&r.messages, true, true)?;
        text.push_str(&r.prefix);
        Ok(self.tokenizer.encode(&text)?)
    }
}

/// Cut `text` just after the earliest stop string, if any occurs.
fn cut_at_stop(text: &str, stop: &[String]) -> Option<usize> {
    stop.iter().filter(|s| !s.is_empty()).filter_map(|s| text.find(s.as_str()).map(|i| i + s.len())).min()
}

impl Generator for LocalGenerator<'_> {
    fn generate(&self, requests: &[Request]) -> Result<Vec<Continuation>, SearchError> {
        let prompts: Vec<Vec<u32>> = requests.iter().map(|r| self.prompt(r)).collect::<Result<_, _>>()?;
        let gen: Vec<GenRequest> =
            requests.iter().zip(&prompts).map(|(r, p)| self.decode_request(r, p)).collect::<Result<_, _>>()?;
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
            .zip(&prompts)
            .map(|((out, r), p)| {
                let body: Vec<u32> = out.tokens.iter().copied().filter(|t| !stops.contains(t)).collect();
                let mut text = self.tokenizer.decode(&body);
                let mut finish = out.finish;
                if let Some(end) = cut_at_stop(&text, &r.stop) {
                    text.truncate(end);
                    finish = FinishReason::Stop;
                }
                Continuation {
                    text,
                    tokens: out.tokens.len(),
                    prompt_tokens: out.prefilled,
                    context: p.len(),
                    logprobs: if r.logprobs { out.logprobs } else { Vec::new() },
                    finish,
                }
            })
            .collect())
    }

    fn prefill(&self) -> &str {
        self.tokenizer.generation_prefill(true)
    }

    fn count_tokens(&self, text: &str) -> usize {
        self.tokenizer.encode(text).map_or_else(|_| text.chars().count(), |ids| ids.len())
    }

    fn flops_per_token(&self, ctx: usize) -> Option<f64> {
        Some(self.model.cfg.flops_per_token(ctx))
    }
}

#[cfg(test)]
mod tests {
    use super::cut_at_stop;

    #[test]
    fn stops_at_the_earliest_stop_string() {
        let stop = vec!["\n".to_string(), "</think>".to_string()];
        assert_eq!(cut_at_stop("12\n34</think>", &stop), Some(3));
        assert_eq!(cut_at_stop("1234", &stop), None);
        assert_eq!(cut_at_stop("ab", &[String::new()]), None);
    }
}
