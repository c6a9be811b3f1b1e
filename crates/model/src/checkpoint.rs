//! Checkpoints as Hugging Face model directories: `config.json`, `model.safetensors`,
//! `tokenizer.json`, `tokenizer_config.json`, `generation_config.json`, plus `deepthink.json`
//! (provenance: code version, training config, seed, step, metrics).
//! `transformers.AutoModelForCausalLM.from_pretrained(dir)` loads what this writes.
//!
//! Saving is crash-safe: the directory is built beside the target and swapped in by renames,
//! so a `kill -9` at any moment leaves the previous checkpoint or the new one. Loading checks
//! every tensor's presence, shape and dtype against `config.json` and names the one at fault.

use std::path::{Path, PathBuf};

use safetensors::tensor::{Dtype, SafeTensors, TensorView};

use crate::config::ModelConfig;
use crate::dtype::WeightDtype;
use crate::error::ModelError;
use crate::fsutil::write_atomic;
use crate::model::Model;
use crate::params::Layout;
use crate::tokenizer::ChatTokenizer;

/// A loaded checkpoint.
pub struct Checkpoint {
    pub model: Model,
    pub tokenizer: ChatTokenizer,
    /// `deepthink.json`, when the checkpoint has one.
    pub provenance: Option<serde_json::Value>,
    /// The directory actually read (the `.old` copy after an interrupted swap).
    pub dir: PathBuf,
}

fn ck(path: &Path, msg: impl Into<String>) -> ModelError {
    ModelError::Checkpoint { path: path.to_path_buf(), msg: msg.into() }
}

fn sibling(dir: &Path, suffix: &str) -> PathBuf {
    let mut s = dir.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Serialise named `f32` tensors to safetensors bytes.
pub fn safetensors_bytes(tensors: &[(String, Vec<usize>, &[f32])]) -> Result<Vec<u8>, ModelError> {
    let bytes: Vec<Vec<u8>> =
        tensors.iter().map(|(_, _, d)| d.iter().flat_map(|x| x.to_le_bytes()).collect()).collect();
    let mut views = Vec::with_capacity(tensors.len());
    for ((name, shape, _), b) in tensors.iter().zip(&bytes) {
        let view = TensorView::new(Dtype::F32, shape.clone(), b)
            .map_err(|e| ModelError::Tensor { name: name.clone(), msg: e.to_string() })?;
        views.push((name.clone(), view));
    }
    safetensors::serialize(views, None).map_err(|e| ModelError::Tensor { name: "<file>".into(), msg: e.to_string() })
}

/// The model's weights as safetensors bytes (a tied `lm_head` is not written, as in `transformers`).
pub fn model_safetensors(model: &Model) -> Result<Vec<u8>, ModelError> {
    model.require_f32("saving a checkpoint")?;
    let tensors: Vec<(String, Vec<usize>, &[f32])> = model
        .layout
        .entries
        .iter()
        .map(|e| (e.name.clone(), e.shape.clone(), &model.params[e.range.clone()]))
        .collect();
    safetensors_bytes(&tensors)
}

/// Write a checkpoint directory atomically (see the module doc).
/// `extra` files (optimizer state, trainer state) are written inside the same atomic swap, so a
/// resumed run always finds weights and optimizer state from the same step.
pub fn save_checkpoint(
    dir: &Path,
    model: &Model,
    tok: &ChatTokenizer,
    provenance: &serde_json::Value,
    extra: &[(&str, Vec<u8>)],
) -> Result<(), ModelError> {
    if dir.exists() && !dir.join("config.json").exists() && std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some())
    {
        return Err(ck(dir, "exists and is not a checkpoint; refusing to replace it"));
    }
    let partial = sibling(dir, ".partial");
    if partial.exists() {
        std::fs::remove_dir_all(&partial).map_err(|e| ModelError::io(&partial, e))?;
    }
    std::fs::create_dir_all(&partial).map_err(|e| ModelError::io(&partial, e))?;
    let json = |v: &serde_json::Value| serde_json::to_vec_pretty(v).map_err(|e| ck(dir, e.to_string()));
    write_atomic(&partial.join("config.json"), &json(&model.cfg.to_hf_json())?)?;
    write_atomic(&partial.join("model.safetensors"), &model_safetensors(model)?)?;
    let eos = match tok.stop_ids() {
        [one] => serde_json::json!(one),
        many => serde_json::json!(many),
    };
    let gen = serde_json::json!({"eos_token_id": eos, "pad_token_id": tok.eos_id(), "do_sample": false});
    write_atomic(&partial.join("generation_config.json"), &json(&gen)?)?;
    write_atomic(&partial.join("deepthink.json"), &json(provenance)?)?;
    tok.save(&partial)?;
    for (name, bytes) in extra {
        write_atomic(&partial.join(name), bytes)?;
    }
    swap_in(&partial, dir)
}

/// Replace `dir` by `partial` with renames only.
fn swap_in(partial: &Path, dir: &Path) -> Result<(), ModelError> {
    let old = sibling(dir, ".old");
    if dir.exists() {
        if old.exists() {
            std::fs::remove_dir_all(&old).map_err(|e| ModelError::io(&old, e))?;
        }
        std::fs::rename(dir, &old).map_err(|e| ModelError::io(dir, e))?;
    }
    std::fs::rename(partial, dir).map_err(|e| ModelError::io(dir, e))?;
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(|e| ModelError::io(&old, e))?;
    }
    Ok(())
}

/// The directory to read (public so trainers find their extra files the same way): `dir`, or the `.old` copy a crash mid-swap left behind.
pub fn readable_dir(dir: &Path) -> Result<PathBuf, ModelError> {
    if dir.join("config.json").exists() {
        return Ok(dir.to_path_buf());
    }
    let old = sibling(dir, ".old");
    if old.join("config.json").exists() {
        return Ok(old);
    }
    Err(ck(dir, "not a checkpoint directory (no config.json)"))
}

/// Load a checkpoint directory written by deepthink or by `transformers` (`save_pretrained`).
pub fn load_checkpoint(dir: &Path) -> Result<Checkpoint, ModelError> {
    load_checkpoint_as(dir, WeightDtype::F32)
}

/// [`load_checkpoint`], holding the weights as `dtype` (each tensor converted as it is read, so a
/// BF16 load never holds an `f32` copy).
pub fn load_checkpoint_as(dir: &Path, dtype: WeightDtype) -> Result<Checkpoint, ModelError> {
    let dir = readable_dir(dir)?;
    let dir = dir.as_path();
    let read = |name: &str| std::fs::read(dir.join(name)).map_err(|e| ModelError::io(dir.join(name), e));
    let text = |name: &str| String::from_utf8(read(name)?).map_err(|e| ck(&dir.join(name), e.to_string()));
    let provenance = std::fs::read_to_string(dir.join("deepthink.json")).ok();
    let generation_config = std::fs::read_to_string(dir.join("generation_config.json")).ok();
    let shards = weight_files(dir)?;
    let weights: Vec<(PathBuf, &[u8])> = shards.iter().map(|(p, b)| (p.clone(), &b[..])).collect();
    let files = CheckpointFiles {
        config: &text("config.json")?,
        weights: &weights,
        tokenizer: &read("tokenizer.json")?,
        tokenizer_config: &crate::tokenizer::tokenizer_config_text(dir)?,
        generation_config: generation_config.as_deref(),
        provenance: provenance.as_deref(),
    };
    Checkpoint::from_files_as(&files, dir, dtype)
}

/// The contents of a checkpoint's files, wherever they came from (disk, or bytes compiled into
/// the binary).
pub struct CheckpointFiles<'a> {
    pub config: &'a str,
    /// The weight files and their bytes: `model.safetensors`, or every shard.
    pub weights: &'a [(PathBuf, &'a [u8])],
    pub tokenizer: &'a [u8],
    pub tokenizer_config: &'a str,
    /// `generation_config.json`, when there is one: its `eos_token_id` (one id or a list) adds
    /// stop tokens.
    pub generation_config: Option<&'a str>,
    pub provenance: Option<&'a str>,
}

/// Every id of an `eos_token_id` field (a number or a list of numbers) in a JSON text.
fn eos_ids(text: &str) -> Vec<u32> {
    let v: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    match &v["eos_token_id"] {
        serde_json::Value::Number(n) => n.as_u64().map(|x| vec![x as u32]).unwrap_or_default(),
        serde_json::Value::Array(a) => a.iter().filter_map(|x| x.as_u64()).map(|x| x as u32).collect(),
        _ => Vec::new(),
    }
}

impl Checkpoint {
    /// Parse and check a checkpoint's files; `dir` names their origin in errors.
    pub fn from_files(files: &CheckpointFiles, dir: &Path) -> Result<Checkpoint, ModelError> {
        Self::from_files_as(files, dir, WeightDtype::F32)
    }

    /// [`Checkpoint::from_files`], holding the weights as `dtype`.
    pub fn from_files_as(files: &CheckpointFiles, dir: &Path, dtype: WeightDtype) -> Result<Checkpoint, ModelError> {
        let cfg_path = dir.join("config.json");
        let cfg = ModelConfig::from_json_str(files.config).map_err(|e| ck(&cfg_path, e.to_string()))?;
        let model = weights_from_shards_as(files.weights, cfg, dtype)?;
        let tokenizer = ChatTokenizer::from_bytes(files.tokenizer, files.tokenizer_config, dir)?
            .with_stop_ids(&eos_ids(files.config), &cfg_path.display().to_string())?;
        let tokenizer = match files.generation_config {
            Some(text) => {
                let path = dir.join("generation_config.json");
                tokenizer.with_stop_ids(&eos_ids(text), &path.display().to_string())?
            }
            None => tokenizer,
        };
        if tokenizer.vocab_size() > model.cfg.vocab_size {
            return Err(ck(
                dir,
                format!(
                    "tokenizer has {} tokens but config.json `vocab_size` is {}",
                    tokenizer.vocab_size(),
                    model.cfg.vocab_size
                ),
            ));
        }
        let prov_path = dir.join("deepthink.json");
        let provenance = match files.provenance {
            Some(t) => Some(serde_json::from_str(t).map_err(|e| ck(&prov_path, e.to_string()))?),
            None => None,
        };
        Ok(Checkpoint { model, tokenizer, provenance, dir: dir.to_path_buf() })
    }
}

/// Read `model.safetensors` into a model of shape `cfg`.
pub fn load_weights(path: &Path, cfg: ModelConfig) -> Result<Model, ModelError> {
    let bytes = std::fs::read(path).map_err(|e| ModelError::io(path, e))?;
    weights_from_bytes(&bytes, path, cfg)
}

/// Parse safetensors bytes into a model of shape `cfg`; `path` names their origin in errors.
pub fn weights_from_bytes(bytes: &[u8], path: &Path, cfg: ModelConfig) -> Result<Model, ModelError> {
    weights_from_shards(&[(path.to_path_buf(), bytes)], cfg)
}

/// Parse one or several safetensors files (the shards `model.safetensors.index.json` lists) into
/// a model of shape `cfg`; each tensor is read from whichever shard holds it.
pub fn weights_from_shards(shards: &[(PathBuf, &[u8])], cfg: ModelConfig) -> Result<Model, ModelError> {
    weights_from_shards_as(shards, cfg, WeightDtype::F32)
}

/// [`weights_from_shards`], holding the weights as `dtype`.
pub fn weights_from_shards_as(
    shards: &[(PathBuf, &[u8])],
    cfg: ModelConfig,
    dtype: WeightDtype,
) -> Result<Model, ModelError> {
    let mut parsed = Vec::with_capacity(shards.len());
    for (path, bytes) in shards {
        let st = SafeTensors::deserialize(bytes).map_err(|e| ck(path, format!("not a valid safetensors file: {e}")))?;
        parsed.push((path, st));
    }
    let layout = Layout::new(&cfg);
    let mut params = match dtype {
        WeightDtype::F32 => Params::F32(vec![0.0f32; layout.total()]),
        WeightDtype::Bf16 => Params::Bf16(vec![half::bf16::ZERO; layout.total()]),
    };
    for e in &layout.entries {
        let found = parsed.iter().find_map(|(path, st)| st.tensor(&e.name).ok().map(|v| (path, v)));
        let Some((path, view)) = found else {
            let at = shards.first().map_or_else(PathBuf::new, |s| s.0.clone());
            let shards = if shards.len() > 1 { format!(" in any of {} shards", shards.len()) } else { String::new() };
            return Err(ck(&at, format!("tensor `{}` is missing{shards}", e.name)));
        };
        if view.shape() != e.shape.as_slice() {
            return Err(ck(
                path,
                format!("tensor `{}` has shape {:?}, but config.json implies {:?}", e.name, view.shape(), e.shape),
            ));
        }
        let read = match &mut params {
            Params::F32(p) => read_tensor(&mut p[e.range.clone()], &view),
            Params::Bf16(p) => read_tensor(&mut p[e.range.clone()], &view),
        };
        read.map_err(|m| ck(path, format!("tensor `{}`: {m}", e.name)))?;
    }
    match params {
        Params::F32(p) => Model::from_params(cfg, p),
        Params::Bf16(p) => Model::from_bf16(cfg, p),
    }
}

enum Params {
    F32(Vec<f32>),
    Bf16(Vec<half::bf16>),
}

/// The weight files of checkpoint `dir`: `model.safetensors`, or every shard that
/// `model.safetensors.index.json`'s `weight_map` names (each once, in order of first mention).
///
/// The files are memory-mapped, not read: a real checkpoint's weights are gigabytes, and a copy
/// would double the load's peak memory.
pub fn weight_files(dir: &Path) -> Result<Vec<(PathBuf, memmap2::Mmap)>, ModelError> {
    let single = dir.join("model.safetensors");
    let index = dir.join("model.safetensors.index.json");
    if single.exists() || !index.exists() {
        return Ok(vec![(single.clone(), map_file(&single)?)]);
    }
    let text = std::fs::read_to_string(&index).map_err(|e| ModelError::io(&index, e))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| ck(&index, e.to_string()))?;
    let map = v.get("weight_map").and_then(|m| m.as_object()).ok_or_else(|| ck(&index, "no `weight_map` object"))?;
    let mut names: Vec<&str> = Vec::new();
    for (tensor, file) in map {
        let file = file.as_str().ok_or_else(|| ck(&index, format!("weight_map[{tensor:?}] is not a file name")))?;
        if file.contains('/') || file.contains("..") {
            return Err(ck(&index, format!("weight_map[{tensor:?}] = {file:?} is not a file in the checkpoint")));
        }
        if !names.contains(&file) {
            names.push(file);
        }
    }
    names
        .into_iter()
        .map(|f| {
            let path = dir.join(f);
            map_file(&path).map(|m| (path, m))
        })
        .collect()
}

/// Map `path` read-only.
fn map_file(path: &Path) -> Result<memmap2::Mmap, ModelError> {
    let file = std::fs::File::open(path).map_err(|e| ModelError::io(path, e))?;
    // SAFETY: the map is read-only and lives only while the weights are parsed; as in every
    // loader that maps checkpoints (candle, safetensors' own), a file truncated by another
    // process meanwhile is outside what this can guard against.
    unsafe { memmap2::MmapOptions::new().populate().map(&file) }.map_err(|e| ModelError::io(path, e))
}

/// A type weights can be read into from any of the file dtypes.
trait FromFile: Copy {
    fn from_f32(v: f32) -> Self;
    fn from_bf16(v: half::bf16) -> Self;
}

impl FromFile for f32 {
    fn from_f32(v: f32) -> Self {
        v
    }
    fn from_bf16(v: half::bf16) -> Self {
        v.to_f32()
    }
}

impl FromFile for half::bf16 {
    fn from_f32(v: f32) -> Self {
        half::bf16::from_f32(v)
    }
    fn from_bf16(v: half::bf16) -> Self {
        v
    }
}

/// Convert a tensor's bytes into `out`, in parallel chunks (a real checkpoint is billions of
/// values: converting the 1.78 B of a 1.5B model on one thread took most of its 11 s load).
fn read_tensor<T: FromFile + Send>(out: &mut [T], view: &TensorView) -> Result<(), String> {
    use rayon::prelude::*;
    const CHUNK: usize = 1 << 16;
    let data = view.data();
    let width = match view.dtype() {
        Dtype::F32 => 4,
        Dtype::BF16 | Dtype::F16 => 2,
        other => return Err(format!("dtype {other:?} is not supported (F32, BF16, F16 are)")),
    };
    let dtype = view.dtype();
    out.par_chunks_mut(CHUNK).zip(data.par_chunks(CHUNK * width)).for_each(|(out, data)| match dtype {
        Dtype::F32 => {
            for (o, b) in out.iter_mut().zip(data.chunks_exact(4)) {
                *o = T::from_f32(f32::from_le_bytes([b[0], b[1], b[2], b[3]]));
            }
        }
        Dtype::BF16 => {
            for (o, b) in out.iter_mut().zip(data.chunks_exact(2)) {
                *o = T::from_bf16(half::bf16::from_le_bytes([b[0], b[1]]));
            }
        }
        _ => {
            for (o, b) in out.iter_mut().zip(data.chunks_exact(2)) {
                *o = T::from_f32(half::f16::from_le_bytes([b[0], b[1]]).to_f32());
            }
        }
    });
    Ok(())
}
