//! Checkpoints that a training run resumes from, shared by every trainer: the model and tokenizer
//! (a Hugging Face directory), the optimizer state, and the trainer's own state — whose `config`
//! must equal the new run's, so a changed run is refused instead of silently resumed.

use std::path::{Path, PathBuf};

use deepthink_model::checkpoint::readable_dir;
use deepthink_model::{load_checkpoint, save_checkpoint, ChatTokenizer, Model};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::TrainError;
use crate::optim::{AdamW, AdamWConfig};

/// Create `run_dir` and return its checkpoint directory; with `restart`, remove the checkpoint and
/// the `.old` copy an interrupted save can leave (which `readable_dir` would otherwise resume from).
pub fn prepare_run_dir(run_dir: &Path, restart: bool) -> Result<PathBuf, TrainError> {
    let ck_dir = run_dir.join("checkpoint");
    std::fs::create_dir_all(run_dir).map_err(|e| TrainError::io(run_dir, e))?;
    if restart {
        for dir in [ck_dir.clone(), ck_dir.with_extension("old")] {
            if dir.exists() {
                std::fs::remove_dir_all(&dir).map_err(|e| TrainError::io(&dir, e))?;
            }
        }
    }
    Ok(ck_dir)
}

/// A trainer's resumable state.
pub trait RunState: Serialize + DeserializeOwned {
    type Config: PartialEq;
    fn config(&self) -> &Self::Config;
    fn step(&self) -> u64;
}

/// Model, tokenizer, optimizer and state of a checkpoint to resume.
pub type Resumed<S> = (Model, ChatTokenizer, AdamW, S);

/// The checkpoint in `ck_dir`, if there is one; an error if it was made with another config.
pub fn try_resume<S: RunState>(
    ck_dir: &Path,
    cfg: &S::Config,
    adamw: &AdamWConfig,
) -> Result<Option<Resumed<S>>, TrainError> {
    let Ok(dir) = readable_dir(ck_dir) else { return Ok(None) };
    let state_path = dir.join("trainer_state.json");
    let text = std::fs::read_to_string(&state_path).map_err(|e| TrainError::io(&state_path, e))?;
    let state: S =
        serde_json::from_str(&text).map_err(|e| TrainError::Resume { path: state_path.clone(), msg: e.to_string() })?;
    if state.config() != cfg {
        return Err(TrainError::Resume {
            path: state_path,
            msg: "this run was started with a different configuration; pass --restart to start over or choose another --run".into(),
        });
    }
    let ck = load_checkpoint(&dir)?;
    let mut opt = AdamW::for_training(adamw.clone(), &ck.model.layout)?;
    let opt_path = dir.join("optimizer.safetensors");
    let bytes = std::fs::read(&opt_path).map_err(|e| TrainError::io(&opt_path, e))?;
    opt.load_bytes(&bytes).map_err(|msg| TrainError::Resume { path: opt_path, msg })?;
    eprintln!("resuming from step {} ({})", state.step(), dir.display());
    Ok(Some((ck.model, ck.tokenizer, opt, state)))
}

/// Save a resumable checkpoint atomically; `provenance` goes into `deepthink.json`.
pub fn save_run<S: RunState>(
    ck_dir: &Path,
    model: &Model,
    tok: &ChatTokenizer,
    opt: &AdamW,
    state: &S,
    provenance: &serde_json::Value,
) -> Result<(), TrainError> {
    let st = serde_json::to_vec_pretty(state).map_err(|e| TrainError::Config(e.to_string()))?;
    save_checkpoint(
        ck_dir,
        model,
        tok,
        provenance,
        &[("optimizer.safetensors", opt.to_bytes()?), ("trainer_state.json", st)],
    )?;
    Ok(())
}
