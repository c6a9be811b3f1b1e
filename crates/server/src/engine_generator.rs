//! A [`Generator`] over the server's engine, so search strategies run inside the server and
//! their samples join the same decode steps as every other client's sequences. Strategies are
//! synchronous: they run on a blocking thread (`spawn_blocking`) and wait on the engine's
//! channels with `blocking_recv`. Requests are decoded and charged as `LocalGenerator`'s are
//! (`deepthink_search::decode_request`), so a strategy costs the same here as in `eval`.
//!
//! A strategy's batch can be larger than the server's queue: requests are submitted one by one,
//! waiting for room while the queue is full, until the request's deadline.

use std::sync::Arc;
use std::time::{Duration, Instant};

use deepthink_model::{ChatTokenizer, FinishReason, GenOutput, Model, ThinkingBudget};
use deepthink_search::decode_request::{continuation, count_tokens, decode_request};
use deepthink_search::{Continuation, Generator, Request, SearchError};

use crate::engine::{EngineHandle, SeqEvent};

pub struct EngineGenerator {
    pub engine: EngineHandle,
    pub tokenizer: Arc<ChatTokenizer>,
    pub model: Arc<Model>,
    /// Applied to requests that set no budget of their own.
    pub thinking: ThinkingBudget,
    pub deadline: Instant,
}

impl Generator for EngineGenerator {
    fn generate(&self, requests: &[Request]) -> Result<Vec<Continuation>, SearchError> {
        let gen = requests
            .iter()
            .map(|r| decode_request(&self.tokenizer, r, &self.thinking))
            .collect::<Result<Vec<_>, _>>()?;
        let mut receivers = Vec::with_capacity(gen.len());
        for g in &gen {
            loop {
                match self.engine.submit(vec![g.clone()]) {
                    Ok(mut rx) => {
                        receivers.extend(rx.pop());
                        break;
                    }
                    Err(_) if Instant::now() < self.deadline => std::thread::sleep(Duration::from_millis(5)),
                    Err(b) => {
                        return Err(SearchError::Config(format!(
                            "the server stayed at capacity ({} queued) until the request timed out",
                            b.queued
                        )))
                    }
                }
            }
        }
        let mut out = Vec::with_capacity(gen.len());
        for ((mut rx, r), g) in receivers.into_iter().zip(requests).zip(&gen) {
            let mut o =
                GenOutput { tokens: Vec::new(), logprobs: Vec::new(), finish: FinishReason::Length, prefilled: 0 };
            loop {
                match rx.blocking_recv() {
                    Some(SeqEvent::Admitted { .. }) => {}
                    Some(SeqEvent::Token { token, logprob }) => {
                        o.tokens.push(token);
                        o.logprobs.push(logprob);
                    }
                    Some(SeqEvent::Done { finish, prompt_tokens }) => {
                        o.finish = finish;
                        o.prefilled = prompt_tokens;
                        break;
                    }
                    Some(SeqEvent::Failed(e)) => return Err(SearchError::Config(e)),
                    None => return Err(SearchError::Config("the engine dropped a sequence".into())),
                }
                if Instant::now() > self.deadline {
                    return Err(SearchError::Config("the request timed out".into()));
                }
            }
            out.push(continuation(&self.tokenizer, r, o, g.prompt.len()));
        }
        Ok(out)
    }

    fn prefill(&self) -> &str {
        self.tokenizer.generation_prefill(true)
    }

    fn count_tokens(&self, text: &str) -> usize {
        count_tokens(&self.tokenizer, text)
    }

    fn flops_per_token(&self, ctx: usize) -> Option<f64> {
        Some(self.model.cfg.flops_per_token(ctx))
    }
}
