//! The server through its router, without a socket: every malformed request gets OpenAI's error
//! JSON naming the field; replies split reasoning from the answer (no tags in `content`, a reply
//! cut off while thinking is all reasoning); `reasoning_tokens` is exact and a thinking budget is
//! met exactly; streaming sends the role, then reasoning, then content; effort levels and the
//! `deepthink` extension run strategies.

mod common;

use common::{call, chat, state, tokenizer, MODEL};
use deepthink_server::malformed::{body, CASES};
use deepthink_server::EngineConfig;
use serde_json::json;

#[tokio::test]
async fn every_malformed_request_gets_the_error_json_naming_its_field() {
    let s = state(EngineConfig::default());
    for &(what, method, path, template, status, param) in CASES {
        let r = call(&s, method, path, body(template, MODEL)).await;
        assert_eq!(r.status, status, "{what}: {}", r.text);
        let e = &r.json()["error"];
        assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{what}: {}", r.text);
        assert!(e["type"].is_string(), "{what}: {}", r.text);
        if let Some(param) = param {
            assert_eq!(e["param"], param, "{what}: {}", r.text);
        }
    }
    assert!(CASES.len() >= 20);
    let huge = format!(
        "{{\"model\":\"{MODEL}\",\"messages\":[{{\"role\":\"user\",\"content\":\"{}\"}}]}}",
        "1".repeat(2 << 20)
    );
    let r = call(&s, "POST", "/v1/chat/completions", huge).await;
    assert_eq!(r.status, 413, "{}", r.text);
    assert_eq!(r.json()["error"]["code"], "request_too_large");
}

#[tokio::test]
async fn a_reply_carries_reasoning_under_both_names_and_the_answer_alone() {
    let s = state(EngineConfig::default());
    let r = chat(&s, json!({"temperature": 0})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    let m = &v["choices"][0]["message"];
    assert_eq!(m["content"], "56088");
    assert_eq!(m["reasoning_content"], m["reasoning"]);
    let reasoning = m["reasoning"].as_str().unwrap();
    assert!(!reasoning.contains("think>") && !m["content"].as_str().unwrap().contains("think>"));
    let counted = tokenizer().encode(reasoning).unwrap().len();
    assert_eq!(v["usage"]["completion_tokens_details"]["reasoning_tokens"], counted, "{reasoning:?}");
    assert_eq!(v["choices"][0]["finish_reason"], "stop");
    assert_eq!(v["object"], "chat.completion");
}

#[tokio::test]
async fn a_thinking_budget_is_met_exactly_and_a_cut_off_reply_is_all_reasoning() {
    let s = state(EngineConfig::default());
    for (name, budget) in [("thinking_token_budget", 7), ("thinking_budget_tokens", 12)] {
        let v = chat(&s, json!({"temperature": 0, name: budget})).await.json();
        let reasoning = v["choices"][0]["message"]["reasoning"].as_str().unwrap().to_string();
        assert_eq!(tokenizer().encode(&reasoning).unwrap().len(), budget, "{name}: {reasoning:?}");
        assert_eq!(v["usage"]["completion_tokens_details"]["reasoning_tokens"], budget);
        assert!(
            !v["choices"][0]["message"]["content"].as_str().unwrap().is_empty(),
            "the model answers after </think>"
        );
    }
    let v = chat(&s, json!({"temperature": 0, "max_tokens": 9})).await.json();
    let c = &v["choices"][0];
    assert_eq!(c["finish_reason"], "length");
    assert_eq!(c["message"]["content"], "");
    assert_eq!(tokenizer().encode(c["message"]["reasoning"].as_str().unwrap()).unwrap().len(), 9);
    let hidden = chat(&s, json!({"temperature": 0, "include_reasoning": false})).await.json();
    assert!(hidden["choices"][0]["message"]["reasoning"].is_null());
    assert_eq!(hidden["usage"]["completion_tokens_details"]["reasoning_tokens"], 28);
}

#[tokio::test]
async fn a_minimum_keeps_the_model_thinking() {
    let s = state(EngineConfig::default());
    let v = chat(&s, json!({"temperature": 0, "min_thinking_tokens": 40, "max_tokens": 120})).await.json();
    let n = v["usage"]["completion_tokens_details"]["reasoning_tokens"].as_u64().unwrap();
    assert!(n >= 40, "{v}");
    assert!(v["choices"][0]["message"]["reasoning"].as_str().unwrap().contains("wait"), "{v}");
}

#[tokio::test]
async fn streaming_sends_the_role_then_reasoning_then_content_without_tags() {
    let s = state(EngineConfig::default());
    let r = chat(&s, json!({"temperature": 0, "stream": true, "stream_options": {"include_usage": true}})).await;
    assert_eq!(r.status, 200);
    let events = r.events();
    assert_eq!(events.last().map(String::as_str), Some("[DONE]"));
    let chunks: Vec<serde_json::Value> =
        events[..events.len() - 1].iter().map(|e| serde_json::from_str(e).unwrap()).collect();
    assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
    let (mut reasoning, mut content, mut seen_content) = (String::new(), String::new(), false);
    for c in &chunks[1..] {
        let Some(d) = c["choices"].get(0).map(|c| &c["delta"]) else { continue };
        if let Some(r) = d["reasoning_content"].as_str() {
            assert!(!seen_content, "reasoning after content");
            assert_eq!(d["reasoning"], r);
            reasoning.push_str(r);
        }
        if let Some(t) = d["content"].as_str() {
            seen_content = true;
            content.push_str(t);
        }
    }
    assert_eq!(content, "56088");
    assert_eq!(reasoning, "8370\n5160\n2940\n88860\n880650\n");
    let usage = &chunks.last().unwrap()["usage"];
    assert_eq!(usage["completion_tokens_details"]["reasoning_tokens"], 28);
}

#[tokio::test]
async fn n_choices_thinking_off_and_stop_strings() {
    let s = state(EngineConfig::default());
    let v = chat(&s, json!({"n": 3, "temperature": 1.0, "seed": 5})).await.json();
    assert_eq!(v["choices"].as_array().unwrap().len(), 3);
    let again = chat(&s, json!({"n": 3, "temperature": 1.0, "seed": 5})).await.json();
    assert_eq!(v["choices"], again["choices"], "a seed makes a request reproducible");
    for off in [json!({"reasoning_effort": "none"}), json!({"chat_template_kwargs": {"enable_thinking": false}})] {
        let v = chat(&s, off).await.json();
        assert_eq!(v["choices"][0]["message"]["reasoning"], "", "{v}");
        assert_eq!(v["usage"]["completion_tokens_details"]["reasoning_tokens"], 0);
    }
    let v = chat(&s, json!({"temperature": 0, "stop": ["\n"]})).await.json();
    assert_eq!(v["choices"][0]["finish_reason"], "stop");
    assert_eq!(v["choices"][0]["message"]["reasoning"], "8370", "{v}");
}

#[tokio::test]
async fn effort_levels_and_the_extension_pick_strategies_and_report_their_cost() {
    let s = state(EngineConfig::default());
    for effort in ["minimal", "low", "medium", "high"] {
        let v = chat(&s, json!({"reasoning_effort": effort})).await.json();
        assert_eq!(v["choices"][0]["message"]["content"], "56088", "{effort}: {v}");
        if matches!(effort, "medium" | "high") {
            let cost = &v["deepthink"];
            assert!(cost["samples"].as_u64().unwrap() >= 2, "{effort}: {v}");
            assert!(cost["flops"].as_f64().unwrap() > 0.0);
            assert_eq!(cost["strategy"], if effort == "medium" { "adaptive-majority" } else { "majority" });
        }
    }
    let v = chat(&s, json!({"deepthink": {"strategy": "majority", "samples": 5}})).await.json();
    assert_eq!(v["deepthink"]["samples"], 5);
    assert_eq!(v["usage"]["completion_tokens"], v["deepthink"]["generated_tokens"]);
    let plain =
        chat(&s, json!({"messages": [{"role": "user", "content": "hello"}], "deepthink": {"strategy": "greedy"}}))
            .await;
    assert_eq!(plain.status, 200, "greedy needs no answer key: {}", plain.text);
}

#[tokio::test]
async fn raw_completions_return_log_probabilities() {
    let s = state(EngineConfig::default());
    let r = call(&s, "POST", "/v1/completions", json!({"model": MODEL, "prompt": "<|user|>12*34<|assistant|><think>\n", "max_tokens": 5, "temperature": 0, "logprobs": 0}).to_string()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    let c = &v["choices"][0];
    assert_eq!(c["text"], "840\n6");
    let lps = c["logprobs"]["token_logprobs"].as_array().unwrap();
    assert_eq!(lps.len(), 5);
    assert!(lps.iter().all(|l| l.as_f64().unwrap() <= 0.0));
    assert_eq!(v["usage"]["completion_tokens_details"]["reasoning_tokens"], 5);
}

#[tokio::test]
async fn models_health_and_metrics() {
    let s = state(EngineConfig::default());
    let v = call(&s, "GET", "/v1/models", "").await.json();
    assert_eq!(v["data"][0]["id"], MODEL);
    assert_eq!(call(&s, "GET", "/health", "").await.json()["status"], "ok");
    chat(&s, json!({"temperature": 0})).await;
    let m = call(&s, "GET", "/metrics", "").await.text;
    assert!(m.contains("deepthink_requests_total{endpoint=\"/v1/chat/completions\",status=\"200\"} 1"), "{m}");
    assert!(m.contains("deepthink_sequences_in_flight 0") && m.contains("deepthink_queue_depth 0"), "{m}");
    assert!(m.contains("deepthink_generated_tokens_total 37"), "{m}");
}
