//! `--backend URL`: run strategies against any OpenAI-compatible server (vLLM, llama.cpp,
//! Ollama, another `deepthink serve`) instead of the local model — shared by `eval`, `serve`
//! and `chat`.

use clap::Args;
use deepthink_model::{ChatTokenizer, ModelConfig};
use deepthink_search::{RemoteConfig, RemoteGenerator};

#[derive(Args, Clone, Debug, Default)]
pub struct BackendArgs {
    /// An OpenAI-compatible API root, e.g. http://127.0.0.1:8000/v1: generation goes there.
    /// Step-level strategies (beam, dvts, mcts) continue partial reasoning through its
    /// /v1/completions, with prompts rendered by --model's chat template.
    #[arg(long, value_name = "URL")]
    pub backend: Option<String>,
    /// The backend's model name (default: the first one its /v1/models lists).
    #[arg(long, value_name = "NAME")]
    pub backend_model: Option<String>,
    /// Read the backend's API key from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub api_key_env: Option<String>,
    /// Requests in flight to the backend at once.
    #[arg(long, default_value_t = 16)]
    pub backend_concurrency: usize,
}

impl BackendArgs {
    /// The remote generator, if --backend was given; `tok` and `cfg` describe the model behind
    /// it when known (token counts, step-level prompts, FLOPs).
    pub fn generator(
        &self,
        tok: Option<ChatTokenizer>,
        cfg: Option<ModelConfig>,
    ) -> anyhow::Result<Option<RemoteGenerator>> {
        let Some(url) = &self.backend else { return Ok(None) };
        let mut rc = RemoteConfig::new(url.as_str(), self.backend_model.clone().unwrap_or_default());
        rc.concurrency = self.backend_concurrency.max(1);
        if let Some(var) = &self.api_key_env {
            let key =
                std::env::var(var).map_err(|_| anyhow::anyhow!("--api-key-env {var}: the variable is not set"))?;
            rc.api_key = Some(key);
        }
        let probe = RemoteGenerator::new(rc.clone())?;
        if rc.model.is_empty() {
            let models = probe.models().map_err(|e| anyhow::anyhow!("--backend {url}: {e}"))?;
            rc.model = models.into_iter().next().ok_or_else(|| {
                anyhow::anyhow!("--backend {url}: its /v1/models lists no model; pass --backend-model")
            })?;
        }
        let mut g = RemoteGenerator::new(rc)?;
        if let Some(tok) = tok {
            g = g.with_tokenizer(tok);
        }
        if let Some(cfg) = cfg {
            g = g.with_model_config(cfg);
        }
        Ok(Some(g))
    }
}
