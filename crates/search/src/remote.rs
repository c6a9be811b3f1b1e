//! A [`Generator`] that speaks the OpenAI API, so every strategy runs unchanged against any
//! OpenAI-compatible server — vLLM, llama.cpp, Ollama, another `deepthink serve` — and deepthink
//! can sit in front of one as a reasoning proxy (optillm's idea, with our strategies).
//!
//! What each request becomes:
//! - **A fresh sample** (empty prefix): `POST /v1/chat/completions` with the conversation. The
//!   reply's thinking is read from `reasoning_content` or `reasoning` (whichever the server
//!   sends), or from `<think>` tags left in `content` by a server with no reasoning parser; the
//!   continuation is rebuilt as deepthink's text contract writes it,
//!   `reasoning</think>\n\nanswer`, after the pre-fill `<think>\n`.
//! - **A continued partial reasoning** (step-level search: beam, DVTS, MCTS): `POST
//!   /v1/completions` with the prompt rendered by the model's own chat template (thinking on)
//!   and the prefix appended — the only way to make a chat server continue mid-thought. This needs
//!   the template: [`RemoteGenerator::with_tokenizer`] (`--model DIR` on the CLI).
//! - **n samples** of one prompt whose seeds run on consecutively (what every sampling strategy
//!   sends) go as one request with `n` and the first seed, which a deepthink backend expands to
//!   the same seeds (choice i gets seed + i), so results match the local run. A server that
//!   refuses `n > 1` (llama.cpp, Ollama) or returns fewer choices gets them fanned out as separate
//!   requests (seed + i each), and is remembered.
//!
//! Log-probabilities are asked for when a request wants them (the confidence verifier) and
//! reported missing — an error naming the backend — when the server does not return them.
//! Compute is charged from the server's `usage` (prompt tokens once per request, completion
//! tokens per choice when there is one choice, else counted with the tokenizer when there is
//! one, else split evenly); FLOPs are known only when a local config describes the model.
//! Retries with exponential backoff (honouring `Retry-After`) on 429, 503, timeouts and dropped
//! connections; at most `concurrency` requests in flight.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use deepthink_model::{ChatTokenizer, FinishReason, ModelConfig};
use serde_json::{json, Value};

use crate::error::SearchError;
use crate::generator::{Continuation, Generator, Request};

/// How to reach the backend.
#[derive(Clone, Debug)]
pub struct RemoteConfig {
    /// The API root, e.g. `http://127.0.0.1:8000/v1`.
    pub base: String,
    /// The `model` field the server expects.
    pub model: String,
    pub api_key: Option<String>,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Per request.
    pub timeout: Duration,
    /// Attempts after the first, on 429 / 503 / timeouts / dropped connections.
    pub retries: usize,
}

impl RemoteConfig {
    pub fn new(base: impl Into<String>, model: impl Into<String>) -> Self {
        RemoteConfig {
            base: base.into().trim_end_matches('/').to_string(),
            model: model.into(),
            api_key: None,
            concurrency: 16,
            timeout: Duration::from_secs(300),
            retries: 8,
        }
    }
}

pub struct RemoteGenerator {
    cfg: RemoteConfig,
    client: reqwest::blocking::Client,
    /// The model's tokenizer and template, when known: token counts, and rendered prompts for
    /// step-level continuation.
    tokenizer: Option<ChatTokenizer>,
    model_cfg: Option<ModelConfig>,
    prefill: String,
    /// The server refused or ignored `n > 1` once: fan out from then on.
    no_n: AtomicBool,
    /// The thinking budget of requests that set none (sent as `thinking_token_budget`).
    thinking: deepthink_model::ThinkingBudget,
}

/// One HTTP call: the requests it answers (indices), and its body.
struct Call {
    indices: Vec<usize>,
    path: &'static str,
    body: Value,
}

impl RemoteGenerator {
    pub fn new(cfg: RemoteConfig) -> Result<Self, SearchError> {
        let client = reqwest::blocking::Client::builder()
            .timeout(cfg.timeout)
            .build()
            .map_err(|e| SearchError::Remote(format!("could not build an HTTP client: {e}")))?;
        Ok(RemoteGenerator {
            cfg,
            client,
            tokenizer: None,
            model_cfg: None,
            prefill: deepthink_model::tokenizer::THINK.to_string() + "\n",
            no_n: AtomicBool::new(false),
            thinking: deepthink_model::ThinkingBudget::default(),
        })
    }

    /// Use the model's tokenizer and chat template (token counts; step-level continuation).
    pub fn with_tokenizer(mut self, tok: ChatTokenizer) -> Self {
        self.prefill = tok.generation_prefill(true).to_string();
        self.tokenizer = Some(tok);
        self
    }

    /// Send `budget`'s maximum with every request that sets no budget of its own (a minimum
    /// needs the decode loop itself, and no server takes one).
    pub fn with_thinking(mut self, budget: deepthink_model::ThinkingBudget) -> Self {
        self.thinking = budget;
        self
    }

    /// The model's configuration, for FLOPs accounting.
    pub fn with_model_config(mut self, cfg: ModelConfig) -> Self {
        self.model_cfg = Some(cfg);
        self
    }

    /// The `model` name requests carry.
    pub fn model_name(&self) -> &str {
        &self.cfg.model
    }

    /// The backend's model list (`GET /v1/models`), as a reachability check.
    pub fn models(&self) -> Result<Vec<String>, SearchError> {
        let v = self.send_with_retries(|| self.authed(self.client.get(format!("{}/models", self.cfg.base))), 0)?;
        Ok(v["data"]
            .as_array()
            .map_or(Vec::new(), |d| d.iter().filter_map(|m| m["id"].as_str().map(String::from)).collect()))
    }

    fn authed(&self, b: reqwest::blocking::RequestBuilder) -> reqwest::blocking::RequestBuilder {
        match &self.cfg.api_key {
            Some(k) => b.bearer_auth(k),
            None => b,
        }
    }

    /// Send, retrying on 429 / 5xx-busy / dropped connections; `stagger` spreads the retries of
    /// concurrent calls (call k waits k·37 ms more, modulo 16), so they do not collide again.
    fn send_with_retries(
        &self,
        build: impl Fn() -> reqwest::blocking::RequestBuilder,
        stagger: usize,
    ) -> Result<Value, SearchError> {
        let mut attempt = 0;
        loop {
            let wait = match build().send() {
                Ok(resp) if resp.status().is_success() => {
                    return resp
                        .json()
                        .map_err(|e| SearchError::Remote(format!("{}: unreadable reply: {e}", self.cfg.base)))
                }
                Ok(resp) if matches!(resp.status().as_u16(), 429 | 502 | 503 | 504) => {
                    let after = resp.headers().get("retry-after").and_then(|v| v.to_str().ok()?.parse::<f64>().ok());
                    let status = resp.status();
                    if attempt >= self.cfg.retries {
                        return Err(SearchError::Remote(format!(
                            "{}: {status} after {} attempts",
                            self.cfg.base,
                            attempt + 1
                        )));
                    }
                    after.map_or_else(|| backoff(attempt), Duration::from_secs_f64)
                }
                Ok(resp) => return Err(SearchError::Remote(format!("{}: {}", self.cfg.base, refusal(resp)))),
                Err(e) if (e.is_timeout() || e.is_connect() || e.is_request()) && attempt < self.cfg.retries => {
                    backoff(attempt)
                }
                Err(e) => return Err(SearchError::Remote(format!("{}: {e}", self.cfg.base))),
            };
            std::thread::sleep(wait + Duration::from_millis(37 * (stagger % 16) as u64));
            attempt += 1;
        }
    }

    /// Group requests into calls: runs of identical requests with consecutive seeds share one
    /// `n > 1` chat call (unless the server refuses `n`); the rest go one by one.
    fn plan(&self, requests: &[Request]) -> Result<Vec<Call>, SearchError> {
        let mut calls = Vec::new();
        let mut i = 0;
        while i < requests.len() {
            let r = &requests[i];
            // A partial reasoning to continue, or a step to stop after (which a chat reply cannot
            // say was inside the think block): a raw completion of the rendered prompt.
            if !r.prefix.is_empty() || (!r.stop.is_empty() && self.tokenizer.is_some()) {
                calls.push(Call { indices: vec![i], path: "/completions", body: self.completion_body(r)? });
                i += 1;
                continue;
            }
            let mut j = i + 1;
            if !self.no_n.load(Ordering::Relaxed) {
                while j < requests.len() && same_but_seed(r, &requests[j], (j - i) as u64) {
                    j += 1;
                }
            }
            calls.push(Call { indices: (i..j).collect(), path: "/chat/completions", body: self.chat_body(r, j - i) });
            i = j;
        }
        Ok(calls)
    }

    /// `max_new_tokens`, capped by the room the prompt leaves in the context when the model is
    /// known (as the local decode loop caps it; a server refuses a request that does not fit).
    fn max_tokens(&self, r: &Request) -> usize {
        let room = self.tokenizer.as_ref().zip(self.model_cfg.as_ref()).and_then(|(tok, cfg)| {
            let prompt = tok.render(&r.messages, true, true).ok()? + &r.prefix;
            Some(cfg.max_seq_len.saturating_sub(tok.encode(&prompt).ok()?.len()).max(1))
        });
        room.map_or(r.params.max_new_tokens, |room| r.params.max_new_tokens.min(room))
    }

    fn chat_body(&self, r: &Request, n: usize) -> Value {
        let mut b = json!({
            "model": self.cfg.model, "messages": r.messages, "temperature": r.params.temperature,
            "top_p": r.params.top_p, "max_tokens": self.max_tokens(r), "seed": r.params.seed,
        });
        if n > 1 {
            b["n"] = n.into();
        }
        if !r.stop.is_empty() {
            b["stop"] = json!(r.stop);
            b["include_stop_str_in_output"] = true.into();
        }
        if r.logprobs {
            b["logprobs"] = true.into();
        }
        if let Some(max) = r.params.thinking.max.or(self.thinking.max) {
            b["thinking_token_budget"] = max.into();
        }
        b
    }

    fn completion_body(&self, r: &Request) -> Result<Value, SearchError> {
        let tok = self.tokenizer.as_ref().ok_or_else(|| {
            SearchError::Remote(
                "continuing a partial reasoning (step-level search) through a backend needs the model's chat template: pass --model DIR with its tokenizer".into(),
            )
        })?;
        let prompt = tok.render(&r.messages, true, true)? + &r.prefix;
        let mut b = json!({
            "model": self.cfg.model, "prompt": prompt, "temperature": r.params.temperature, "top_p": r.params.top_p,
            "max_tokens": self.max_tokens(r), "seed": r.params.seed,
        });
        if !r.stop.is_empty() {
            b["stop"] = json!(r.stop);
            b["include_stop_str_in_output"] = true.into();
        }
        if r.logprobs {
            b["logprobs"] = 0.into();
        }
        Ok(b)
    }

    fn run_call(&self, call: &Call, requests: &[Request]) -> Result<Vec<(usize, Continuation)>, SearchError> {
        let url = format!("{}{}", self.cfg.base, call.path);
        let stagger = call.indices.first().copied().unwrap_or(0);
        let reply = self.send_with_retries(|| self.authed(self.client.post(&url).json(&call.body)), stagger);
        let reply = match reply {
            // A server that refuses `n`: fan out, and remember.
            Err(SearchError::Remote(msg)) if call.indices.len() > 1 && msg.contains("400") => {
                self.no_n.store(true, Ordering::Relaxed);
                return self.fan_out(call, requests);
            }
            other => other?,
        };
        let choices = reply["choices"].as_array().cloned().unwrap_or_default();
        if choices.len() < call.indices.len() {
            if call.indices.len() == 1 {
                return Err(SearchError::Remote(format!("{} returned no choices", self.cfg.base)));
            }
            self.no_n.store(true, Ordering::Relaxed);
            return self.fan_out(call, requests);
        }
        let usage = &reply["usage"];
        // Charged as the local generator charges: prompt tokens computed, not those a cache held.
        let prompt_len = usage["prompt_tokens"].as_u64().unwrap_or(0) as usize;
        let cached = usage["prompt_tokens_details"]["cached_tokens"].as_u64().unwrap_or(0) as usize;
        let prompt_tokens = prompt_len.saturating_sub(cached);
        let completion_tokens = usage["completion_tokens"].as_u64().unwrap_or(0) as usize;
        let n = call.indices.len();
        let texts: Vec<String> = choices
            .iter()
            .take(n)
            .zip(&call.indices)
            .map(|(c, &i)| {
                let text = if call.path == "/completions" {
                    c["text"].as_str().unwrap_or("").to_string()
                } else {
                    chat_text(c)
                };
                with_stop_string(text, c, &requests[i])
            })
            .collect();
        let tokens = split_tokens(completion_tokens, &texts, self.tokenizer.as_ref());
        let mut out = Vec::with_capacity(n);
        for (k, ((&i, choice), text)) in call.indices.iter().zip(&choices).zip(texts).enumerate() {
            let r = &requests[i];
            let tokens = tokens[k];
            let logprobs = if r.logprobs {
                let lp = match call.path {
                    "/completions" => choice["logprobs"]["token_logprobs"].as_array().cloned(),
                    _ => choice["logprobs"]["content"]
                        .as_array()
                        .map(|c| c.iter().map(|t| t["logprob"].clone()).collect()),
                };
                let lp = lp.ok_or_else(|| {
                    SearchError::Remote(format!(
                        "{} returned no log-probabilities (allocate's --confidence-cuts needs them)",
                        self.cfg.base
                    ))
                })?;
                lp.iter().map(|v| v.as_f64().unwrap_or(f64::NEG_INFINITY) as f32).collect()
            } else {
                Vec::new()
            };
            let finish = match choice["finish_reason"].as_str() {
                Some("length") => FinishReason::Length,
                _ => FinishReason::Stop,
            };
            let context = prompt_len;
            out.push((
                i,
                Continuation {
                    text,
                    tokens,
                    prompt_tokens: if k == 0 { prompt_tokens } else { 0 },
                    context,
                    logprobs,
                    finish,
                },
            ));
        }
        Ok(out)
    }

    /// The requests of `call` one by one (each with its own seed).
    fn fan_out(&self, call: &Call, requests: &[Request]) -> Result<Vec<(usize, Continuation)>, SearchError> {
        let mut out = Vec::new();
        for &i in &call.indices {
            let single = Call { indices: vec![i], path: call.path, body: self.chat_body(&requests[i], 1) };
            out.extend(self.run_call(&single, requests)?);
        }
        Ok(out)
    }
}

/// Stop strings stay in deepthink's continuations (a step is a line, `\n` included). Servers
/// drop them unless asked (`include_stop_str_in_output`, vLLM's and ours); one that dropped it
/// anyway may say which matched, in `stop_reason` (vLLM) or `stopping_word` (llama.cpp's own
/// server). One that says nothing (llama-cpp-python's) had its only stop string put back until
/// the answer has begun — a model does not end its turn mid-thought or right after `</think>`,
/// so a `stop` there was the stop string; once answer text follows `</think>`, it was the end.
fn with_stop_string(mut text: String, choice: &Value, r: &Request) -> String {
    let stop = &r.stop;
    if stop.is_empty() || choice["finish_reason"] != "stop" || stop.iter().any(|s| text.ends_with(s.as_str())) {
        return text;
    }
    let said = choice["stop_reason"].as_str().or_else(|| choice["stopping_word"].as_str());
    let full = format!("{}{text}", r.prefix);
    let thinking =
        full.rsplit_once(deepthink_model::tokenizer::END_THINK).is_none_or(|(_, answer)| answer.trim().is_empty());
    match said {
        Some(s) if stop.iter().any(|x| x == s) => text.push_str(s),
        None if stop.len() == 1 && thinking => text.push_str(&stop[0]),
        _ => {}
    }
    text
}

/// The server's completion tokens of an `n`-choice reply, per choice: each choice's text counted
/// with the tokenizer when there is one (the remainder, such as end-of-turn tokens, shared
/// evenly), else an even split.
fn split_tokens(total: usize, texts: &[String], tok: Option<&ChatTokenizer>) -> Vec<usize> {
    let n = texts.len().max(1);
    if n == 1 {
        return vec![total];
    }
    let counted: Vec<usize> = match tok {
        Some(tok) => texts.iter().map(|t| tok.encode(t).map_or(0, |ids| ids.len())).collect(),
        None => vec![0; n],
    };
    let rest = total.saturating_sub(counted.iter().sum());
    counted.iter().enumerate().map(|(k, c)| c + rest / n + usize::from(k < rest % n)).collect()
}

/// What a streamed chat reply sends, delta by delta.
#[derive(Clone, Debug, PartialEq)]
pub enum StreamDelta {
    Reasoning(String),
    Content(String),
    /// The reply ended: reasoning tokens as the server counted them, when it sent usage.
    Done {
        reasoning_tokens: Option<usize>,
    },
}

impl RemoteGenerator {
    /// One chat reply streamed from the backend (SSE), `on_delta` called as pieces arrive;
    /// `extra` fields (e.g. `reasoning_effort`) are merged into the request body.
    pub fn stream_chat(
        &self,
        messages: &[deepthink_model::Message],
        extra: &serde_json::Map<String, Value>,
        on_delta: &mut dyn FnMut(StreamDelta),
    ) -> Result<(), SearchError> {
        use std::io::BufRead;
        let mut body = json!({"model": self.cfg.model, "messages": messages, "stream": true,
            "stream_options": {"include_usage": true}});
        for (k, v) in extra {
            body[k] = v.clone();
        }
        let url = format!("{}/chat/completions", self.cfg.base);
        let resp = self
            .authed(self.client.post(&url).json(&body))
            .send()
            .map_err(|e| SearchError::Remote(format!("{url}: {e}")))?;
        if !resp.status().is_success() {
            return Err(SearchError::Remote(format!("{url}: {}", refusal(resp))));
        }
        let mut reasoning_tokens = None;
        for line in std::io::BufReader::new(resp).lines() {
            let line = line.map_err(|e| SearchError::Remote(format!("{url}: the stream broke: {e}")))?;
            let Some(data) = line.strip_prefix("data: ") else { continue };
            if data == "[DONE]" {
                break;
            }
            let v: Value = serde_json::from_str(data)
                .map_err(|e| SearchError::Remote(format!("{url}: bad chunk {data:?}: {e}")))?;
            if let Some(msg) = v["error"]["message"].as_str() {
                return Err(SearchError::Remote(format!("{url}: {msg}")));
            }
            if let Some(n) = v["usage"]["completion_tokens_details"]["reasoning_tokens"].as_u64() {
                reasoning_tokens = Some(n as usize);
            }
            let d = &v["choices"][0]["delta"];
            if let Some(r) =
                d["reasoning_content"].as_str().or_else(|| d["reasoning"].as_str()).filter(|r| !r.is_empty())
            {
                on_delta(StreamDelta::Reasoning(r.to_string()));
            }
            if let Some(c) = d["content"].as_str().filter(|c| !c.is_empty()) {
                on_delta(StreamDelta::Content(c.to_string()));
            }
        }
        on_delta(StreamDelta::Done { reasoning_tokens });
        Ok(())
    }
}

/// A refused request as `STATUS: MESSAGE`, the message read from OpenAI's error JSON when the
/// server sent it (else the body as it came).
fn refusal(resp: reqwest::blocking::Response) -> String {
    let status = resp.status();
    let text = resp.text().unwrap_or_default();
    let msg = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(String::from))
        .unwrap_or(text);
    format!("{status}: {msg}")
}

fn backoff(attempt: usize) -> Duration {
    Duration::from_millis(250 << attempt.min(6))
}

/// `b` is `a` with its seed `k` further on.
fn same_but_seed(a: &Request, b: &Request, k: u64) -> bool {
    b.params.seed == a.params.seed.wrapping_add(k)
        && b.messages == a.messages
        && b.prefix == a.prefix
        && b.stop == a.stop
        && b.logprobs == a.logprobs
        && deepthink_model::SamplingParams { seed: a.params.seed, ..b.params.clone() } == a.params
}

/// A chat choice as the text contract writes the assistant turn after its `<think>\n` pre-fill.
fn chat_text(choice: &Value) -> String {
    let m = &choice["message"];
    let content = m["content"].as_str().unwrap_or("");
    let reasoning = m["reasoning_content"].as_str().or_else(|| m["reasoning"].as_str());
    match reasoning {
        Some(r) if !r.is_empty() || choice["finish_reason"] != "length" => {
            if content.is_empty() && choice["finish_reason"] == "length" {
                r.to_string()
            } else {
                format!("{r}{}\n\n{content}", deepthink_model::tokenizer::END_THINK)
            }
        }
        // No reasoning parser on the server: the tags are in the content.
        _ => content.trim_start().strip_prefix(deepthink_model::tokenizer::THINK).unwrap_or(content).to_string(),
    }
}

impl Generator for RemoteGenerator {
    fn generate(&self, requests: &[Request]) -> Result<Vec<Continuation>, SearchError> {
        let calls = self.plan(requests)?;
        let next = std::sync::atomic::AtomicUsize::new(0);
        let results = std::sync::Mutex::new(Vec::with_capacity(requests.len()));
        let failure = std::sync::Mutex::new(None);
        std::thread::scope(|scope| {
            for _ in 0..self.cfg.concurrency.clamp(1, calls.len().max(1)) {
                scope.spawn(|| loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(call) = calls.get(k) else { return };
                    match self.run_call(call, requests) {
                        Ok(got) => results.lock().map(|mut r| r.extend(got)).unwrap_or(()),
                        Err(e) => {
                            if let Ok(mut f) = failure.lock() {
                                f.get_or_insert(e);
                            }
                            return;
                        }
                    }
                });
            }
        });
        if let Some(e) = failure.into_inner().ok().flatten() {
            return Err(e);
        }
        let mut got = results.into_inner().map_err(|_| SearchError::Remote("a request thread panicked".into()))?;
        got.sort_by_key(|(i, _)| *i);
        if got.len() != requests.len() {
            return Err(SearchError::Remote(format!(
                "{} answered {} of {} requests",
                self.cfg.base,
                got.len(),
                requests.len()
            )));
        }
        Ok(got.into_iter().map(|(_, c)| c).collect())
    }

    fn prefill(&self) -> &str {
        &self.prefill
    }

    fn count_tokens(&self, text: &str) -> usize {
        match &self.tokenizer {
            Some(tok) => crate::decode_request::count_tokens(tok, text),
            // No tokenizer: about four characters a token (an estimate, said so in the docs).
            None => text.chars().count().div_ceil(4),
        }
    }

    fn flops_per_token(&self, ctx: usize) -> Option<f64> {
        self.model_cfg.as_ref().map(|c| c.flops_per_token(ctx))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_choices_become_the_text_contract() {
        let c = json!({"message": {"content": "42", "reasoning_content": "a\nb\n"}, "finish_reason": "stop"});
        assert_eq!(chat_text(&c), "a\nb\n</think>\n\n42");
        let cut = json!({"message": {"content": "", "reasoning": "a\nb"}, "finish_reason": "length"});
        assert_eq!(chat_text(&cut), "a\nb");
        let tagged = json!({"message": {"content": "<think>\nx\n</think>\n\n7"}, "finish_reason": "stop"});
        assert_eq!(chat_text(&tagged), "\nx\n</think>\n\n7");
    }

    #[test]
    fn runs_of_consecutive_seeds_share_one_call() {
        let g = RemoteGenerator::new(RemoteConfig::new("http://x/v1", "m")).unwrap();
        let reqs: Vec<Request> = [10, 11, 12, 20, 21].iter().map(|&s| Request::sampled("q", "", 1.0, 8, s)).collect();
        let calls = g.plan(&reqs).unwrap();
        assert_eq!(calls.iter().map(|c| c.indices.clone()).collect::<Vec<_>>(), vec![vec![0, 1, 2], vec![3, 4]]);
        assert_eq!(calls[0].body["n"], 3);
        assert_eq!(calls[0].body["seed"], 10);
        g.no_n.store(true, Ordering::Relaxed);
        assert_eq!(g.plan(&reqs).unwrap().len(), 5, "fanned out");
        let step = Request::sampled("q", "12\n", 1.0, 8, 0);
        assert!(g.plan(&[step]).err().unwrap().to_string().contains("--model DIR"));
    }
}
