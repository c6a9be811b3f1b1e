//! The one thread that owns the model: continuous batching (Orca, Yu et al. OSDI 2022; vLLM's
//! scheduler) over [`DecodeEngine`]. Handlers submit sequences with a channel for their tokens;
//! before every decode step the thread admits waiting sequences into free slots, so a request
//! joins at the next step and a finished sequence leaves at once. A sequence whose receiver is
//! gone (the client disconnected, a stop string matched, the request timed out) is cancelled
//! before the next step, freeing its slot.
//!
//! Prompts share KV caches across requests through a [`PrefixStore`]: a sequence that ended on
//! a stop string or its length (a search step, not an answer) leaves its cache there, and a later
//! prompt that extends it exactly (the next step of the same beam) restores it and feeds only
//! its last token — the cross-call prefix cache `LocalGenerator` has, shared by every client.
//!
//! The queue in front of the slots is bounded: [`EngineHandle::submit`] refuses with
//! [`Busy`] when it is full, which the HTTP side turns into a 503 with `Retry-After`, as vLLM,
//! llama.cpp and Ollama do. Identical prompts submitted together (a request's `n` choices)
//! share one prefill inside the engine.
//!
//! Departures from vLLM: no paged KV cache (a slot holds the model's context for its whole
//! life), no preemption, and first come first served.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};

use deepthink_model::{DecodeEngine, FinishReason, GenRequest, Model, PrefixStore, SeqId};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

use crate::metrics::Metrics;

/// What a submitted sequence receives.
#[derive(Clone, Debug, PartialEq)]
pub enum SeqEvent {
    /// The sequence took a slot; its prefill will compute `prompt_tokens` of its prompt (fewer
    /// when a cached prefix or an identical prompt's prefill covers the rest).
    Admitted {
        prompt_tokens: usize,
    },
    Token {
        token: u32,
        logprob: f32,
    },
    /// The sequence ended; `prompt_tokens` is what its prefill computed (0 when it shared one).
    Done {
        finish: FinishReason,
        prompt_tokens: usize,
    },
    /// The engine refused or failed it.
    Failed(String),
}

struct Job {
    request: GenRequest,
    events: UnboundedSender<SeqEvent>,
}

/// The queue is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy {
    pub queued: usize,
    pub capacity: usize,
}

/// How the engine is sized.
#[derive(Clone, Copy, Debug)]
pub struct EngineConfig {
    /// Sequences decoding together.
    pub slots: usize,
    /// Sequences that may wait for a slot before submissions are refused.
    pub queue: usize,
    /// Bound of the cross-request prefix cache.
    pub prefix_cache_bytes: usize,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig { slots: 32, queue: 128, prefix_cache_bytes: 256 << 20 }
    }
}

/// The handlers' side of the engine: cheap to clone.
#[derive(Clone)]
pub struct EngineHandle {
    jobs: mpsc::Sender<Job>,
    waiting: Arc<AtomicUsize>,
    queue: usize,
    metrics: Arc<Metrics>,
    /// Positions per sequence (prompt and completion).
    pub context: usize,
}

impl EngineHandle {
    /// Start the engine thread over `model`, with `stop_tokens` ending every sequence.
    pub fn start(model: Arc<Model>, stop_tokens: Vec<u32>, cfg: EngineConfig, metrics: Arc<Metrics>) -> Self {
        let (tx, rx) = mpsc::channel();
        let waiting = Arc::new(AtomicUsize::new(0));
        let context = model.cfg.max_seq_len;
        let thread_waiting = Arc::clone(&waiting);
        let thread_metrics = Arc::clone(&metrics);
        std::thread::Builder::new()
            .name("deepthink-engine".into())
            .spawn(move || {
                let engine = DecodeEngine::new(model, cfg.slots.max(1), context, &stop_tokens);
                Scheduler {
                    engine,
                    rx,
                    pending: VecDeque::new(),
                    live: HashMap::new(),
                    waiting: thread_waiting,
                    metrics: thread_metrics,
                    prefixes: PrefixStore::new(cfg.prefix_cache_bytes),
                    stop_tokens,
                }
                .run()
            })
            .map_err(|e| eprintln!("deepthink: could not start the engine thread: {e}"))
            .ok();
        EngineHandle { jobs: tx, waiting, queue: cfg.queue, metrics, context }
    }

    /// Queue `requests` together (all or none); each gets its own event channel.
    pub fn submit(&self, requests: Vec<GenRequest>) -> Result<Vec<UnboundedReceiver<SeqEvent>>, Busy> {
        let n = requests.len();
        let before = self.waiting.fetch_add(n, Ordering::SeqCst);
        if before + n > self.queue {
            self.waiting.fetch_sub(n, Ordering::SeqCst);
            return Err(Busy { queued: before, capacity: self.queue });
        }
        self.metrics.queued.fetch_add(n, Ordering::Relaxed);
        let mut receivers = Vec::with_capacity(n);
        for request in requests {
            let (events, rx) = unbounded_channel();
            if self.jobs.send(Job { request, events: events.clone() }).is_err() {
                let _ = events.send(SeqEvent::Failed("the engine thread has stopped".into()));
            }
            receivers.push(rx);
        }
        Ok(receivers)
    }

    /// Sequences waiting for a slot.
    pub fn queued(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }
}

struct Scheduler {
    engine: DecodeEngine<Arc<Model>>,
    rx: mpsc::Receiver<Job>,
    pending: VecDeque<Job>,
    /// Each running sequence's channel and prompt.
    live: HashMap<SeqId, (UnboundedSender<SeqEvent>, Vec<u32>)>,
    waiting: Arc<AtomicUsize>,
    metrics: Arc<Metrics>,
    prefixes: PrefixStore,
    stop_tokens: Vec<u32>,
}

impl Scheduler {
    fn run(mut self) {
        loop {
            if self.live.is_empty() && self.pending.is_empty() {
                match self.rx.recv() {
                    Ok(job) => self.pending.push_back(job),
                    Err(_) => return, // every handle is gone: the server has shut down
                }
            }
            while let Ok(job) = self.rx.try_recv() {
                self.pending.push_back(job);
            }
            self.drop_abandoned();
            self.admit();
            self.step();
        }
    }

    fn dequeued(&self, n: usize) {
        self.waiting.fetch_sub(n, Ordering::SeqCst);
        self.metrics.queued.fetch_sub(n, Ordering::Relaxed);
    }

    /// Forget waiting jobs nobody listens to, and cancel running ones.
    fn drop_abandoned(&mut self) {
        let before = self.pending.len();
        self.pending.retain(|j| !j.events.is_closed());
        self.dequeued(before - self.pending.len());
        let gone: Vec<SeqId> = self.live.iter().filter(|(_, (tx, _))| tx.is_closed()).map(|(id, _)| *id).collect();
        for id in gone {
            self.engine.cancel(id);
            self.live.remove(&id);
            self.metrics.cancelled.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn admit(&mut self) {
        while self.engine.free_slots() > 0 {
            let Some(job) = self.pending.pop_front() else { break };
            self.dequeued(1);
            let prompt = job.request.prompt.clone();
            match self.engine.add_from(job.request, self.prefixes.lookup(&prompt)) {
                Ok(id) => {
                    let computed = self.engine.output(id).map_or(0, |o| o.prefilled);
                    let _ = job.events.send(SeqEvent::Admitted { prompt_tokens: computed });
                    self.live.insert(id, (job.events, prompt));
                }
                Err(e) => {
                    let _ = job.events.send(SeqEvent::Failed(e.to_string()));
                }
            }
        }
        self.metrics.in_flight.store(self.live.len(), Ordering::Relaxed);
    }

    fn step(&mut self) {
        if self.live.is_empty() {
            return;
        }
        let events = match self.engine.step() {
            Ok(events) => events,
            Err(e) => {
                self.metrics.in_flight.store(0, Ordering::Relaxed);
                for (id, (tx, _)) in self.live.drain() {
                    self.engine.cancel(id);
                    let _ = tx.send(SeqEvent::Failed(e.to_string()));
                }
                return;
            }
        };
        self.metrics.steps.fetch_add(1, Ordering::Relaxed);
        self.metrics.generated_tokens.fetch_add(events.len() as u64, Ordering::Relaxed);
        for ev in events {
            let Some((tx, _)) = self.live.get(&ev.id) else { continue };
            let sent = tx.send(SeqEvent::Token { token: ev.token, logprob: ev.logprob }).is_ok();
            if !sent {
                self.engine.cancel(ev.id);
                self.live.remove(&ev.id);
                self.metrics.cancelled.fetch_add(1, Ordering::Relaxed);
                self.metrics.in_flight.store(self.live.len(), Ordering::Relaxed);
            } else if let Some(finish) = ev.finished {
                let Some((tx, prompt)) = self.live.remove(&ev.id) else { continue };
                if !self.stop_tokens.contains(&ev.token) {
                    self.keep_prefix(ev.id, prompt);
                }
                let prompt_tokens = self.engine.take(ev.id).map_or(0, |o| o.prefilled);
                self.metrics.prompt_tokens.fetch_add(prompt_tokens as u64, Ordering::Relaxed);
                // The gauge first: a client that reads /metrics after its reply sees it gone.
                self.metrics.in_flight.store(self.live.len(), Ordering::Relaxed);
                let _ = tx.send(SeqEvent::Done { finish, prompt_tokens });
            }
        }
        self.metrics.in_flight.store(self.live.len(), Ordering::Relaxed);
    }

    /// Leave a finished sequence's cache (its prompt and every token but the newest) for a
    /// later prompt that continues it.
    fn keep_prefix(&mut self, id: SeqId, mut fed: Vec<u32>) {
        let Some(out) = self.engine.output(id) else { return };
        fed.extend_from_slice(&out.tokens[..out.tokens.len().saturating_sub(1)]);
        if self.engine.cached_len(id) != Some(fed.len()) {
            return; // cut off by the cache's capacity
        }
        if let Some(snap) = self.engine.snapshot(id) {
            self.prefixes.keep(fed, snap);
        }
    }
}
