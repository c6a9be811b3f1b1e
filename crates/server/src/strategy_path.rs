//! A chat request answered by a search strategy: `reasoning_effort` `medium`/`high` (see
//! [`crate::effort`]), or the `deepthink` extension object naming any registered strategy (sent
//! with the SDK's `extra_body`, as optillm takes its approaches). The strategy runs on a
//! blocking thread over the engine (or the remote backend), and the reply is the completion it
//! chose, split into reasoning and answer as a single completion is. What the answer cost goes
//! in a `deepthink` object beside `usage`: samples, generated, prompt and verifier tokens, FLOPs.
//!
//! Strategies compare answers through the model's task (its answer key), so the question must be
//! one the task reads; when it is not, `greedy` and `sample` fall back to a plain completion and
//! every other strategy is refused with a 400 that says why.

use std::sync::Arc;
use std::time::Instant;

use axum::response::sse::Event;
use axum::response::{IntoResponse, Response, Sse};
use deepthink_search::{by_name, scorer_for, Budget, Generator, Request, Scorer, Solution, StrategyOptions};
use deepthink_tasks::reasoning_stream::split_reasoning;
use serde_json::{json, Value};

use crate::api_error::ApiError;
use crate::detok::prefill_opens_thinking;
use crate::engine_generator::EngineGenerator;
use crate::reply::{finish_name, message, usage};
use crate::state::{AppState, Backend};
use crate::wire::{ChatParams, StrategyChoice};

/// Strategies that read no answer key (one completion, shown as it is).
fn needs_answer_key(strategy: &str) -> bool {
    !matches!(strategy, "greedy" | "sample")
}

fn generator(s: &AppState, p: &ChatParams, deadline: Instant) -> Arc<dyn Generator + Send + Sync> {
    match &s.backend {
        Backend::Local { engine, tokenizer, model } => Arc::new(EngineGenerator {
            engine: engine.clone(),
            tokenizer: Arc::clone(tokenizer),
            model: Arc::clone(model),
            thinking: p.sampling.thinking.clone(),
            deadline,
        }),
        Backend::Remote(g) => Arc::clone(g),
    }
}

/// Answer `p` with `choice` (`None`: one sampled completion, for a remote backend). `Ok(None)`:
/// the question is not the task's and the strategy needs no answer key, so the local engine
/// should serve it as a plain completion.
pub async fn handle(
    s: Arc<AppState>,
    p: ChatParams,
    choice: Option<StrategyChoice>,
) -> Result<Option<Response>, ApiError> {
    let choice = choice.unwrap_or(StrategyChoice {
        strategy: if p.sampling.temperature == 0.0 { "greedy" } else { "sample" }.into(),
        samples: None,
        width: None,
    });
    let name = choice.strategy.clone();
    let problem = match s.parse_question(&p.messages) {
        Some(Ok(problem)) => Some(problem),
        Some(Err(reason)) if needs_answer_key(&name) => {
            let task = s.task.as_ref().map_or("", |t| t.task.name());
            return Err(ApiError::field(
                "messages",
                format!("strategy `{name}` compares answers by the `{task}` task's answer key, but the question is not one: {reason}"),
            ));
        }
        None if needs_answer_key(&name) => {
            return Err(ApiError::field(
                "messages",
                format!("strategy `{name}` compares answers by a task's answer key, and this server has no task (start it with --task)"),
            ));
        }
        _ => None,
    };
    let deadline = Instant::now() + s.timeout;
    let Some(problem) = problem else {
        return match &s.backend {
            Backend::Local { .. } => Ok(None),
            Backend::Remote(_) => plain_remote(s, p, deadline).await.map(Some),
        };
    };
    if deepthink_search::registry::needs_verifier(&name) && s.scorer.is_none() {
        return Err(ApiError::field(
            "deepthink.strategy",
            format!("strategy `{name}` needs a verifier; start the server with --verifier (a checkpoint, or oracle)"),
        ));
    }
    let number = s.next_request();
    let options = StrategyOptions {
        prompt: s.task.as_ref().map_or(deepthink_tasks::PromptStyle::Plain, |t| t.prompt),
        temperature: if p.sampling.temperature > 0.0 { p.sampling.temperature } else { 1.0 },
        seed: p.sampling.seed.unwrap_or(number),
        width: choice.width.unwrap_or(4),
        ..StrategyOptions::default()
    };
    let budget = Budget { samples: choice.samples.unwrap_or(8), max_new_tokens: p.sampling.max_tokens.unwrap_or(1024) };
    let gen = generator(&s, &p, deadline);
    let state = Arc::clone(&s);
    let solved = tokio::task::spawn_blocking(move || -> Result<Solution, String> {
        let task = state.task.as_ref().ok_or("no task")?;
        let scorer: Option<&dyn Scorer> = state.scorer.as_deref().map(|sc| sc as &dyn Scorer);
        let strategy = by_name(&name, &options, scorer_for(&name, scorer, scorer)).map_err(|e| e.to_string())?;
        let mut solutions = strategy
            .solve(task.task.as_ref(), std::slice::from_ref(&problem), gen.as_ref(), budget)
            .map_err(|e| e.to_string())?;
        solutions.pop().ok_or_else(|| "the strategy returned no solution".to_string())
    })
    .await
    .map_err(|e| ApiError::internal(format!("the strategy thread failed: {e}")))?
    .map_err(ApiError::internal)?;
    let gen = generator(&s, &p, deadline);
    let body = gen.prefill().to_string();
    let completion = solved.completion.strip_prefix(body.as_str()).unwrap_or(&solved.completion);
    let (reasoning, content) = split_reasoning(completion, prefill_opens_thinking(&body));
    let cost = json!({
        "strategy": choice.strategy, "samples": solved.samples.len().max(1), "generated_tokens": solved.generated_tokens,
        "prompt_tokens": solved.prompt_tokens, "verifier_tokens": solved.verifier_tokens, "flops": solved.flops,
        "answer": solved.answer,
    });
    let decided = Decided {
        id: format!("chatcmpl-{number}"),
        reasoning,
        content,
        finish: finish_name(solved.finish),
        usage: usage(solved.prompt_tokens, solved.generated_tokens, solved.reasoning_tokens, 0),
        cost: Some(cost),
    };
    Ok(Some(reply(&s, &p, decided)))
}

/// One completion from the remote backend, for a question no strategy needs to read.
async fn plain_remote(s: Arc<AppState>, p: ChatParams, deadline: Instant) -> Result<Response, ApiError> {
    let gen = generator(&s, &p, deadline);
    let mut req = Request::sampled(
        "",
        "",
        p.sampling.temperature,
        p.sampling.max_tokens.unwrap_or(1024),
        p.sampling.seed.unwrap_or(0),
    );
    req.messages = p.messages.clone();
    req.stop = p.sampling.stop.clone();
    let g = Arc::clone(&gen);
    let c = tokio::task::spawn_blocking(move || g.generate(std::slice::from_ref(&req)))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
        .map_err(|e| ApiError::internal(e.to_string()))?
        .pop()
        .ok_or_else(|| ApiError::internal("the backend returned nothing"))?;
    let prefilled = prefill_opens_thinking(gen.prefill());
    let (reasoning, content) = split_reasoning(&c.text, prefilled);
    let reasoning_tokens = gen.count_tokens(&reasoning);
    let decided = Decided {
        id: format!("chatcmpl-{}", s.next_request()),
        reasoning,
        content,
        finish: finish_name(c.finish),
        usage: usage(c.prompt_tokens, c.tokens, reasoning_tokens, 0),
        cost: None,
    };
    Ok(reply(&s, &p, decided))
}

/// A reply decided before anything is sent (a strategy's choice, or a backend's completion).
struct Decided {
    id: String,
    reasoning: String,
    content: String,
    finish: &'static str,
    usage: Value,
    /// What the answer cost (`deepthink` beside `usage`), for a strategy's reply.
    cost: Option<Value>,
}

/// `d` as one chat completion, or — when `p` streams — as role, reasoning, content, finish (with
/// the cost), usage when asked for, and `[DONE]`.
fn reply(s: &AppState, p: &ChatParams, d: Decided) -> Response {
    let include = p.include_reasoning;
    if !p.sampling.stream {
        let mut body = json!({
            "id": d.id, "object": "chat.completion", "created": s.created, "model": s.model_name,
            "choices": [{"index": 0, "message": message(&d.reasoning, &d.content, include), "finish_reason": d.finish, "logprobs": null}],
            "usage": d.usage,
        });
        if let Some(cost) = d.cost {
            body["deepthink"] = cost;
        }
        return axum::Json(body).into_response();
    }
    let chunk = |choices: Value| json!({"id": d.id, "object": "chat.completion.chunk", "created": s.created, "model": s.model_name, "choices": choices});
    let mut events =
        vec![chunk(json!([{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": null}]))];
    if include && !d.reasoning.is_empty() {
        events.push(chunk(json!([{"index": 0, "delta": {"reasoning_content": d.reasoning, "reasoning": d.reasoning}, "finish_reason": null}])));
    }
    if !d.content.is_empty() {
        events.push(chunk(json!([{"index": 0, "delta": {"content": d.content}, "finish_reason": null}])));
    }
    let mut end = chunk(json!([{"index": 0, "delta": {}, "finish_reason": d.finish}]));
    if let Some(cost) = d.cost {
        end["deepthink"] = cost;
    }
    events.push(end);
    if p.sampling.include_usage {
        let mut last = chunk(json!([]));
        last["usage"] = d.usage;
        events.push(last);
    }
    let mut out: Vec<Result<Event, std::convert::Infallible>> =
        events.into_iter().map(|e| Ok(Event::default().data(e.to_string()))).collect();
    out.push(Ok(Event::default().data("[DONE]")));
    Sse::new(futures_util::stream::iter(out)).into_response()
}
