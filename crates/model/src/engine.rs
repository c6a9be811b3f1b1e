//! The step-wise decode interface: a [`DecodeEngine`] owns a persistent KV cache of fixed slots
//! over a shared model, sequences join ([`DecodeEngine::add`]) and leave between steps, and each
//! [`DecodeEngine::step`] runs one forward pass over every sequence in flight — the new ones'
//! prompts (prefill) and one token of each running one — then samples their next tokens.
//! This is continuous batching in the sense of Orca (Yu et al., OSDI 2022) and vLLM, without
//! paging: a sequence holds one slot of `capacity` positions for its whole life.
//!
//! A sequence's tokens depend only on its prompt, sampling parameters and seed, never on which
//! sequences share its steps or when it joined (each slot's rows are computed independently and
//! each sequence samples from its own seeded RNG); `tests/engine.rs` checks that a sequence that
//! joins mid-batch decodes exactly as it does alone.
//!
//! Two sharings carry over from batched generation: a sequence added while another with the same
//! prompt still waits for its prefill *follows* it (samples from its logits, then forks its cache:
//! the prompt is read once), and a sequence may start from a [`KvSnapshot`] of its prompt less the
//! last token (a cross-call prefix cache), feeding only that token. [`crate::generate`] is this
//! engine with every request added before the first step.

use std::collections::HashMap;
use std::ops::Deref;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::error::ModelError;
use crate::infer::{KvCache, KvSnapshot, StepToken};
use crate::model::Model;
use crate::sampling::Sampler;
use crate::sequence::{FinishReason, GenOutput, GenRequest};
use crate::thinking::ThinkTracker;

/// A sequence's handle, unique within its engine: 0, 1, 2, … in the order sequences are added.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SeqId(pub u64);

/// One token chosen in a step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TokenEvent {
    pub id: SeqId,
    pub token: u32,
    pub logprob: f32,
    /// Set when this token ended the sequence.
    pub finished: Option<FinishReason>,
}

enum State {
    /// `prompt[from..]` is still to be fed.
    Prefill { from: usize },
    /// Shares the prefill of the sequence in this slot (same prompt), then forks its cache.
    Follows { leader: usize },
    /// The newest sampled token, not yet fed.
    Decoding { next: u32 },
    /// Finished; its output waits for [`DecodeEngine::take`].
    Done,
}

struct Seq {
    id: SeqId,
    request: GenRequest,
    rng: ChaCha8Rng,
    out: GenOutput,
    state: State,
    /// The thinking budget's state, when the request sets one.
    think: Option<ThinkTracker>,
}

/// Sequences decoding together through one persistent KV cache.
pub struct DecodeEngine<M: Deref<Target = Model>> {
    model: M,
    cache: KvCache,
    slots: Vec<Option<Seq>>,
    stop_tokens: Vec<u32>,
    sampler: Sampler,
    next_id: u64,
    /// Prompts waiting for their first step, to the slot that will prefill them (the leader
    /// an identical prompt added before that step follows).
    waiting: HashMap<Vec<u32>, usize>,
    /// Scratch: the logits row of each slot in the current step (`usize::MAX` for none).
    row_of: Vec<usize>,
    steps: Vec<StepToken>,
}

impl<M: Deref<Target = Model>> DecodeEngine<M> {
    /// An engine of `slots` sequences of up to `capacity` positions each (prompt and generated
    /// tokens; at most the model's context), ending sequences on any of `stop_tokens`.
    pub fn new(model: M, slots: usize, capacity: usize, stop_tokens: &[u32]) -> Self {
        let capacity = capacity.min(model.cfg.max_seq_len);
        let cache = KvCache::new(&model, slots, capacity);
        DecodeEngine {
            model,
            cache,
            slots: (0..slots).map(|_| None).collect(),
            stop_tokens: stop_tokens.to_vec(),
            sampler: Sampler::default(),
            next_id: 0,
            waiting: HashMap::new(),
            row_of: vec![usize::MAX; slots],
            steps: Vec::new(),
        }
    }

    /// Positions per slot.
    pub fn capacity(&self) -> usize {
        self.cache.capacity()
    }

    /// Slots not holding a sequence (finished ones hold theirs until taken).
    pub fn free_slots(&self) -> usize {
        self.slots.iter().filter(|s| s.is_none()).count()
    }

    /// Sequences still generating.
    pub fn running(&self) -> usize {
        self.slots.iter().flatten().filter(|s| !matches!(s.state, State::Done)).count()
    }

    /// Adds a sequence, to start at the next step. Fails on an invalid request or when every
    /// slot is taken.
    pub fn add(&mut self, request: GenRequest) -> Result<SeqId, ModelError> {
        self.add_from(request, None)
    }

    /// [`DecodeEngine::add`], restoring `prefix` first when it holds the prompt less its last
    /// token exactly (then only that token is fed; otherwise the whole prompt is).
    pub fn add_from(&mut self, request: GenRequest, prefix: Option<&KvSnapshot>) -> Result<SeqId, ModelError> {
        request.params.validate()?;
        let n = request.prompt.len();
        if n == 0 {
            return Err(ModelError::Input("the prompt is empty".into()));
        }
        if n >= self.capacity() {
            let room = self.capacity();
            return Err(ModelError::Input(format!("the prompt has {n} tokens; this engine holds {room} per sequence")));
        }
        let think =
            match (request.params.thinking.is_active(), &request.think_tags) {
                (false, _) => None,
                (true, Some(tags)) => Some(ThinkTracker::new(tags.clone(), &request.params.thinking, &request.prompt)),
                (true, None) => return Err(ModelError::Input(
                    "a thinking budget needs the model's <think> and </think> token ids (GenRequest::with_think_tags)"
                        .into(),
                )),
            };
        let slot = self
            .slots
            .iter()
            .position(Option::is_none)
            .ok_or_else(|| ModelError::Input(format!("all {} sequence slots are in use", self.slots.len())))?;
        let leader = self.waiting.get(&request.prompt).copied();
        if leader.is_none() {
            self.waiting.insert(request.prompt.clone(), slot);
        }
        self.cache.reset(slot);
        let (state, prefilled) = match (leader, prefix) {
            (Some(leader), _) => (State::Follows { leader }, 0),
            (None, Some(snap)) if snap.len == n - 1 => {
                self.cache.restore(slot, snap)?;
                (State::Prefill { from: n - 1 }, 1)
            }
            (None, _) => (State::Prefill { from: 0 }, n),
        };
        let id = SeqId(self.next_id);
        self.next_id += 1;
        let out = GenOutput { tokens: Vec::new(), logprobs: Vec::new(), finish: FinishReason::Length, prefilled };
        let rng = ChaCha8Rng::seed_from_u64(request.params.seed);
        self.slots[slot] = Some(Seq { id, request, rng, out, state, think });
        Ok(id)
    }

    /// One forward pass over every running sequence, then one sampled token for each; returns
    /// those tokens in slot order. A step with nothing running does nothing.
    pub fn step(&mut self) -> Result<Vec<TokenEvent>, ModelError> {
        self.steps.clear();
        self.row_of.fill(usize::MAX);
        let mut rows = 0;
        for (slot, seq) in self.slots.iter().enumerate() {
            let Some(seq) = seq else { continue };
            match seq.state {
                State::Prefill { from } => {
                    let last = seq.request.prompt.len() - 1;
                    let tokens = seq.request.prompt[from..].iter().enumerate();
                    self.steps.extend(tokens.map(|(j, &token)| StepToken {
                        slot,
                        token,
                        want_logits: from + j == last,
                    }));
                }
                State::Decoding { next } => self.steps.push(StepToken { slot, token: next, want_logits: true }),
                State::Follows { .. } | State::Done => continue,
            }
            self.row_of[slot] = rows;
            rows += 1;
        }
        if self.steps.is_empty() {
            return Ok(Vec::new());
        }
        // Every waiting prompt is prefilled by this step.
        self.waiting.clear();
        let capacity = self.cache.capacity();
        let logits = self.model.forward_step(&mut self.cache, &self.steps)?;
        let v = self.model.cfg.vocab_size;
        let mut events = Vec::with_capacity(rows);
        let mut forks = Vec::new();
        for slot in 0..self.slots.len() {
            let row = match self.slots[slot].as_ref().map(|s| &s.state) {
                Some(State::Prefill { .. } | State::Decoding { .. }) => self.row_of[slot],
                Some(State::Follows { leader }) => {
                    forks.push((*leader, slot));
                    self.row_of[*leader]
                }
                _ => usize::MAX,
            };
            let Some(seq) = self.slots[slot].as_mut().filter(|_| row != usize::MAX) else { continue };
            let row_logits = &logits[row * v..(row + 1) * v];
            let params = &seq.request.params;
            let (token, logprob) = match seq.think.as_mut() {
                None => self.sampler.sample(row_logits, params, &mut seq.rng),
                Some(think) => match think.next_forced() {
                    Some(forced) => {
                        let emitted = think.observe(forced);
                        (emitted, self.sampler.logprob(row_logits, emitted, params))
                    }
                    None => {
                        let (sampled, lp) = self.sampler.sample(row_logits, params, &mut seq.rng);
                        match think.observe(sampled) {
                            emitted if emitted == sampled => (sampled, lp),
                            emitted => (emitted, self.sampler.logprob(row_logits, emitted, params)),
                        }
                    }
                },
            };
            seq.out.tokens.push(token);
            seq.out.logprobs.push(logprob);
            let fed = seq.request.prompt.len() + seq.out.tokens.len() - 1;
            let eos = !seq.request.ignore_eos && self.stop_tokens.contains(&token);
            let finished = if eos || seq.request.hits_stop(&seq.out.tokens) {
                Some(FinishReason::Stop)
            } else if seq.out.tokens.len() < seq.request.params.max_new_tokens && fed < capacity {
                None
            } else {
                Some(FinishReason::Length)
            };
            seq.state = match finished {
                Some(reason) => {
                    seq.out.finish = reason;
                    State::Done
                }
                None => State::Decoding { next: token },
            };
            events.push(TokenEvent { id: seq.id, token, logprob, finished });
        }
        for (leader, follower) in forks {
            self.cache.fork(leader, follower);
        }
        Ok(events)
    }

    /// The output of a finished sequence, freeing its slot; `None` if it is unknown or still
    /// running.
    pub fn take(&mut self, id: SeqId) -> Option<GenOutput> {
        let slot = self.slot_of(id)?;
        if !matches!(self.slots[slot].as_ref()?.state, State::Done) {
            return None;
        }
        self.slots[slot].take().map(|s| s.out)
    }

    /// The output so far of a sequence the engine holds (finished or not).
    pub fn output(&self, id: SeqId) -> Option<&GenOutput> {
        self.slot_of(id).and_then(|slot| self.slots[slot].as_ref()).map(|s| &s.out)
    }

    /// Ends a sequence now (a client went away), freeing its slot; its output so far. Sequences
    /// that were to share its prefill get one of their own.
    pub fn cancel(&mut self, id: SeqId) -> Option<GenOutput> {
        let slot = self.slot_of(id)?;
        let gone = self.slots[slot].take()?;
        if self.waiting.get(&gone.request.prompt) == Some(&slot) {
            self.waiting.remove(&gone.request.prompt);
        }
        let mut heir: Option<usize> = None;
        for (i, seq) in self.slots.iter_mut().enumerate() {
            let Some(seq) = seq else { continue };
            if matches!(seq.state, State::Follows { leader } if leader == slot) {
                seq.state = match heir {
                    Some(h) => State::Follows { leader: h },
                    None => {
                        heir = Some(i);
                        self.waiting.insert(seq.request.prompt.clone(), i);
                        seq.out.prefilled = seq.request.prompt.len();
                        State::Prefill { from: 0 }
                    }
                };
            }
        }
        Some(gone.out)
    }

    /// The cached keys and values of a sequence (its prompt and every generated token but the
    /// newest, or less if it ran out of room), for a later `add_from`.
    pub fn snapshot(&self, id: SeqId) -> Option<KvSnapshot> {
        self.slot_of(id).map(|slot| self.cache.snapshot(slot))
    }

    /// Positions a sequence holds in the cache.
    pub fn cached_len(&self, id: SeqId) -> Option<usize> {
        self.slot_of(id).map(|slot| self.cache.len(slot))
    }

    fn slot_of(&self, id: SeqId) -> Option<usize> {
        self.slots.iter().position(|s| s.as_ref().is_some_and(|s| s.id == id))
    }
}
