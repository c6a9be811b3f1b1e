//! Request bodies as the OpenAI API defines them, read field by field from JSON so that every
//! refusal names its field (`param`) and value. Unknown fields are ignored, as the OpenAI API
//! and vLLM do; wrong types and out-of-range values are 400s. Wire types stop here: the
//! handlers turn a [`ChatParams`] into domain requests for the engine or a strategy.
//!
//! Reasoning extensions read here, with the names each camp uses:
//! - `reasoning_effort`: `none` (thinking off), `minimal`, `low`, `medium`, `high` (see `effort`);
//! - `chat_template_kwargs.enable_thinking` (vLLM, SGLang), `think` (Ollama);
//! - `thinking_token_budget` (vLLM) or `thinking_budget_tokens` (llama.cpp), and our
//!   `min_thinking_tokens` with `wait_word`;
//! - `include_reasoning` (OpenRouter): `false` drops the text, keeps the count;
//! - `deepthink`: `{"strategy": NAME, "samples": N, ...}`, sent with the SDK's `extra_body`.

use deepthink_model::{Message, ThinkingBudget};
use serde_json::{Map, Value};

use crate::api_error::ApiError;

/// A request's sampling knobs, shared by both endpoints.
#[derive(Clone, Debug, PartialEq)]
pub struct Sampling {
    pub temperature: f32,
    pub top_p: f32,
    /// `None`: up to the context.
    pub max_tokens: Option<usize>,
    pub n: usize,
    pub seed: Option<u64>,
    pub stop: Vec<String>,
    /// Keep the matched stop string in the text (vLLM's `include_stop_str_in_output`).
    pub include_stop: bool,
    /// Decode past end-of-sequence until `max_tokens` (vLLM's `ignore_eos`; for benchmarks).
    pub ignore_eos: bool,
    pub stream: bool,
    pub include_usage: bool,
    pub thinking: ThinkingBudget,
}

/// `reasoning_effort`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effort {
    None,
    Minimal,
    Low,
    Medium,
    High,
}

impl Effort {
    pub const NAMES: &'static [&'static str] = &["none", "minimal", "low", "medium", "high"];

    fn parse(s: &str) -> Option<Effort> {
        Some(match s {
            "none" => Effort::None,
            "minimal" => Effort::Minimal,
            "low" => Effort::Low,
            "medium" => Effort::Medium,
            "high" => Effort::High,
            _ => return None,
        })
    }
}

/// The `deepthink` extension object: any registered strategy, by name.
#[derive(Clone, Debug, PartialEq)]
pub struct StrategyChoice {
    pub strategy: String,
    pub samples: Option<usize>,
    pub width: Option<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ChatParams {
    pub model: String,
    pub messages: Vec<Message>,
    pub sampling: Sampling,
    /// `false`: render the thinking-off prompt.
    pub enable_thinking: bool,
    pub include_reasoning: bool,
    pub effort: Option<Effort>,
    pub deepthink: Option<StrategyChoice>,
    /// Return each generated token's log-probability (`choices[].logprobs.content`).
    pub logprobs: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CompletionParams {
    pub model: String,
    pub prompt: String,
    pub sampling: Sampling,
    /// `logprobs`: return each token's log-probability (only the chosen token's: top-k
    /// alternatives are not offered, and asking for more than 0 is refused).
    pub logprobs: bool,
    pub echo: bool,
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn wrong_type(field: &str, want: &str, v: &Value) -> ApiError {
    ApiError::field(field, format!("`{field}` must be {want}, got {} ({v})", type_name(v)))
}

/// The body as a JSON object.
pub fn object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    let v: Value =
        serde_json::from_slice(body).map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))?;
    match v {
        Value::Object(m) => Ok(m),
        other => Err(ApiError::bad_request(format!("the body must be a JSON object, got {}", type_name(&other)))),
    }
}

/// A present, non-null field.
fn present<'a>(o: &'a Map<String, Value>, field: &str) -> Option<&'a Value> {
    o.get(field).filter(|v| !v.is_null())
}

fn number(o: &Map<String, Value>, field: &str, lo: f64, hi: f64) -> Result<Option<f64>, ApiError> {
    let Some(v) = present(o, field) else { return Ok(None) };
    let x = v.as_f64().ok_or_else(|| wrong_type(field, "a number", v))?;
    if !(lo..=hi).contains(&x) {
        return Err(ApiError::field(field, format!("`{field}` must be between {lo} and {hi}, got {x}")));
    }
    Ok(Some(x))
}

fn integer(o: &Map<String, Value>, field: &str, lo: u64, hi: u64) -> Result<Option<u64>, ApiError> {
    let Some(v) = present(o, field) else { return Ok(None) };
    let x = match v {
        Value::Number(n) if n.is_u64() => n.as_u64().unwrap_or(0),
        Value::Number(n) if n.is_i64() => {
            return Err(ApiError::field(field, format!("`{field}` must be at least {lo}, got {n}")));
        }
        _ => return Err(wrong_type(field, "an integer", v)),
    };
    if !(lo..=hi).contains(&x) {
        return Err(ApiError::field(field, format!("`{field}` must be between {lo} and {hi}, got {x}")));
    }
    Ok(Some(x))
}

fn boolean(o: &Map<String, Value>, field: &str) -> Result<Option<bool>, ApiError> {
    let Some(v) = present(o, field) else { return Ok(None) };
    v.as_bool().map(Some).ok_or_else(|| wrong_type(field, "a boolean", v))
}

fn string<'a>(o: &'a Map<String, Value>, field: &str) -> Result<Option<&'a str>, ApiError> {
    let Some(v) = present(o, field) else { return Ok(None) };
    v.as_str().map(Some).ok_or_else(|| wrong_type(field, "a string", v))
}

fn sub_object<'a>(o: &'a Map<String, Value>, field: &str) -> Result<Option<&'a Map<String, Value>>, ApiError> {
    let Some(v) = present(o, field) else { return Ok(None) };
    v.as_object().map(Some).ok_or_else(|| wrong_type(field, "an object", v))
}

/// Most choices one request may ask for.
pub const MAX_N: u64 = 64;

fn sampling(o: &Map<String, Value>) -> Result<Sampling, ApiError> {
    let max_tokens = match integer(o, "max_completion_tokens", 1, u32::MAX as u64)? {
        Some(m) => Some(m),
        None => integer(o, "max_tokens", 1, u32::MAX as u64)?,
    };
    let stop = match present(o, "stop") {
        None => Vec::new(),
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => {
            if items.len() > 4 {
                return Err(ApiError::field("stop", format!("`stop` holds at most 4 strings, got {}", items.len())));
            }
            items
                .iter()
                .map(|s| s.as_str().map(str::to_string).ok_or_else(|| wrong_type("stop", "a string or strings", s)))
                .collect::<Result<_, _>>()?
        }
        Some(v) => return Err(wrong_type("stop", "a string or an array of strings", v)),
    };
    if stop.iter().any(String::is_empty) {
        return Err(ApiError::field("stop", "`stop` strings must not be empty"));
    }
    let include_usage = match sub_object(o, "stream_options")? {
        Some(so) => boolean(so, "include_usage")
            .map_err(|e| ApiError { param: Some("stream_options.include_usage".into()), ..e })?
            .unwrap_or(false),
        None => false,
    };
    let stream = boolean(o, "stream")?.unwrap_or(false);
    if present(o, "stream_options").is_some() && !stream {
        return Err(ApiError::field("stream_options", "`stream_options` is only allowed with `stream: true`"));
    }
    let max_think = match integer(o, "thinking_token_budget", 0, u32::MAX as u64)? {
        Some(b) => Some(b),
        None => integer(o, "thinking_budget_tokens", 0, u32::MAX as u64)?,
    };
    let min_think = integer(o, "min_thinking_tokens", 0, u32::MAX as u64)?.unwrap_or(0);
    let wait = string(o, "wait_word")?.unwrap_or(deepthink_model::thinking::DEFAULT_WAIT).to_string();
    let thinking = ThinkingBudget { max: max_think.map(|b| b as usize), min: min_think as usize, wait };
    thinking
        .validate()
        .map_err(|e| ApiError::field("min_thinking_tokens", e.to_string().trim_start_matches("input: ")))?;
    Ok(Sampling {
        temperature: number(o, "temperature", 0.0, 2.0)?.unwrap_or(1.0) as f32,
        top_p: match number(o, "top_p", 0.0, 1.0)? {
            Some(p) if p <= 0.0 => return Err(ApiError::field("top_p", format!("`top_p` must be above 0, got {p}"))),
            Some(p) => p as f32,
            None => 1.0,
        },
        max_tokens: max_tokens.map(|m| m as usize),
        n: integer(o, "n", 1, MAX_N)?.unwrap_or(1) as usize,
        seed: match present(o, "seed") {
            None => None,
            Some(Value::Number(n)) if n.is_i64() || n.is_u64() => {
                Some(n.as_u64().unwrap_or_else(|| n.as_i64().unwrap_or(0) as u64))
            }
            Some(v) => return Err(wrong_type("seed", "an integer", v)),
        },
        stop,
        include_stop: boolean(o, "include_stop_str_in_output")?.unwrap_or(false),
        ignore_eos: boolean(o, "ignore_eos")?.unwrap_or(false),
        stream,
        include_usage,
        thinking,
    })
}

fn model(o: &Map<String, Value>) -> Result<String, ApiError> {
    match string(o, "model")? {
        Some(m) => Ok(m.to_string()),
        None => Err(ApiError::field("model", "`model` is required (GET /v1/models lists it)")),
    }
}

/// A message's text: a string, or an array of `{"type": "text", "text": …}` parts.
fn content(v: Option<&Value>, i: usize) -> Result<String, ApiError> {
    let field = format!("messages[{i}].content");
    match v {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Array(parts)) => {
            let mut text = String::new();
            for (j, part) in parts.iter().enumerate() {
                let kind = part.get("type").and_then(Value::as_str);
                match (kind, part.get("text").and_then(Value::as_str)) {
                    (Some("text"), Some(t)) => text.push_str(t),
                    _ => {
                        return Err(ApiError::field(
                            &field,
                            format!("`{field}[{j}]` must be a text part {{\"type\": \"text\", \"text\": …}}: this model reads text only"),
                        ))
                    }
                }
            }
            Ok(text)
        }
        Some(other) => Err(wrong_type(&field, "a string or an array of text parts", other)),
    }
}

fn messages(o: &Map<String, Value>) -> Result<Vec<Message>, ApiError> {
    let v = present(o, "messages").ok_or_else(|| ApiError::field("messages", "`messages` is required"))?;
    let items = v.as_array().ok_or_else(|| wrong_type("messages", "an array of messages", v))?;
    if items.is_empty() {
        return Err(ApiError::field("messages", "`messages` must hold at least one message"));
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, m) in items.iter().enumerate() {
        let field = format!("messages[{i}]");
        let m = m.as_object().ok_or_else(|| wrong_type(&field, "an object", m))?;
        let role = match m.get("role") {
            Some(Value::String(r)) => r.as_str(),
            Some(other) => return Err(wrong_type(&format!("{field}.role"), "a string", other)),
            None => return Err(ApiError::field(&format!("{field}.role"), format!("`{field}.role` is required"))),
        };
        let role = match role {
            "developer" => "system",
            "system" | "user" | "assistant" => role,
            other => {
                return Err(ApiError::field(
                    &format!("{field}.role"),
                    format!("`{field}.role` must be system, developer, user or assistant, got {other:?}"),
                ))
            }
        };
        out.push(Message { role: role.to_string(), content: content(m.get("content"), i)? });
    }
    if out.last().map(|m| m.role.as_str()) != Some("user") {
        return Err(ApiError::field("messages", "the last message must be the user's (the turn to answer)"));
    }
    Ok(out)
}

fn strategy_choice(o: &Map<String, Value>) -> Result<Option<StrategyChoice>, ApiError> {
    let Some(d) = sub_object(o, "deepthink")? else { return Ok(None) };
    let rename = |e: ApiError| ApiError { param: e.param.map(|p| format!("deepthink.{p}")), ..e };
    let strategy = string(d, "strategy").map_err(rename)?.ok_or_else(|| {
        ApiError::field(
            "deepthink.strategy",
            format!("`deepthink.strategy` is required: one of {}", deepthink_search::STRATEGY_NAMES.join(", ")),
        )
    })?;
    if !deepthink_search::STRATEGY_NAMES.contains(&strategy) {
        return Err(ApiError::field(
            "deepthink.strategy",
            format!("unknown strategy {strategy:?}: one of {}", deepthink_search::STRATEGY_NAMES.join(", ")),
        ));
    }
    Ok(Some(StrategyChoice {
        strategy: strategy.to_string(),
        samples: integer(d, "samples", 1, 256).map_err(rename)?.map(|n| n as usize),
        width: integer(d, "width", 1, 64).map_err(rename)?.map(|n| n as usize),
    }))
}

/// `POST /v1/chat/completions`.
pub fn chat_params(body: &[u8]) -> Result<ChatParams, ApiError> {
    let o = object(body)?;
    let model = model(&o)?;
    let messages = messages(&o)?;
    let sampling = sampling(&o)?;
    let effort = match string(&o, "reasoning_effort")? {
        None => None,
        Some(s) => Some(Effort::parse(s).ok_or_else(|| {
            ApiError::field(
                "reasoning_effort",
                format!("`reasoning_effort` must be one of {}, got {s:?}", Effort::NAMES.join(", ")),
            )
        })?),
    };
    let kwargs_thinking = match sub_object(&o, "chat_template_kwargs")? {
        Some(k) => boolean(k, "enable_thinking")
            .map_err(|e| ApiError { param: Some("chat_template_kwargs.enable_thinking".into()), ..e })?,
        None => None,
    };
    let enable_thinking = kwargs_thinking.or(boolean(&o, "think")?).unwrap_or(true) && effort != Some(Effort::None);
    Ok(ChatParams {
        model,
        messages,
        sampling,
        enable_thinking,
        include_reasoning: boolean(&o, "include_reasoning")?.unwrap_or(true),
        effort,
        deepthink: strategy_choice(&o)?,
        logprobs: match integer(&o, "top_logprobs", 0, 0) {
            Ok(_) => boolean(&o, "logprobs")?.unwrap_or(false),
            Err(_) => {
                return Err(ApiError::field(
                    "top_logprobs",
                    "`top_logprobs` alternatives are not offered: send 0, or leave it out",
                ))
            }
        },
    })
}

/// `POST /v1/completions`.
pub fn completion_params(body: &[u8]) -> Result<CompletionParams, ApiError> {
    let o = object(body)?;
    let model = model(&o)?;
    let prompt = match present(&o, "prompt") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::String(_)) => return Err(ApiError::field("prompt", "`prompt` must not be empty")),
        Some(Value::Array(a)) if a.len() == 1 && a[0].is_string() => a[0].as_str().unwrap_or_default().to_string(),
        Some(Value::Array(_)) => {
            return Err(ApiError::field(
                "prompt",
                "`prompt` must be one string (batches of prompts are not supported; send one request each)",
            ))
        }
        Some(v) => return Err(wrong_type("prompt", "a string", v)),
        None => return Err(ApiError::field("prompt", "`prompt` is required")),
    };
    let logprobs = match present(&o, "logprobs") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) if n.as_u64() == Some(0) => true,
        Some(Value::Number(n)) => {
            return Err(ApiError::field(
                "logprobs",
                format!(
                    "`logprobs` alternatives are not offered: send 0 for the chosen tokens' log-probabilities, got {n}"
                ),
            ))
        }
        Some(v) => return Err(wrong_type("logprobs", "0 or a boolean", v)),
    };
    Ok(CompletionParams {
        model,
        prompt,
        sampling: sampling(&o)?,
        logprobs,
        echo: boolean(&o, "echo")?.unwrap_or(false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(body: &str) -> ApiError {
        chat_params(body.as_bytes()).unwrap_err()
    }

    #[test]
    fn every_bad_field_is_named() {
        let m = r#""model":"m","messages":[{"role":"user","content":"1+1"}]"#;
        let cases = [
            (format!("{{{m},\"temperature\":\"hot\"}}"), "temperature", "must be a number"),
            (format!("{{{m},\"temperature\":3}}"), "temperature", "between 0 and 2"),
            (format!("{{{m},\"n\":0}}"), "n", "between 1 and 64"),
            (format!("{{{m},\"max_tokens\":-5}}"), "max_tokens", "at least 1"),
            (format!("{{{m},\"stop\":[1]}}"), "stop", "a string"),
            (format!("{{{m},\"reasoning_effort\":\"max\"}}"), "reasoning_effort", "must be one of"),
            (
                format!("{{{m},\"thinking_token_budget\":3,\"min_thinking_tokens\":5}}"),
                "min_thinking_tokens",
                "above the thinking budget",
            ),
            (format!("{{{m},\"deepthink\":{{\"strategy\":\"magic\"}}}}"), "deepthink.strategy", "unknown strategy"),
            (format!("{{{m},\"stream_options\":{{\"include_usage\":true}}}}"), "stream_options", "only allowed with"),
            (r#"{"messages":[{"role":"user","content":"x"}]}"#.to_string(), "model", "is required"),
            (r#"{"model":"m","messages":[]}"#.to_string(), "messages", "at least one"),
            (
                r#"{"model":"m","messages":[{"role":"robot","content":"x"}]}"#.to_string(),
                "messages[0].role",
                "got \"robot\"",
            ),
            (
                r#"{"model":"m","messages":[{"role":"user","content":5}]}"#.to_string(),
                "messages[0].content",
                "a string",
            ),
        ];
        for (body, param, text) in cases {
            let e = err(&body);
            assert_eq!(e.param.as_deref(), Some(param), "{body}: {e}");
            assert!(e.message.contains(text), "{body}: {}", e.message);
            assert_eq!(e.status.as_u16(), 400);
        }
        assert!(err("{not json").message.contains("not valid JSON"));
        assert!(err("[1]").message.contains("must be a JSON object"));
    }

    #[test]
    fn reasoning_extensions_are_read_under_every_name() {
        let p = chat_params(
            br#"{"model":"m","messages":[{"role":"user","content":"x"}],"thinking_budget_tokens":7,"chat_template_kwargs":{"enable_thinking":true},"include_reasoning":false}"#,
        )
        .unwrap();
        assert_eq!(p.sampling.thinking.max, Some(7));
        assert!(p.enable_thinking && !p.include_reasoning);
        let off = chat_params(br#"{"model":"m","messages":[{"role":"user","content":"x"}],"reasoning_effort":"none"}"#)
            .unwrap();
        assert!(!off.enable_thinking);
        let parts = chat_params(br#"{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"1+"},{"type":"text","text":"1"}]}]}"#).unwrap();
        assert_eq!(parts.messages[0].content, "1+1");
    }
}
