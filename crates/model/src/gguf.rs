//! GGUF export, so a model trained here runs in llama.cpp and Ollama: the GGUF v3 container as
//! llama.cpp's `gguf` Python package writes it (little-endian; key–value metadata; tensor infos
//! with dimensions innermost-first; each tensor's data aligned to 32 bytes), with the metadata
//! keys and tensor names llama.cpp's loader reads (`convert_hf_to_gguf.py`'s mapping) for the
//! `llama`, `qwen2` and `qwen3` architectures and a byte-level BPE tokenizer (`gpt2` model with
//! GPT-2's, Qwen2's or Llama 3's pre-tokenizer split; vocabulary rows past the tokenizer padded as
//! `[PADn]`), chat template included.
//!
//! As llama.cpp's converter does, the q/k projections of a `llama` model are permuted from
//! Hugging Face's rotate-half RoPE layout to llama.cpp's interleaved one (Qwen models use
//! llama.cpp's NEOX RoPE and keep theirs), and 1-D tensors (norm gains, biases) stay F32 in
//! F16/BF16 files. Llama 3 RoPE scaling becomes the `rope_freqs.weight` tensor llama.cpp reads.
//! Refused, with the reason: character-level tokenizers (llama.cpp's BPE reads byte-level
//! vocabularies) and models held in BF16 (export from an F32 load). Written by hand: no
//! maintained Rust crate writes GGUF.

use std::borrow::Cow;
use std::path::Path;

use crate::config::Architecture;
use crate::error::ModelError;
use crate::fsutil::write_atomic;
use crate::model::Model;
use crate::tokenizer::ChatTokenizer;

/// The element type of the exported matrices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GgufDtype {
    F32,
    F16,
    BF16,
}

impl GgufDtype {
    fn tensor_type(self) -> u32 {
        match self {
            GgufDtype::F32 => 0,
            GgufDtype::F16 => 1,
            GgufDtype::BF16 => 30,
        }
    }
    fn file_type(self) -> u32 {
        match self {
            GgufDtype::F32 => 0,
            GgufDtype::F16 => 1,
            GgufDtype::BF16 => 32,
        }
    }
}

const ALIGNMENT: usize = 32;

fn err(msg: impl Into<String>) -> ModelError {
    ModelError::Tokenizer(format!("GGUF export: {}", msg.into()))
}

/// A metadata value.
enum Val {
    U32(u32),
    F32(f32),
    Bool(bool),
    Str(String),
    Strs(Vec<String>),
    I32s(Vec<i32>),
}

#[derive(Default)]
struct Buf(Vec<u8>);

impl Buf {
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn kv(&mut self, key: &str, v: &Val) {
        self.str(key);
        match v {
            Val::U32(x) => {
                self.u32(4);
                self.u32(*x);
            }
            Val::F32(x) => {
                self.u32(6);
                self.0.extend_from_slice(&x.to_le_bytes());
            }
            Val::Bool(b) => {
                self.u32(7);
                self.0.push(u8::from(*b));
            }
            Val::Str(s) => {
                self.u32(8);
                self.str(s);
            }
            Val::Strs(items) => {
                self.u32(9);
                self.u32(8);
                self.u64(items.len() as u64);
                for s in items {
                    self.str(s);
                }
            }
            Val::I32s(items) => {
                self.u32(9);
                self.u32(5);
                self.u64(items.len() as u64);
                for x in items {
                    self.0.extend_from_slice(&x.to_le_bytes());
                }
            }
        }
    }
    fn pad(&mut self) {
        while !self.0.len().is_multiple_of(ALIGNMENT) {
            self.0.push(0);
        }
    }
}

/// Qwen2's and Qwen3's pre-tokenizer split (their `tokenizer.json`): digits one by one.
const QWEN2_SPLIT: &str =
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
/// Llama 3's: digits in groups of up to three.
const LLAMA3_SPLIT: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// llama.cpp's name (`tokenizer.ggml.pre`) for a byte-level pre-tokenizer: GPT-2's own
/// (`ByteLevel` splitting by its regex), or a `Split` by Qwen2's or Llama 3's pattern before a
/// `ByteLevel` that does not split again. `None` for anything else.
fn pre_tokenizer_name(pre: &serde_json::Value) -> Option<&'static str> {
    if pre["type"] == "ByteLevel" {
        return (pre["use_regex"] != false).then_some("gpt-2");
    }
    let parts = pre["pretokenizers"].as_array().filter(|_| pre["type"] == "Sequence")?;
    let [split, byte_level] = parts.as_slice() else { return None };
    if split["type"] != "Split" || byte_level["type"] != "ByteLevel" || byte_level["use_regex"] == true {
        return None;
    }
    match split["pattern"]["Regex"].as_str()? {
        QWEN2_SPLIT => Some("qwen2"),
        LLAMA3_SPLIT => Some("llama-bpe"),
        _ => None,
    }
}

/// The byte-level BPE vocabulary (by id), token types and merges llama.cpp's `gpt2` model reads,
/// for a model of `n_vocab` rows. Rows no token names (Qwen pads its 151,665 tokens to 151,936
/// rows) get `[PAD{id}]` of type unused, as llama.cpp's `convert_hf_to_gguf.py` writes them.
fn tokenizer_metadata(tok: &ChatTokenizer, n_vocab: usize) -> Result<Vec<(String, Val)>, ModelError> {
    let json: serde_json::Value = serde_json::from_str(&tok.inner().to_string(false).map_err(|e| err(e.to_string()))?)
        .map_err(|e| err(e.to_string()))?;
    let model = &json["model"];
    let pre = pre_tokenizer_name(&json["pre_tokenizer"]);
    if model["type"] != "BPE" || pre.is_none() || model["merges"].as_array().is_none_or(|m| m.is_empty()) {
        return Err(err(
            "needs a byte-level BPE tokenizer — GPT-2's, Qwen2's or Llama 3's split (train one with `deepthink train tokenizer`); this model's is not",
        ));
    }
    let n = tok.vocab_size().max(n_vocab);
    let mut tokens = vec![String::new(); n];
    let mut types = vec![1i32; n];
    for (text, id) in model["vocab"].as_object().into_iter().flatten() {
        if let Some(slot) = id.as_u64().and_then(|i| tokens.get_mut(i as usize)) {
            *slot = text.clone();
        }
    }
    for added in json["added_tokens"].as_array().into_iter().flatten() {
        let (Some(id), Some(text)) = (added["id"].as_u64(), added["content"].as_str()) else { continue };
        if let Some(slot) = tokens.get_mut(id as usize) {
            *slot = text.to_string();
            types[id as usize] = if added["special"] == true { 3 } else { 4 };
        }
    }
    if let Some(id) = tokens[..tok.vocab_size()].iter().position(String::is_empty) {
        return Err(err(format!("token id {id} has no text in tokenizer.json")));
    }
    for (id, (t, ty)) in tokens.iter_mut().zip(&mut types).enumerate().skip(tok.vocab_size()) {
        *t = format!("[PAD{id}]");
        *ty = 5;
    }
    let merges: Vec<String> = model["merges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| match m {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Array(pair) => Some(format!("{} {}", pair.first()?.as_str()?, pair.get(1)?.as_str()?)),
            _ => None,
        })
        .collect();
    let mut out = vec![
        ("tokenizer.ggml.model".into(), Val::Str("gpt2".into())),
        ("tokenizer.ggml.pre".into(), Val::Str(pre.unwrap_or("gpt-2").into())),
        ("tokenizer.ggml.tokens".into(), Val::Strs(tokens)),
        ("tokenizer.ggml.token_type".into(), Val::I32s(types)),
        ("tokenizer.ggml.merges".into(), Val::Strs(merges)),
        ("tokenizer.ggml.eos_token_id".into(), Val::U32(tok.eos_id())),
        ("tokenizer.ggml.padding_token_id".into(), Val::U32(tok.eos_id())),
        ("tokenizer.ggml.add_bos_token".into(), Val::Bool(false)),
        ("tokenizer.chat_template".into(), Val::Str(tok.template().to_string())),
    ];
    if let Some(id) = tok.bos_token().and_then(|b| tok.token_id(b)) {
        out.push(("tokenizer.ggml.bos_token_id".into(), Val::U32(id)));
    }
    Ok(out)
}

/// Hugging Face's rotate-half q/k rows to llama.cpp's interleaved order (`convert_hf_to_gguf`'s
/// `permute`): within each head, row `j·hd/2 + i` moves to `2·i + j`.
fn interleave_heads(w: &[f32], heads: usize, cols: usize) -> Vec<f32> {
    let hd = w.len() / cols / heads;
    let mut out = vec![0.0; w.len()];
    for h in 0..heads {
        for j in 0..2 {
            for i in 0..hd / 2 {
                let from = (h * hd + j * (hd / 2) + i) * cols;
                let to = (h * hd + 2 * i + j) * cols;
                out[to..to + cols].copy_from_slice(&w[from..from + cols]);
            }
        }
    }
    out
}

/// Write `model` and `tok` as one GGUF file at `path` (atomically), matrices as `dtype`.
pub fn write_gguf(path: &Path, model: &Model, tok: &ChatTokenizer, dtype: GgufDtype) -> Result<(), ModelError> {
    model.require_f32("GGUF export")?;
    let c = &model.cfg;
    let arch = match c.arch {
        Architecture::Llama => "llama",
        Architecture::Qwen2 => "qwen2",
        Architecture::Qwen3 => "qwen3",
    };
    let mut meta: Vec<(String, Val)> = vec![
        ("general.architecture".into(), Val::Str(arch.into())),
        ("general.name".into(), Val::Str("deepthink".into())),
        ("general.alignment".into(), Val::U32(ALIGNMENT as u32)),
        ("general.file_type".into(), Val::U32(dtype.file_type())),
    ];
    let a = |k: &str| format!("{arch}.{k}");
    meta.extend([
        (a("context_length"), Val::U32(c.max_seq_len as u32)),
        (a("embedding_length"), Val::U32(c.d_model as u32)),
        (a("block_count"), Val::U32(c.n_layers as u32)),
        (a("feed_forward_length"), Val::U32(c.ffn_dim as u32)),
        (a("attention.head_count"), Val::U32(c.n_heads as u32)),
        (a("attention.head_count_kv"), Val::U32(c.n_kv_heads as u32)),
        (a("attention.key_length"), Val::U32(c.head_dim as u32)),
        (a("attention.value_length"), Val::U32(c.head_dim as u32)),
        (a("attention.layer_norm_rms_epsilon"), Val::F32(c.rms_eps)),
        (a("rope.freq_base"), Val::F32(c.rope_theta)),
        (a("rope.dimension_count"), Val::U32(c.head_dim as u32)),
        (a("vocab_size"), Val::U32(c.vocab_size as u32)),
    ]);
    meta.extend(tokenizer_metadata(tok, c.vocab_size)?);

    let freq_factors = c.rope_scaling.as_ref().map(|s| rope_freq_factors(s, c.head_dim, c.rope_theta as f64));
    let mut head = Buf::default();
    head.0.extend_from_slice(b"GGUF");
    head.u32(3);
    head.u64((model.layout.entries.len() + usize::from(freq_factors.is_some())) as u64);
    head.u64(meta.len() as u64);
    for (k, v) in &meta {
        head.kv(k, v);
    }
    // One GGUF tensor per checkpoint tensor: its info in `head`, its values in `data` (read from
    // the model's buffer; only a `llama` model's q/k matrices are copied, to be permuted).
    let mut data = Buf::default();
    for e in &model.layout.entries {
        let name = gguf_name(&e.name).ok_or_else(|| err(format!("no GGUF name for tensor `{}`", e.name)))?;
        let values = &model.params[e.range.clone()];
        let permuted = c.arch == Architecture::Llama && e.shape.len() == 2;
        let values = if permuted && name.ends_with("attn_q.weight") {
            Cow::Owned(interleave_heads(values, c.n_heads, e.shape[1]))
        } else if permuted && name.ends_with("attn_k.weight") {
            Cow::Owned(interleave_heads(values, c.n_kv_heads, e.shape[1]))
        } else {
            Cow::Borrowed(values)
        };
        let ty = if e.shape.len() == 1 { GgufDtype::F32 } else { dtype };
        head.str(&name);
        head.u32(e.shape.len() as u32);
        for &d in e.shape.iter().rev() {
            head.u64(d as u64);
        }
        head.u32(ty.tensor_type());
        head.u64(data.0.len() as u64);
        for &x in values.iter() {
            match ty {
                GgufDtype::F32 => data.0.extend_from_slice(&x.to_le_bytes()),
                GgufDtype::F16 => data.0.extend_from_slice(&half::f16::from_f32(x).to_le_bytes()),
                GgufDtype::BF16 => data.0.extend_from_slice(&half::bf16::from_f32(x).to_le_bytes()),
            }
        }
        data.pad();
    }
    if let Some(factors) = freq_factors {
        head.str("rope_freqs.weight");
        head.u32(1);
        head.u64(factors.len() as u64);
        head.u32(GgufDtype::F32.tensor_type());
        head.u64(data.0.len() as u64);
        for x in factors {
            data.0.extend_from_slice(&x.to_le_bytes());
        }
        data.pad();
    }
    head.pad();
    let mut bytes = head.0;
    bytes.extend_from_slice(&data.0);
    write_atomic(path, &bytes)
}

/// Llama 3 RoPE scaling as llama.cpp takes it: a `rope_freqs.weight` tensor of `head_dim / 2`
/// factors that each unscaled frequency is divided by (`convert_hf_to_gguf.py` writes the same).
fn rope_freq_factors(s: &crate::rope_scaling::RopeScaling, head_dim: usize, theta: f64) -> Vec<f32> {
    (0..head_dim / 2)
        .map(|i| {
            let inv = theta.powf(-((2 * i) as f64) / head_dim as f64);
            (inv / s.scale(inv)) as f32
        })
        .collect()
}

/// llama.cpp's name for a Hugging Face tensor name.
fn gguf_name(hf: &str) -> Option<String> {
    let fixed = match hf {
        "model.embed_tokens.weight" => Some("token_embd.weight"),
        "model.norm.weight" => Some("output_norm.weight"),
        "lm_head.weight" => Some("output.weight"),
        _ => None,
    };
    if let Some(f) = fixed {
        return Some(f.to_string());
    }
    let rest = hf.strip_prefix("model.layers.")?;
    let (layer, tail) = rest.split_once('.')?;
    let part = match tail {
        "input_layernorm.weight" => "attn_norm.weight",
        "post_attention_layernorm.weight" => "ffn_norm.weight",
        "self_attn.q_proj.weight" => "attn_q.weight",
        "self_attn.k_proj.weight" => "attn_k.weight",
        "self_attn.v_proj.weight" => "attn_v.weight",
        "self_attn.q_proj.bias" => "attn_q.bias",
        "self_attn.k_proj.bias" => "attn_k.bias",
        "self_attn.v_proj.bias" => "attn_v.bias",
        "self_attn.o_proj.weight" => "attn_output.weight",
        "self_attn.q_norm.weight" => "attn_q_norm.weight",
        "self_attn.k_norm.weight" => "attn_k_norm.weight",
        "mlp.gate_proj.weight" => "ffn_gate.weight",
        "mlp.up_proj.weight" => "ffn_up.weight",
        "mlp.down_proj.weight" => "ffn_down.weight",
        _ => return None,
    };
    Some(format!("blk.{layer}.{part}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn llama_q_rows_interleave_the_two_halves_of_each_head() {
        // 1 head, head_dim 4, 1 column: rows [a0 a1 | b0 b1] -> [a0 b0 a1 b1]
        assert_eq!(interleave_heads(&[0.0, 1.0, 2.0, 3.0], 1, 1), vec![0.0, 2.0, 1.0, 3.0]);
        assert_eq!(gguf_name("model.layers.3.self_attn.q_norm.weight").as_deref(), Some("blk.3.attn_q_norm.weight"));
        assert_eq!(gguf_name("model.layers.0.mlp.rotary.weight"), None);
    }

    #[test]
    fn llama3_frequency_factors_are_one_for_short_wavelengths_and_factor_for_long_ones() {
        let s = crate::rope_scaling::RopeScaling::Llama3 {
            factor: 32.0,
            low_freq_factor: 1.0,
            high_freq_factor: 4.0,
            original_max_position_embeddings: 8192.0,
        };
        let f = rope_freq_factors(&s, 64, 500000.0);
        assert_eq!(f.len(), 32);
        assert_eq!(f[0], 1.0, "the fastest rotation is kept");
        assert!((f[31] - 32.0).abs() < 1e-4, "the slowest is divided by the factor: {}", f[31]);
        assert!(f.windows(2).all(|w| w[0] <= w[1] + 1e-6), "non-decreasing: {f:?}");
        assert!(f.iter().any(|&x| x > 1.0 && x < 32.0), "some blended: {f:?}");
    }

    #[test]
    fn pre_tokenizers_map_to_llama_cpps_names() {
        let split = |pattern: &str| {
            serde_json::json!({"type": "Sequence", "pretokenizers": [
                {"type": "Split", "pattern": {"Regex": pattern}, "behavior": "Isolated", "invert": false},
                {"type": "ByteLevel", "add_prefix_space": false, "use_regex": false}]})
        };
        assert_eq!(pre_tokenizer_name(&split(QWEN2_SPLIT)), Some("qwen2"));
        assert_eq!(pre_tokenizer_name(&split(LLAMA3_SPLIT)), Some("llama-bpe"));
        assert_eq!(pre_tokenizer_name(&split(r"\p{N}")), None, "an unknown split would tokenize differently");
        assert_eq!(pre_tokenizer_name(&serde_json::json!({"type": "ByteLevel", "use_regex": true})), Some("gpt-2"));
        assert_eq!(pre_tokenizer_name(&serde_json::json!({"type": "ByteLevel", "use_regex": false})), None);
        assert_eq!(pre_tokenizer_name(&serde_json::json!({"type": "Whitespace"})), None);
        // The committed Qwen-style tokenizer carries Qwen2's pattern exactly.
        let qwen: serde_json::Value =
            serde_json::from_str(include_str!("../tests/golden/tiny-qwen-tokenizer/tokenizer.json")).unwrap();
        assert_eq!(pre_tokenizer_name(&qwen["pre_tokenizer"]), Some("qwen2"));
    }
}
