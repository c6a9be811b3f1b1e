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
    /// Read questions as this task (default: the one the model was trained on, from its
    /// provenance; needed by strategies behind a --backend, whose model deepthink cannot read).
    #[arg(long)]
    pub task: Option<String>,
    #[command(flatten)]
    pub remote: super::backend_args::BackendArgs,
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

/// The state for `--backend`: strategies over the remote server; `--model`, when given, lends
/// its tokenizer, template and task.
fn remote_state(a: &ServeArgs) -> anyhow::Result<(String, deepthink_server::AppState)> {
    let ck = a.model.as_ref().map(|_| super::load_model_as(&a.model, a.dtype)).transpose()?.map(|(_, ck)| ck);
    let task = ck.as_ref().and_then(|ck| deepthink_train::TrainedOn::from_provenance(ck.provenance.as_ref()));
    let gen = a
        .remote
        .generator(ck.as_ref().map(|c| c.tokenizer.clone()), ck.as_ref().map(|c| c.model.cfg.clone()))?
        .ok_or_else(|| anyhow::anyhow!("no --backend"))?;
    let name = a.served_model_name.clone().unwrap_or_else(|| gen.model_name().to_string());
    let metrics = Arc::new(deepthink_server::Metrics::default());
    let mut state = deepthink_server::AppState::new(deepthink_server::Backend::Remote(Arc::new(gen)), name, metrics);
    state.task = task.and_then(|t| t.task().ok().map(|task| deepthink_server::ServedTask { task, prompt: t.prompt }));
    let url = a.remote.backend.clone().unwrap_or_default();
    Ok((format!("backend {url}"), state))
}

pub fn run(a: ServeArgs) -> anyhow::Result<()> {
    let (loaded, mut state, name) = if a.remote.backend.is_some() {
        let (loaded, state) = remote_state(&a)?;
        let name = state.model_name.clone();
        (loaded, state, name)
    } else {
        let (loaded, ck) = super::load_model_as(&a.model, a.dtype)?;
        let name = served_name(&a, &loaded);
        let cfg = EngineConfig { slots: a.slots, queue: a.queue, ..EngineConfig::default() };
        (loaded, deepthink_server::serve::local_state(ck, name.clone(), cfg), name)
    };
    if let Some(t) = &a.task {
        let task = deepthink_tasks::task_by_name(t, &deepthink_tasks::TaskConfig::default())?;
        state.task = Some(deepthink_server::ServedTask { task, prompt: deepthink_tasks::PromptStyle::Plain });
    }
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
