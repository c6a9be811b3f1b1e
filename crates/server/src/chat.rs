//! `POST /v1/chat/completions` on the local engine: the conversation is rendered with the
//! model's chat template (thinking on or off), its `n` choices join the engine's decode steps,
//! and the reply is split into reasoning and answer by the text contract — `reasoning_content`
//! (DeepSeek, SGLang, llama.cpp) and `reasoning` (vLLM, Ollama, OpenRouter) carry the thinking,
//! `content` the answer alone. Streaming sends the role first, then reasoning deltas, then
//! content deltas, one SSE event per token that adds text. A reply cut off inside the think block
//! is all reasoning, with empty content.
//!
//! [`crate::dispatch`] sends requests here that need one completion per choice; those that ask
//! for a strategy go to [`crate::strategy_path`].

use std::convert::Infallible;
use std::sync::Arc;

use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use deepthink_model::{ChatTokenizer, FinishReason, GenRequest, SamplingParams, ThinkTags};
use deepthink_tasks::reasoning_stream::{partial_tag_suffix, split_reasoning, ReasoningStream};
use serde_json::{json, Value};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio_stream::wrappers::UnboundedReceiverStream;

use crate::api_error::ApiError;
use crate::detok::{prefill_opens_thinking, reasoning_tokens, Detokenizer};
use crate::engine::{EngineHandle, SeqEvent};
use crate::reply::{finish_name, message, timeout, usage};
use crate::state::AppState;
use crate::wire::{ChatParams, Sampling};

/// A prompt ready for the engine (its requests are taken when submitted), and what the reply
/// needs to know about it.
pub struct Prepared {
    pub requests: Vec<GenRequest>,
    pub prompt_tokens: usize,
    /// The template pre-filled `<think>`: the reply starts inside the think block.
    pub prefilled: bool,
    pub stop: Vec<String>,
    pub include_stop: bool,
}

/// Tokenize `text` (the rendered prompt) and make `s.n` engine requests of it.
pub fn prepare(
    tok: &ChatTokenizer,
    engine: &EngineHandle,
    text: &str,
    s: &Sampling,
    default_seed: u64,
    prompt_param: &str,
) -> Result<Prepared, ApiError> {
    let prompt = tok.encode(text).map_err(|e| ApiError::field(prompt_param, e.to_string()))?;
    let context = engine.context;
    if prompt.len() >= context {
        return Err(ApiError::field(
            prompt_param,
            format!("the prompt is {} tokens; this model's context is {context}", prompt.len()),
        ));
    }
    let room = context - prompt.len();
    let max_new_tokens = match s.max_tokens {
        Some(m) if m > room => {
            return Err(ApiError::field(
                "max_tokens",
                format!(
                    "`max_tokens` is {m}, but the prompt takes {} of the context's {context} tokens: at most {room} are left",
                    prompt.len()
                ),
            ))
        }
        Some(m) => m,
        None => room,
    };
    let tags =
        ThinkTags::for_budget(tok, &s.thinking).map_err(|e| ApiError::field("thinking_token_budget", e.to_string()))?;
    let stop_sequences: Vec<Vec<u32>> = s.stop.iter().filter_map(|st| tok.encode(st).ok()).collect();
    let seed = s.seed.unwrap_or(default_seed);
    let requests = (0..s.n)
        .map(|i| {
            let params = SamplingParams {
                temperature: s.temperature,
                top_p: s.top_p,
                max_new_tokens,
                seed: seed.wrapping_add(i as u64),
                thinking: s.thinking.clone(),
                ..SamplingParams::default()
            };
            let mut r = GenRequest::new(prompt.clone(), params);
            r.stop_sequences = stop_sequences.clone();
            r.think_tags = tags.clone();
            r.ignore_eos = s.ignore_eos;
            r
        })
        .collect();
    Ok(Prepared {
        requests,
        prompt_tokens: prompt.len(),
        prefilled: prefill_opens_thinking(text),
        stop: s.stop.clone(),
        include_stop: s.include_stop,
    })
}

/// One finished choice.
pub struct Finished {
    pub tokens: Vec<u32>,
    pub logprobs: Vec<f32>,
    pub text: String,
    pub finish: FinishReason,
    /// The stop string that ended it (vLLM's `stop_reason`).
    pub stop_reason: Option<String>,
    /// Prompt tokens its prefill computed (the rest came from a cache).
    pub computed_prompt: usize,
}

/// The earliest stop string in `text`: where it starts, and which it is.
fn first_stop<'a>(text: &str, stop: &'a [String]) -> Option<(usize, &'a String)> {
    stop.iter().filter_map(|s| text.find(s.as_str()).map(|at| (at, s))).min_by_key(|(at, _)| *at)
}

/// Receive one choice to its end (a stop string ends it early: dropping the receiver frees its
/// slot). `deadline` bounds the wait.
pub async fn collect(
    tok: &ChatTokenizer,
    mut rx: UnboundedReceiver<SeqEvent>,
    prepared: &Prepared,
    deadline: tokio::time::Instant,
) -> Result<Finished, ApiError> {
    let stop = &prepared.stop;
    let mut d = Detokenizer::new(tok);
    let (mut tokens, mut logprobs, mut computed_prompt) = (Vec::new(), Vec::new(), 0);
    loop {
        let ev = tokio::time::timeout_at(deadline, rx.recv()).await.map_err(|_| timeout())?;
        match ev {
            Some(SeqEvent::Admitted { prompt_tokens }) => computed_prompt = prompt_tokens,
            Some(SeqEvent::Token { token, logprob }) => {
                tokens.push(token);
                logprobs.push(logprob);
                d.push(token);
                if let Some((at, which)) = first_stop(d.text(), stop) {
                    let end = if prepared.include_stop { at + which.len() } else { at };
                    let text = d.text()[..end].to_string();
                    let stop_reason = Some(which.clone());
                    return Ok(Finished {
                        tokens,
                        logprobs,
                        text,
                        finish: FinishReason::Stop,
                        stop_reason,
                        computed_prompt,
                    });
                }
            }
            Some(SeqEvent::Done { finish, .. }) => {
                let text = d.text().to_string();
                return Ok(Finished { tokens, logprobs, text, finish, stop_reason: None, computed_prompt });
            }
            Some(SeqEvent::Failed(e)) => return Err(ApiError::internal(e)),
            None => return Err(ApiError::internal("the engine dropped the request")),
        }
    }
}

/// A chat request on the local engine, as one completion per choice (what `dispatch` sends here).
pub async fn handle(s: Arc<AppState>, p: ChatParams) -> Result<Response, ApiError> {
    let crate::state::Backend::Local { engine, tokenizer, .. } = &s.backend else {
        return Err(ApiError::internal("a plain completion needs the local engine"));
    };
    let (engine, tok) = (engine.clone(), Arc::clone(tokenizer));
    let messages = s.prompt_messages(&p.messages);
    let text =
        tok.render(&messages, true, p.enable_thinking).map_err(|e| ApiError::field("messages", e.to_string()))?;
    let number = s.next_request();
    let mut prepared = prepare(&tok, &engine, &text, &p.sampling, number, "messages")?;
    let deadline = tokio::time::Instant::now() + s.timeout;
    let receivers =
        engine.submit(std::mem::take(&mut prepared.requests)).map_err(|b| ApiError::busy(b.queued, b.capacity))?;
    let id = format!("chatcmpl-{number}");
    if p.sampling.stream {
        return Ok(stream(s, p, tok, prepared, receivers, id, deadline).into_response());
    }
    let mut choices = Vec::new();
    let (mut completion_tokens, mut reasoning_total, mut computed) = (0, 0, 0);
    for (i, rx) in receivers.into_iter().enumerate() {
        let f = collect(&tok, rx, &prepared, deadline).await?;
        computed += f.computed_prompt;
        let (reasoning, content) = split_reasoning(&f.text, prepared.prefilled);
        let r_tokens = reasoning_tokens(&f.tokens, &tok, prepared.prefilled);
        completion_tokens += f.tokens.len();
        reasoning_total += r_tokens;
        let logprobs = p.logprobs.then(|| {
            let content: Vec<Value> = f
                .tokens
                .iter()
                .zip(&f.logprobs)
                .map(|(&t, &lp)| json!({"token": tok.decode(&[t]), "logprob": lp, "bytes": null, "top_logprobs": []}))
                .collect();
            json!({"content": content})
        });
        choices.push(json!({
            "index": i,
            "message": message(&reasoning, &content, p.include_reasoning),
            "finish_reason": finish_name(f.finish),
            "stop_reason": f.stop_reason,
            "logprobs": logprobs,
        }));
    }
    let body = json!({
        "id": id, "object": "chat.completion", "created": s.created, "model": s.model_name,
        "choices": choices,
        "usage": usage(prepared.prompt_tokens, completion_tokens, reasoning_total, prepared.prompt_tokens.saturating_sub(computed)),
    });
    Ok(axum::Json(body).into_response())
}

type SseTx = UnboundedSender<Result<Event, Infallible>>;

fn chunk(s: &AppState, id: &str, choices: Value) -> Event {
    let body = json!({"id": id, "object": "chat.completion.chunk", "created": s.created, "model": s.model_name, "choices": choices});
    Event::default().data(body.to_string())
}

/// The streamed reply: one task per choice forwards its tokens as chunks; when every choice has
/// ended, the usage chunk (if asked for) and `[DONE]`. A client that goes away drops the stream,
/// which ends the forwarders, which drops their receivers, which frees their slots.
fn stream(
    s: Arc<AppState>,
    p: ChatParams,
    tok: Arc<ChatTokenizer>,
    prepared: Prepared,
    receivers: Vec<UnboundedReceiver<SeqEvent>>,
    id: String,
    deadline: tokio::time::Instant,
) -> impl IntoResponse {
    let (tx, rx) = unbounded_channel();
    let prepared = Arc::new(prepared);
    tokio::spawn(async move {
        let mut tasks = Vec::new();
        for (i, events) in receivers.into_iter().enumerate() {
            let (s, tok, tx, id, prepared) =
                (Arc::clone(&s), Arc::clone(&tok), tx.clone(), id.clone(), Arc::clone(&prepared));
            let include = p.include_reasoning;
            tasks.push(tokio::spawn(async move {
                forward(&s, &tok, events, &tx, &id, i, &prepared, include, deadline).await
            }));
        }
        let (mut completion_tokens, mut reasoning) = (0, 0);
        for t in tasks {
            match t.await {
                Ok(Some((c, r))) => {
                    completion_tokens += c;
                    reasoning += r;
                }
                _ => return, // the client left, or a choice failed (already reported)
            }
        }
        if p.sampling.include_usage {
            let body = json!({"id": id, "object": "chat.completion.chunk", "created": s.created, "model": s.model_name,
                "choices": [], "usage": usage(prepared.prompt_tokens, completion_tokens, reasoning, 0)});
            let _ = tx.send(Ok(Event::default().data(body.to_string())));
        }
        let _ = tx.send(Ok(Event::default().data("[DONE]")));
    });
    Sse::new(UnboundedReceiverStream::new(rx)).keep_alive(KeepAlive::default())
}

/// Forward one choice; `(completion tokens, reasoning tokens)` when it ended normally, `None`
/// when the client went away or it failed.
#[allow(clippy::too_many_arguments)]
async fn forward(
    s: &AppState,
    tok: &ChatTokenizer,
    mut events: UnboundedReceiver<SeqEvent>,
    tx: &SseTx,
    id: &str,
    index: usize,
    prepared: &Prepared,
    include_reasoning: bool,
    deadline: tokio::time::Instant,
) -> Option<(usize, usize)> {
    let role = json!([{"index": index, "delta": {"role": "assistant", "content": ""}, "finish_reason": null}]);
    tx.send(Ok(chunk(s, id, role))).ok()?;
    let mut d = Detokenizer::new(tok);
    let mut split = ReasoningStream::new(prepared.prefilled);
    let mut tokens = Vec::new();
    let mut sent = 0; // bytes of the text already routed
    let send_delta = |delta: deepthink_tasks::reasoning_stream::Delta| -> Option<()> {
        let mut out = serde_json::Map::new();
        if !delta.reasoning.is_empty() && include_reasoning {
            out.insert("reasoning_content".into(), delta.reasoning.clone().into());
            out.insert("reasoning".into(), delta.reasoning.into());
        }
        if !delta.content.is_empty() {
            out.insert("content".into(), delta.content.into());
        }
        if !out.is_empty() {
            tx.send(Ok(chunk(s, id, json!([{"index": index, "delta": out, "finish_reason": null}])))).ok()?;
        }
        Some(())
    };
    let finish = loop {
        let ev = match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(ev) => ev,
            Err(_) => {
                let _ = tx.send(Ok(Event::default().data(timeout().body().to_string())));
                return None;
            }
        };
        match ev {
            Some(SeqEvent::Admitted { .. }) => {}
            Some(SeqEvent::Token { token, .. }) => {
                tokens.push(token);
                d.push(token);
                // Route only text that cannot be part of a stop string still arriving.
                let text = d.text();
                if let Some((cut, _)) = first_stop(text, &prepared.stop) {
                    if cut > sent {
                        send_delta(split.push(&text[sent..cut]))?;
                    }
                    break FinishReason::Stop;
                }
                let hold = prepared.stop.iter().map(|st| partial_tag_suffix(text, st)).max().unwrap_or(0);
                let upto = text.len() - hold;
                if upto > sent && text.is_char_boundary(upto) && !text[..upto].ends_with('\u{FFFD}') {
                    send_delta(split.push(&text[sent..upto]))?;
                    sent = upto;
                }
            }
            Some(SeqEvent::Done { finish, .. }) => {
                let text = d.text();
                if text.len() > sent {
                    send_delta(split.push(&text[sent..]))?;
                }
                break finish;
            }
            Some(SeqEvent::Failed(e)) => {
                let _ = tx.send(Ok(Event::default().data(ApiError::internal(e).body().to_string())));
                return None;
            }
            None => return None,
        }
    };
    send_delta(split.finish())?;
    let end = json!([{"index": index, "delta": {}, "finish_reason": finish_name(finish)}]);
    tx.send(Ok(chunk(s, id, end))).ok()?;
    Some((tokens.len(), reasoning_tokens(&tokens, tok, prepared.prefilled)))
}
