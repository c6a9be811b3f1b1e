//! `deepthink bench --serve`: the server measured on loopback, every figure beside its reference
//! in the same run (these machines are noisy).
//!
//! 1. **Load**: `clients` concurrent streaming clients for `duration` on a random-weight model of
//!    14M parameters (one SSE event per generated token, `ignore_eos` so every reply runs its
//!    full length): errors, aggregate generated tokens/s as a ratio to the engine's own batched
//!    decode of as many sequences (`deepthink_model::bench::decode_seconds`), p50/p99 time to
//!    first token and total latency; then one client at a time, for the batching speed-up.
//! 2. **Overload**: 4× the queue at once (503s for the excess, nothing crashes), then 100 clients
//!    that leave mid-stream; `/metrics` must return to idle and `/health` answer.
//! 3. **Malformed requests**: every case of [`crate::malformed`], with the status and message.
//! 4. **Remote backend**: majority@8 on held-out problems through a second server vs the local
//!    model, same seeds: answers compared, wall-clock overhead.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use deepthink_model::config::{ModelConfig, ModelShape};
use deepthink_model::{ChatTokenizer, Checkpoint, Model};
use serde_json::{json, Value};

use crate::engine::EngineConfig;
use crate::state::AppState;

pub struct ServeBench {
    pub duration: Duration,
    pub clients: usize,
    pub max_tokens: usize,
    /// Held-out problems for the remote-backend comparison.
    pub problems: usize,
    pub seed: u64,
}

/// A random-weight model of about 14M parameters with deepthink's character-level tokenizer.
pub fn load_model(seed: u64) -> Result<(Model, ChatTokenizer), String> {
    let tok = ChatTokenizer::char_level().map_err(|e| e.to_string())?;
    let shape = ModelShape {
        d_model: 384,
        n_layers: 6,
        n_heads: 6,
        n_kv_heads: 2,
        ffn_dim: 1536,
        max_seq_len: 512,
        tie_embeddings: true,
        qkv_bias: false,
    };
    let cfg = ModelConfig::from_shape(&shape, tok.vocab_size()).map_err(|e| e.to_string())?;
    Ok((Model::new_random(cfg, seed), tok))
}

/// Start a server over `state` on a free loopback port; its base URL (`…/v1`).
async fn start(state: AppState) -> Result<String, String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let app = crate::router::router(Arc::new(state));
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{addr}/v1"))
}

fn state_over(model: Model, tok: ChatTokenizer, name: &str, cfg: EngineConfig) -> AppState {
    let ck = Checkpoint { model, tokenizer: tok, provenance: None, dir: std::path::PathBuf::from(name) };
    crate::serve::local_state(ck, name.to_string(), cfg)
}

/// One streamed reply: (time to first token, total, completion tokens, SSE token events).
async fn stream_once(client: &reqwest::Client, base: &str, body: &Value) -> Result<(f64, f64, usize, usize), String> {
    let t0 = Instant::now();
    let mut resp =
        client.post(format!("{base}/chat/completions")).json(body).send().await.map_err(|e| e.to_string())?;
    if !resp.status().is_success() {
        return Err(format!("status {}", resp.status()));
    }
    let (mut ttft, mut events, mut tokens, mut buf) = (None, 0, 0, String::new());
    while let Some(chunk) = resp.chunk().await.map_err(|e| e.to_string())? {
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(cut) = buf.find("\n\n") {
            let event: String = buf.drain(..cut + 2).collect();
            let Some(data) = event.trim().strip_prefix("data: ") else { continue };
            if data == "[DONE]" {
                continue;
            }
            let v: Value = serde_json::from_str(data).map_err(|e| e.to_string())?;
            if let Some(n) = v["usage"]["completion_tokens"].as_u64() {
                tokens = n as usize;
            }
            let d = &v["choices"][0]["delta"];
            if d["reasoning_content"].is_string() || d["content"].as_str().is_some_and(|c| !c.is_empty()) {
                events += 1;
                ttft.get_or_insert_with(|| t0.elapsed().as_secs_f64());
            }
        }
    }
    Ok((ttft.unwrap_or(f64::NAN), t0.elapsed().as_secs_f64(), tokens, events))
}

#[derive(Default)]
struct Load {
    requests: usize,
    errors: usize,
    tokens: usize,
    events: usize,
    elapsed: f64,
    ttft: Vec<f64>,
    latency: Vec<f64>,
}

fn percentile(v: &[f64], p: f64) -> f64 {
    let mut v: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[((p * (v.len() - 1) as f64).round() as usize).min(v.len() - 1)]
}

/// `clients` clients streaming back to back until `duration` is over.
async fn load(base: &str, clients: usize, duration: Duration, max_tokens: usize) -> Load {
    let client = reqwest::Client::new();
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (client, base) = (client.clone(), base.to_string());
        tasks.push(tokio::spawn(async move {
            let mut out = Load::default();
            let mut k = 0u64;
            while t0.elapsed() < duration {
                let body = json!({"model": "bench", "messages": [{"role": "user", "content": "123*456"}], "stream": true,
                    "stream_options": {"include_usage": true}, "max_tokens": max_tokens, "ignore_eos": true,
                    "temperature": 1.0, "seed": (c as u64) << 20 | k});
                k += 1;
                out.requests += 1;
                match stream_once(&client, &base, &body).await {
                    Ok((ttft, total, tokens, events)) => {
                        out.ttft.push(ttft);
                        out.latency.push(total);
                        out.tokens += tokens;
                        out.events += events;
                    }
                    Err(_) => out.errors += 1,
                }
            }
            out
        }));
    }
    let mut all = Load::default();
    for t in tasks {
        if let Ok(l) = t.await {
            all.requests += l.requests;
            all.errors += l.errors;
            all.tokens += l.tokens;
            all.events += l.events;
            all.ttft.extend(l.ttft);
            all.latency.extend(l.latency);
        }
    }
    all.elapsed = t0.elapsed().as_secs_f64();
    all
}

async fn metrics(client: &reqwest::Client, base: &str) -> String {
    let root = base.trim_end_matches("/v1");
    match client.get(format!("{root}/metrics")).send().await {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(e) => format!("unreachable: {e}"),
    }
}

fn gauge(m: &str, name: &str) -> Option<u64> {
    m.lines().find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
}

/// Poll `/metrics` until nothing is queued or in flight; seconds it took, or `None` after 60 s.
async fn until_idle(client: &reqwest::Client, base: &str) -> Option<f64> {
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_secs(60) {
        let m = metrics(client, base).await;
        if gauge(&m, "deepthink_sequences_in_flight ") == Some(0) && gauge(&m, "deepthink_queue_depth ") == Some(0) {
            return Some(t0.elapsed().as_secs_f64());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

async fn healthy(client: &reqwest::Client, base: &str) -> bool {
    let root = base.trim_end_matches("/v1");
    matches!(client.get(format!("{root}/health")).send().await, Ok(r) if r.status().is_success())
}

/// Run every part; the report as Markdown.
pub fn run(b: &ServeBench, default_model: Checkpoint, log: &mut dyn FnMut(&str)) -> Result<String, String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let mut report = String::new();
    let (model, tok) = load_model(b.seed)?;
    let params = model.n_params();
    // The engine's own batched decode of as many sequences, in this process, before the load.
    log("engine baseline: batched decode");
    let engine_s =
        deepthink_model::bench::decode_seconds(&model, b.clients, b.max_tokens, 2).map_err(|e| e.to_string())?;
    let engine_tps = (b.clients * b.max_tokens) as f64 / engine_s;
    rt.block_on(async {
        let client = reqwest::Client::new();
        let cfg = EngineConfig { slots: b.clients, queue: 4 * b.clients, ..EngineConfig::default() };
        let base = start(state_over(model, tok.clone(), "bench", cfg)).await?;
        log(&format!("load: {} streaming clients for {:?}", b.clients, b.duration));
        let many = load(&base, b.clients, b.duration, b.max_tokens).await;
        log("load: one client at a time");
        let one = load(&base, 1, b.duration / 3, b.max_tokens).await;
        let (tps_many, tps_one) = (many.tokens as f64 / many.elapsed, one.tokens as f64 / one.elapsed);
        let _ = writeln!(report, "## Load: {} concurrent streaming clients, {:.0} s ({:.1}M-parameter random model, {} tokens a reply)\n", b.clients, many.elapsed, params as f64 / 1e6, b.max_tokens);
        let _ = writeln!(report, "| | requests | errors | tokens/s | vs engine batched decode | TTFT p50 / p99 | latency p50 / p99 | SSE token events / tokens |");
        let _ = writeln!(report, "|---|---|---|---|---|---|---|---|");
        for (name, l, tps) in [(format!("{} clients", b.clients), &many, tps_many), ("1 client at a time".into(), &one, tps_one)] {
            let _ = writeln!(report, "| {name} | {} | {} | {tps:.0} | {:.0}% | {:.3} / {:.3} s | {:.2} / {:.2} s | {} / {} |",
                l.requests, l.errors, 100.0 * tps / engine_tps, percentile(&l.ttft, 0.5), percentile(&l.ttft, 0.99),
                percentile(&l.latency, 0.5), percentile(&l.latency, 0.99), l.events, l.tokens);
        }
        let _ = writeln!(report, "\nEngine batched decode of {} sequences × {} tokens, same process: {engine_tps:.0} tokens/s. Continuous batching speed-up over one at a time: {:.1}×. Tokens are counted from each reply's `usage`; every token that adds text is its own SSE event (special tokens and think tags add none, hence fewer events than tokens).\n", b.clients, b.max_tokens, tps_many / tps_one);

        // Overload: 4× the queue at once.
        log("overload: 4x the queue at once");
        let (slots, queue) = (8, 16);
        let (m2, t2) = load_model(b.seed + 1)?;
        let cfg = EngineConfig { slots, queue, ..EngineConfig::default() };
        let over = start(state_over(m2, t2, "bench", cfg)).await?;
        let mut tasks = Vec::new();
        for i in 0..4 * (queue + slots) {
            let (client, over) = (client.clone(), over.clone());
            tasks.push(tokio::spawn(async move {
                let body = json!({"model": "bench", "messages": [{"role": "user", "content": "1+1"}], "max_tokens": 32,
                    "ignore_eos": true, "temperature": 1.0, "seed": i});
                match client.post(format!("{over}/chat/completions")).json(&body).send().await {
                    Ok(r) => (r.status().as_u16(), r.headers().contains_key("retry-after")),
                    Err(_) => (0, false),
                }
            }));
        }
        let (mut ok, mut busy, mut retry_after, mut other) = (0, 0, 0, 0);
        for t in tasks {
            match t.await.unwrap_or((0, false)) {
                (200, _) => ok += 1,
                (503, ra) => {
                    busy += 1;
                    retry_after += usize::from(ra);
                }
                _ => other += 1,
            }
        }
        let idle = until_idle(&client, &over).await;
        let _ = writeln!(report, "## Overload and disconnects\n");
        let _ = writeln!(report, "- {} requests at once against {slots} slots + a queue of {queue}: {ok} answered, {busy} refused with 503 ({retry_after} with `Retry-After`), {other} other; idle again after {}; `/health` {}.",
            4 * (queue + slots), idle.map_or("never (60 s)".into(), |s| format!("{s:.2} s")), if healthy(&client, &over).await { "ok" } else { "FAILED" });
        // 100 clients that leave mid-stream, on the load server (its queue holds them all).
        log("disconnects: 100 clients leave mid-stream");
        let before = metrics(&client, &base).await;
        let mut tasks = Vec::new();
        for i in 0..100 {
            let (client, over) = (client.clone(), base.clone());
            tasks.push(tokio::spawn(async move {
                let body = json!({"model": "bench", "messages": [{"role": "user", "content": "1+1"}], "stream": true,
                    "max_tokens": 400, "ignore_eos": true, "temperature": 1.0, "seed": i});
                if let Ok(mut r) = client.post(format!("{over}/chat/completions")).json(&body).send().await {
                    let _ = r.chunk().await; // the first event, then away
                }
            }));
        }
        for t in tasks {
            let _ = t.await;
        }
        let idle = until_idle(&client, &base).await;
        let m = metrics(&client, &base).await;
        let count = |m: &str, name: &str| gauge(m, name).unwrap_or(0);
        let cancelled = count(&m, "deepthink_cancelled_sequences_total ") - count(&before, "deepthink_cancelled_sequences_total ");
        let generated = count(&m, "deepthink_generated_tokens_total ") - count(&before, "deepthink_generated_tokens_total ");
        let _ = writeln!(report, "- 100 streaming clients (400-token replies) that leave after their first event, against {} slots: idle again after {}, {cancelled} sequences cancelled, {generated} tokens generated for them in all (of 40,000 asked); `/health` {}.\n",
            b.clients, idle.map_or("never (60 s)".into(), |s| format!("{s:.2} s")), if healthy(&client, &base).await { "ok" } else { "FAILED" });

        // Malformed requests.
        log("malformed requests");
        let _ = writeln!(report, "## Malformed requests\n\n| request | status | message |\n|---|---|---|");
        let root = over.trim_end_matches("/v1");
        for &(what, method, path, template, _, _) in crate::malformed::CASES {
            let body = crate::malformed::body(template, "bench");
            let url = format!("{root}{path}");
            let req = if method == "GET" { client.get(&url) } else { client.post(&url).header("content-type", "application/json").body(body) };
            let (status, msg) = match req.send().await {
                Ok(r) => {
                    let s = r.status().as_u16();
                    let v: Value = r.json().await.unwrap_or(Value::Null);
                    (s, v["error"]["message"].as_str().unwrap_or("").to_string())
                }
                Err(e) => (0, e.to_string()),
            };
            let _ = writeln!(report, "| {what} | {status} | {} |", msg.replace('|', "\\|"));
        }
        let huge = format!("{{\"model\":\"bench\",\"messages\":[{{\"role\":\"user\",\"content\":\"{}\"}}]}}", "1".repeat(2 << 20));
        if let Ok(r) = client.post(format!("{over}/chat/completions")).body(huge).send().await {
            let s = r.status().as_u16();
            let v: Value = r.json().await.unwrap_or(Value::Null);
            let _ = writeln!(report, "| body over 1 MiB | {s} | {} |", v["error"]["message"].as_str().unwrap_or(""));
        }
        Ok::<(), String>(())
    })?;

    // Remote backend: majority@8 through a second server, against local, same seeds.
    log(&format!("remote backend: majority@8 on {} problems, local then through a server", b.problems));
    let _ = writeln!(report, "\n{}", remote_vs_local(&rt, b, default_model)?);
    Ok(report)
}

fn remote_vs_local(rt: &tokio::runtime::Runtime, b: &ServeBench, ck: Checkpoint) -> Result<String, String> {
    use deepthink_eval::Evaluation;
    use deepthink_search::{by_name, Budget, LocalGenerator, RemoteConfig, RemoteGenerator, StrategyOptions};
    let trained =
        deepthink_train::TrainedOn::from_provenance(ck.provenance.as_ref()).ok_or("the default model names no task")?;
    let task = trained.task().map_err(|e| e.to_string())?;
    let problems = deepthink_tasks::held_out_problems(task.as_ref(), b.problems, b.seed);
    let options = StrategyOptions { seed: b.seed, prompt: trained.prompt, ..StrategyOptions::default() };
    let strategy = by_name("majority", &options, None).map_err(|e| e.to_string())?;
    let budget = Budget { samples: 8, max_new_tokens: 256 };
    let run = |gen: &dyn deepthink_search::Generator| -> Result<(Vec<Option<String>>, f64, f64), String> {
        let t0 = Instant::now();
        let eval =
            Evaluation { task: task.as_ref(), strategy: strategy.as_ref(), gen, budget, chunk: 8, verifier: None };
        let (report, preds) = eval.run(&problems, &mut |_, _| {}).map_err(|e| e.to_string())?;
        Ok((preds.into_iter().map(|p| p.answer).collect(), report.overall.accuracy, t0.elapsed().as_secs_f64()))
    };
    let local = run(&LocalGenerator::new(&ck.model, &ck.tokenizer))?;
    let (tok, cfg) = (ck.tokenizer.clone(), ck.model.cfg.clone());
    let state = crate::serve::local_state(ck, "default".into(), EngineConfig::default());
    let base = rt.block_on(start(state))?;
    // This thread is outside the runtime (the server runs on its workers), so a blocking
    // client may live here.
    let remote = {
        let g = RemoteGenerator::new(RemoteConfig::new(base.as_str(), "default"))
            .map_err(|e| e.to_string())?
            .with_tokenizer(tok)
            .with_model_config(cfg);
        run(&g)?
    };
    let same = local.0.iter().zip(&remote.0).filter(|(a, b)| a == b).count();
    Ok(format!(
        "## Remote backend\n\nmajority@8 on {} held-out problems, seed {}: local {:.1}% in {:.2} s; through `--backend` (a second deepthink server, loopback) {:.1}% in {:.2} s — the same answer on {same} of {} problems; wall-clock overhead {:.0}%.\n",
        problems.len(), b.seed, 100.0 * local.1, local.2, 100.0 * remote.1, remote.2, problems.len(), 100.0 * (remote.2 / local.2 - 1.0)
    ))
}
