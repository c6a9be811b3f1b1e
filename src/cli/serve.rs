//! `deepthink serve`: the OpenAI-compatible server (crate `deepthink-server`) over a checkpoint.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use deepthink_server::EngineConfig;

#[derive(Args)]
pub struct ServeArgs {
    /// Checkpoint directory (default: $DEEPTHINK_MODEL, else the default model built into the binary).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// How to hold the weights: f32, or bf16 (half the memory).
    #[arg(long, default_value = "f32")]
    pub dtype: deepthink_model::WeightDtype,
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// The name clients send as `model` (default: the checkpoint directory's name, or
    /// `default` for the built-in model).
    #[arg(long)]
    pub served_model_name: Option<String>,
    /// Sequences decoded together (continuous batching: requests join at the next step).
    #[arg(long, default_value_t = 32)]
    pub slots: usize,
    /// Sequences that may wait for a slot; beyond that, requests get 503 with Retry-After.
    #[arg(long, default_value_t = 128)]
    pub queue: usize,
    /// Longest a request may take, queueing included (seconds).
    #[arg(long, default_value_t = 600)]
    pub timeout: u64,
    /// Verifier for `reasoning_effort: high` and verifier strategies: a checkpoint from
    /// `deepthink train verifier`, `oracle`, or `confidence:MODEL`.
    #[arg(long)]
    pub verifier: Option<String>,
}

fn served_name(a: &ServeArgs, loaded: &str) -> String {
    if let Some(n) = &a.served_model_name {
        return n.clone();
    }
    if loaded == super::embedded::NAME {
        return "default".into();
    }
    PathBuf::from(loaded).file_name().map_or_else(|| loaded.to_string(), |n| n.to_string_lossy().into_owned())
}

pub fn run(a: ServeArgs) -> anyhow::Result<()> {
    let (loaded, ck) = super::load_model_as(&a.model, a.dtype)?;
    let name = served_name(&a, &loaded);
    let cfg = EngineConfig { slots: a.slots, queue: a.queue };
    let mut state = deepthink_server::serve::local_state(ck, name.clone(), cfg);
    state.timeout = std::time::Duration::from_secs(a.timeout);
    if let Some(spec) = &a.verifier {
        state.scorer = Some(Arc::from(deepthink_search::load_scorer(spec)?));
    }
    let addr: SocketAddr = format!("{}:{}", a.host, a.port)
        .parse()
        .map_err(|e| anyhow::anyhow!("--host {} --port {}: not an address ({e})", a.host, a.port))?;
    let task = state.task.as_ref().map_or("none".to_string(), |t| t.task.name().to_string());
    deepthink_server::serve::run(state, addr, 2, |bound| {
        eprintln!("deepthink serve: http://{bound}/v1 — model `{name}` ({loaded}, task {task}); Ctrl-C stops");
    })?;
    Ok(())
}
