//! The default model, compiled into the binary (2.9 MB), so `deepthink ask` answers wherever
//! the binary goes. `models/default` in the repository is its source; `DEEPTHINK_MODEL` or
//! `--model` choose another.

use std::path::{Path, PathBuf};

use deepthink_model::checkpoint::CheckpointFiles;
use deepthink_model::Checkpoint;

/// What `--json` and errors call the embedded model.
pub const NAME: &str = "embedded:models/default";

pub fn load() -> anyhow::Result<Checkpoint> {
    let files = CheckpointFiles {
        config: include_str!("../../models/default/config.json"),
        weights: &[(PathBuf::from("model.safetensors"), include_bytes!("../../models/default/model.safetensors"))],
        tokenizer: include_bytes!("../../models/default/tokenizer.json"),
        tokenizer_config: include_str!("../../models/default/tokenizer_config.json"),
        generation_config: Some(include_str!("../../models/default/generation_config.json")),
        provenance: Some(include_str!("../../models/default/deepthink.json")),
    };
    Ok(Checkpoint::from_files(&files, Path::new(NAME))?)
}
