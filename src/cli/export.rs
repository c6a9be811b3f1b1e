//! `deepthink export --gguf FILE`: a checkpoint as one GGUF file for llama.cpp and Ollama
//! (`model::gguf`).

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use deepthink_model::gguf::{write_gguf, GgufDtype};

#[derive(Args)]
pub struct ExportArgs {
    /// The checkpoint to export (default: $DEEPTHINK_MODEL, else the embedded default model).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Write this GGUF file (llama.cpp: `llama-cli -m FILE`; Ollama: `FROM ./FILE` in a Modelfile).
    /// Needs a byte-level BPE tokenizer (`deepthink train tokenizer`, `train sft --tokenizer DIR`).
    #[arg(long)]
    pub gguf: PathBuf,
    /// Element type of the weight matrices (norm gains and biases stay f32).
    #[arg(long, default_value = "f32", value_parser = ["f32", "f16", "bf16"])]
    pub dtype: String,
}

pub fn run(a: ExportArgs) -> anyhow::Result<()> {
    let (name, ck) = super::load_model(&a.model)?;
    let dtype = match a.dtype.as_str() {
        "f16" => GgufDtype::F16,
        "bf16" => GgufDtype::BF16,
        _ => GgufDtype::F32,
    };
    write_gguf(&a.gguf, &ck.model, &ck.tokenizer, dtype).with_context(|| format!("exporting {name}"))?;
    let bytes = std::fs::metadata(&a.gguf).map(|m| m.len()).unwrap_or(0);
    eprintln!("wrote {} ({:.1} MB, {})", a.gguf.display(), bytes as f64 / 1e6, a.dtype);
    Ok(())
}
