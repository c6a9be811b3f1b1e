//! deepthink's OpenAI-compatible server (`deepthink serve`): reasoning models reached the way
//! every client expects — the `openai` SDK, LangChain, a chat UI — with the conventions DeepSeek,
//! vLLM, llama.cpp and Ollama have settled on for reasoning, and every deepthink search strategy
//! behind the same endpoint.
//!
//! - [`engine`]: the thread that owns the model and batches every live sequence into each decode
//!   step (continuous batching); a bounded queue in front of it.
//! - [`wire`]: request bodies read field by field; [`api_error`]: OpenAI's error JSON.
//! - [`dispatch`]: where a chat request goes; [`chat`], [`completions`]: one completion per
//!   choice on the engine; [`reply`]: the reply's pieces; [`detok`]: text as tokens arrive.
//! - [`effort`], [`strategy_path`], [`engine_generator`]: `reasoning_effort` and the `deepthink`
//!   extension mapped onto search strategies, run over the engine.
//! - [`router`]: the routes, `GET /v1/models`, `/health`, `/metrics`, and the fallbacks that
//!   keep every error in OpenAI's shape.
//!
//! Handlers parse wire types into domain requests and send them to the engine with a reply
//! channel; wire types never reach model code (the design's rule).

pub mod api_error;
pub mod chat;
pub mod completions;
pub mod detok;
pub mod dispatch;
pub mod effort;
pub mod engine;
pub mod engine_generator;
pub mod load_bench;
pub mod malformed;
pub mod metrics;
pub mod reply;
pub mod router;
pub mod serve;
pub mod state;
pub mod strategy_path;
pub mod wire;

pub use api_error::ApiError;
pub use engine::{EngineConfig, EngineHandle};
pub use metrics::Metrics;
pub use router::router;
pub use state::{AppState, Backend, ServedTask};
