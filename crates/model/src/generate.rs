//! Batched generation: many sequences decode together through one KV cache, each with its own
//! sampling parameters and seed, and each stopping on its own (stop token or length). It is the
//! step-wise [`DecodeEngine`] with every request added before the first step.
//!
//! A sequence's tokens depend only on its prompt, parameters and seed — not on which other
//! sequences share the batch — so results are reproducible however requests are grouped.
//!
//! Requests with identical prompts (N samples of one question, M expansions of one beam) share
//! one prefill: the first is computed and its KV cache is forked into the others' slots, so a
//! prompt is read once however many continuations it gets (vLLM's prefix sharing, within a call).
//!
//! Across calls, [`generate_with_prefixes`] keeps each finished sequence's KV cache in a
//! [`PrefixStore`]; a later prompt that extends one of them exactly (a beam's next step, an
//! MCTS rollout from a node) restores it and feeds only its own last token.

use std::collections::HashMap;

use crate::engine::DecodeEngine;
use crate::error::ModelError;
use crate::infer::KvSnapshot;
use crate::model::Model;
pub use crate::sequence::{FinishReason, GenOutput, GenRequest};

/// Continue every request until it stops; `on_token(i, token)` sees each new token of request
/// `i` as it is chosen (for streaming).
pub fn generate(
    model: &Model,
    requests: &[GenRequest],
    stop_tokens: &[u32],
    on_token: &mut dyn FnMut(usize, u32),
) -> Result<Vec<GenOutput>, ModelError> {
    generate_with_prefixes(model, requests, stop_tokens, on_token, None)
}

/// KV caches of the sequences recent generation calls left unfinished (cut by a stop sequence or
/// the length cap, not ended by a stop token), keyed by the tokens they hold,
/// for later calls to continue from. Holds the last two calls' worth (a search step may take two
/// calls: the line, then the answer), bounded by `max_bytes` — what step-by-step search needs:
/// step t+1 extends the paths of step t.
#[derive(Default)]
pub struct PrefixStore {
    /// Tokens held → (their KV cache, the call that stored them).
    entries: HashMap<Vec<u32>, (KvSnapshot, u64)>,
    calls: u64,
    bytes: usize,
    /// Keep no more than this many bytes (0 = unbounded).
    pub max_bytes: usize,
}

impl PrefixStore {
    pub fn new(max_bytes: usize) -> Self {
        PrefixStore { max_bytes, ..PrefixStore::default() }
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The snapshot a sequence with this prompt can start from: one holding the prompt less its
    /// last token.
    pub fn lookup(&self, prompt: &[u32]) -> Option<&KvSnapshot> {
        let last = prompt.len().checked_sub(1)?;
        self.entries.get(&prompt[..last]).map(|(snap, _)| snap)
    }

    /// Keep `snap` (the cache of `tokens`) for later prompts that extend it, evicting the oldest
    /// entries beyond `max_bytes` — the long-running use, where there are no calls to age by
    /// (a server's engine).
    pub fn keep(&mut self, tokens: Vec<u32>, snap: KvSnapshot) {
        if self.max_bytes > 0 && snap.bytes() > self.max_bytes {
            return;
        }
        self.calls += 1;
        self.bytes += snap.bytes();
        if let Some((old, _)) = self.entries.insert(tokens, (snap, self.calls)) {
            self.bytes -= old.bytes();
        }
        while self.max_bytes > 0 && self.bytes > self.max_bytes {
            let Some(oldest) = self.entries.iter().min_by_key(|(_, (_, age))| *age).map(|(k, _)| k.clone()) else {
                break;
            };
            if let Some((gone, _)) = self.entries.remove(&oldest) {
                self.bytes -= gone.bytes();
            }
        }
    }
}

/// [`generate`], continuing from `store`'s snapshots where a prompt extends one of them, and
/// leaving this call's finished sequences in it.
pub fn generate_with_prefixes(
    model: &Model,
    requests: &[GenRequest],
    stop_tokens: &[u32],
    on_token: &mut dyn FnMut(usize, u32),
    store: Option<&mut PrefixStore>,
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
    let mut engine = DecodeEngine::new(model, requests.len(), capacity, stop_tokens);
    let mut ids = Vec::with_capacity(requests.len());
    for r in requests {
        let last = r.prompt.len() - 1;
        let cached = store.as_ref().and_then(|s| s.entries.get(&r.prompt[..last])).map(|(snap, _)| snap);
        ids.push(engine.add_from(r.clone(), cached)?);
    }
    // A fresh engine numbers its sequences 0, 1, 2, … in the order they were added: request order.
    while engine.running() > 0 {
        for event in engine.step()? {
            on_token(event.id.0 as usize, event.token);
        }
    }
    if let Some(store) = store {
        store.calls += 1;
        let keep_from = store.calls.saturating_sub(1);
        store.entries.retain(|_, (_, call)| *call >= keep_from);
        store.bytes = store.entries.values().map(|(s, _)| s.bytes()).sum();
        for (r, &id) in requests.iter().zip(&ids) {
            let Some(tokens) = engine.output(id).map(|o| &o.tokens) else { continue };
            // A sequence that produced a stop token is finished and never continued: copying its
            // cache would only slow down whole-solution sampling.
            if tokens.last().is_some_and(|t| stop_tokens.contains(t)) {
                continue;
            }
            let fed: Vec<u32> = r.prompt.iter().chain(&tokens[..tokens.len() - 1]).copied().collect();
            if engine.cached_len(id) != Some(fed.len()) {
                continue; // cut off by the cache's capacity
            }
            let Some(snap) = engine.snapshot(id) else { continue };
            if store.max_bytes > 0 && store.bytes + snap.bytes() > store.max_bytes {
                break;
            }
            store.bytes += snap.bytes();
            store.entries.insert(fed, (snap, store.calls));
        }
    }
    ids.iter().map(|&id| engine.take(id).ok_or_else(|| ModelError::Input("a sequence did not finish".into()))).collect()
}
