//! Malformed requests and what the server must answer to each: the table the router tests
//! check and `deepthink bench --serve` prints (status and message of every case). `MODEL` in a
//! body stands for the served model's name.

/// `(what is wrong, method, path, body, expected status, field named)`.
pub type Case = (&'static str, &'static str, &'static str, &'static str, u16, Option<&'static str>);

const M: &str = r#""model":"MODEL","messages":[{"role":"user","content":"12*34"}]"#;

/// Splices the valid model and messages into a body template (`{M}` marks where).
pub fn body(template: &str, model: &str) -> String {
    template.replace("{M}", M).replace("MODEL", model)
}

pub const CASES: &[Case] = &[
    ("body is not JSON", "POST", "/v1/chat/completions", "{\"model\": ", 400, None),
    ("body is a JSON array", "POST", "/v1/chat/completions", "[1, 2]", 400, None),
    (
        "model missing",
        "POST",
        "/v1/chat/completions",
        r#"{"messages":[{"role":"user","content":"1"}]}"#,
        400,
        Some("model"),
    ),
    (
        "unknown model",
        "POST",
        "/v1/chat/completions",
        r#"{"model":"gpt-9","messages":[{"role":"user","content":"1"}]}"#,
        404,
        Some("model"),
    ),
    ("messages missing", "POST", "/v1/chat/completions", r#"{"model":"MODEL"}"#, 400, Some("messages")),
    ("messages empty", "POST", "/v1/chat/completions", r#"{"model":"MODEL","messages":[]}"#, 400, Some("messages")),
    (
        "messages not an array",
        "POST",
        "/v1/chat/completions",
        r#"{"model":"MODEL","messages":"hi"}"#,
        400,
        Some("messages"),
    ),
    (
        "unknown role",
        "POST",
        "/v1/chat/completions",
        r#"{"model":"MODEL","messages":[{"role":"wizard","content":"1"}]}"#,
        400,
        Some("messages[0].role"),
    ),
    (
        "content a number",
        "POST",
        "/v1/chat/completions",
        r#"{"model":"MODEL","messages":[{"role":"user","content":7}]}"#,
        400,
        Some("messages[0].content"),
    ),
    (
        "image content part",
        "POST",
        "/v1/chat/completions",
        r#"{"model":"MODEL","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}"#,
        400,
        Some("messages[0].content"),
    ),
    (
        "last turn not the user's",
        "POST",
        "/v1/chat/completions",
        r#"{"model":"MODEL","messages":[{"role":"user","content":"1"},{"role":"assistant","content":"2"}]}"#,
        400,
        Some("messages"),
    ),
    ("temperature a string", "POST", "/v1/chat/completions", r#"{{M},"temperature":"warm"}"#, 400, Some("temperature")),
    ("temperature above 2", "POST", "/v1/chat/completions", r#"{{M},"temperature":5}"#, 400, Some("temperature")),
    ("top_p of 0", "POST", "/v1/chat/completions", r#"{{M},"top_p":0}"#, 400, Some("top_p")),
    ("n of 0", "POST", "/v1/chat/completions", r#"{{M},"n":0}"#, 400, Some("n")),
    ("n of 1000", "POST", "/v1/chat/completions", r#"{{M},"n":1000}"#, 400, Some("n")),
    ("negative max_tokens", "POST", "/v1/chat/completions", r#"{{M},"max_tokens":-1}"#, 400, Some("max_tokens")),
    (
        "max_tokens beyond the context",
        "POST",
        "/v1/chat/completions",
        r#"{{M},"max_tokens":1000000}"#,
        400,
        Some("max_tokens"),
    ),
    ("seed a string", "POST", "/v1/chat/completions", r#"{{M},"seed":"abc"}"#, 400, Some("seed")),
    ("stop a number", "POST", "/v1/chat/completions", r#"{{M},"stop":5}"#, 400, Some("stop")),
    ("five stop strings", "POST", "/v1/chat/completions", r#"{{M},"stop":["a","b","c","d","e"]}"#, 400, Some("stop")),
    ("stream a string", "POST", "/v1/chat/completions", r#"{{M},"stream":"yes"}"#, 400, Some("stream")),
    (
        "stream_options without stream",
        "POST",
        "/v1/chat/completions",
        r#"{{M},"stream_options":{"include_usage":true}}"#,
        400,
        Some("stream_options"),
    ),
    (
        "unknown reasoning_effort",
        "POST",
        "/v1/chat/completions",
        r#"{{M},"reasoning_effort":"extreme"}"#,
        400,
        Some("reasoning_effort"),
    ),
    (
        "negative thinking budget",
        "POST",
        "/v1/chat/completions",
        r#"{{M},"thinking_token_budget":-3}"#,
        400,
        Some("thinking_token_budget"),
    ),
    (
        "minimum above the budget",
        "POST",
        "/v1/chat/completions",
        r#"{{M},"thinking_token_budget":4,"min_thinking_tokens":9}"#,
        400,
        Some("min_thinking_tokens"),
    ),
    (
        "unknown strategy",
        "POST",
        "/v1/chat/completions",
        r#"{{M},"deepthink":{"strategy":"telepathy"}}"#,
        400,
        Some("deepthink.strategy"),
    ),
    (
        "verifier strategy without a verifier",
        "POST",
        "/v1/chat/completions",
        r#"{{M},"deepthink":{"strategy":"beam"}}"#,
        400,
        Some("deepthink.strategy"),
    ),
    (
        "strategy on an unreadable question",
        "POST",
        "/v1/chat/completions",
        r#"{"model":"MODEL","messages":[{"role":"user","content":"hello"}],"deepthink":{"strategy":"majority"}}"#,
        400,
        Some("messages"),
    ),
    (
        "character outside the vocabulary",
        "POST",
        "/v1/chat/completions",
        r#"{"model":"MODEL","messages":[{"role":"user","content":"héllo"}]}"#,
        400,
        Some("messages"),
    ),
    ("completions without prompt", "POST", "/v1/completions", r#"{"model":"MODEL"}"#, 400, Some("prompt")),
    (
        "completions top logprobs",
        "POST",
        "/v1/completions",
        r#"{"model":"MODEL","prompt":"1","logprobs":5}"#,
        400,
        Some("logprobs"),
    ),
    ("wrong method", "GET", "/v1/chat/completions", "", 405, None),
    ("unknown path", "POST", "/v1/embeddings", "{}", 404, None),
];
