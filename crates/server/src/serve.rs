//! Starting a server: the state over a loaded checkpoint (or a remote backend), and the HTTP
//! loop on a tokio runtime, until Ctrl-C.

use std::net::SocketAddr;
use std::sync::Arc;

use deepthink_model::Checkpoint;
use deepthink_train::TrainedOn;

use crate::engine::{EngineConfig, EngineHandle};
use crate::metrics::Metrics;
use crate::state::{AppState, Backend, ServedTask};

/// The state for serving `ck` under `name`: an engine over its weights, and the task its
/// provenance names (questions of that task get the prompt style it was trained with).
pub fn local_state(ck: Checkpoint, name: String, cfg: EngineConfig) -> AppState {
    let metrics = Arc::new(Metrics::default());
    let task = TrainedOn::from_provenance(ck.provenance.as_ref())
        .and_then(|t| t.task().ok().map(|task| ServedTask { task, prompt: t.prompt }));
    let model = Arc::new(ck.model);
    let tokenizer = Arc::new(ck.tokenizer);
    let engine = EngineHandle::start(Arc::clone(&model), tokenizer.stop_ids().to_vec(), cfg, Arc::clone(&metrics));
    let mut state = AppState::new(Backend::Local { engine, tokenizer, model }, name, metrics);
    state.task = task;
    state
}

/// Serve `state` on `addr` until Ctrl-C; `ready` is called with the bound address (port 0
/// picks a free one).
pub fn run(state: AppState, addr: SocketAddr, workers: usize, ready: impl FnOnce(SocketAddr)) -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(workers.max(1)).enable_all().build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        ready(listener.local_addr()?);
        let app = crate::router::router(Arc::new(state));
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    })
}
