//! Model hyper-parameters: the `config.json` wire type of a Hugging Face `LlamaForCausalLM` /
//! `Qwen2ForCausalLM` checkpoint, parsed once into the domain type [`ModelConfig`]
//! (parse, don't validate: every `Option` and every inconsistency stops at this boundary).

use serde::{Deserialize, Serialize};

use crate::error::ModelError;
use crate::rope_scaling::RopeScaling;

/// The architectures deepthink reads and writes. All are the same decoder; Qwen2 adds a bias to
/// the q/k/v projections, Qwen3 an RMSNorm of every q and k head (`qk_norm`) and usually a
/// `head_dim` other than `hidden_size / num_attention_heads`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Architecture {
    #[serde(rename = "LlamaForCausalLM")]
    Llama,
    #[serde(rename = "Qwen2ForCausalLM")]
    Qwen2,
    #[serde(rename = "Qwen3ForCausalLM")]
    Qwen3,
}

impl Architecture {
    fn hf_name(self) -> &'static str {
        match self {
            Architecture::Llama => "LlamaForCausalLM",
            Architecture::Qwen2 => "Qwen2ForCausalLM",
            Architecture::Qwen3 => "Qwen3ForCausalLM",
        }
    }
    fn model_type(self) -> &'static str {
        match self {
            Architecture::Llama => "llama",
            Architecture::Qwen2 => "qwen2",
            Architecture::Qwen3 => "qwen3",
        }
    }
}

/// A decoder's shape, validated: every field is consistent with every other.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelConfig {
    pub arch: Architecture,
    pub vocab_size: usize,
    pub d_model: usize,
    pub n_layers: usize,
    pub n_heads: usize,
    pub n_kv_heads: usize,
    pub head_dim: usize,
    pub ffn_dim: usize,
    pub max_seq_len: usize,
    pub rope_theta: f32,
    /// Llama 3's RoPE frequency scaling, when the checkpoint has it.
    pub rope_scaling: Option<RopeScaling>,
    pub rms_eps: f32,
    pub tie_embeddings: bool,
    pub qkv_bias: bool,
    /// Qwen3's per-head RMSNorm of q and k (`self_attn.q_norm` / `k_norm`).
    pub qk_norm: bool,
    pub bos_token_id: Option<u32>,
    pub eos_token_id: Option<u32>,
}

/// The shape knobs a user picks when training from scratch (a config file may give only some).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelShape {
    pub d_model: usize,
    pub n_layers: usize,
    pub n_heads: usize,
    pub n_kv_heads: usize,
    pub ffn_dim: usize,
    pub max_seq_len: usize,
    pub tie_embeddings: bool,
    pub qkv_bias: bool,
}

impl Default for ModelShape {
    /// The shape measured to learn 3×3-digit multiplication in minutes on 2 cores
    /// (`docs/background/mult-feasibility.md`): 0.73M parameters.
    fn default() -> Self {
        ModelShape {
            d_model: 128,
            n_layers: 4,
            n_heads: 4,
            n_kv_heads: 2,
            ffn_dim: 344,
            max_seq_len: 256,
            tie_embeddings: false,
            qkv_bias: false,
        }
    }
}

impl ModelConfig {
    /// A from-scratch config for a vocabulary of `vocab_size` tokens.
    pub fn from_shape(shape: &ModelShape, vocab_size: usize) -> Result<Self, ModelError> {
        let wire = HfConfig {
            architectures: vec![if shape.qkv_bias { "Qwen2ForCausalLM" } else { "LlamaForCausalLM" }.into()],
            model_type: None,
            vocab_size,
            hidden_size: shape.d_model,
            num_hidden_layers: shape.n_layers,
            num_attention_heads: shape.n_heads,
            num_key_value_heads: Some(shape.n_kv_heads),
            head_dim: None,
            intermediate_size: shape.ffn_dim,
            max_position_embeddings: shape.max_seq_len,
            rope_theta: Some(10_000.0),
            rms_norm_eps: Some(1e-5),
            tie_word_embeddings: Some(shape.tie_embeddings),
            attention_bias: Some(false),
            hidden_act: None,
            rope_scaling: None,
            rope_parameters: None,
            bos_token_id: None,
            eos_token_id: None,
            unsupported: Default::default(),
        };
        ModelConfig::try_from(wire)
    }

    /// Forward-pass FLOPs per token at context length `ctx` (2 per multiply-add), the usual
    /// `2·N + 2·n_layers·ctx·d_attn` estimate used by scaling-law papers.
    pub fn flops_per_token(&self, ctx: usize) -> f64 {
        2.0 * self.n_params() as f64 + 4.0 * (self.n_layers * ctx * self.n_heads * self.head_dim) as f64
    }

    /// The `config.json` this model is saved with.
    pub fn to_hf_json(&self) -> serde_json::Value {
        serde_json::json!({
            "architectures": [self.arch.hf_name()],
            "model_type": self.arch.model_type(),
            "vocab_size": self.vocab_size,
            "hidden_size": self.d_model,
            "num_hidden_layers": self.n_layers,
            "num_attention_heads": self.n_heads,
            "num_key_value_heads": self.n_kv_heads,
            "head_dim": self.head_dim,
            "intermediate_size": self.ffn_dim,
            "max_position_embeddings": self.max_seq_len,
            "rope_theta": self.rope_theta,
            "rope_scaling": self.rope_scaling.as_ref().map(RopeScaling::to_json),
            "rms_norm_eps": self.rms_eps,
            "tie_word_embeddings": self.tie_embeddings,
            "attention_bias": self.arch != Architecture::Qwen2 && self.qkv_bias,
            "mlp_bias": false,
            "hidden_act": "silu",
            "torch_dtype": "float32",
            "bos_token_id": self.bos_token_id,
            "eos_token_id": self.eos_token_id,
            "use_cache": true,
        })
    }
}

/// `config.json` as Hugging Face writes it (only the fields deepthink reads).
#[derive(Debug, Deserialize)]
pub struct HfConfig {
    pub architectures: Vec<String>,
    pub model_type: Option<String>,
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub num_key_value_heads: Option<usize>,
    pub head_dim: Option<usize>,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    pub rope_theta: Option<f32>,
    pub rms_norm_eps: Option<f32>,
    pub tie_word_embeddings: Option<bool>,
    pub attention_bias: Option<bool>,
    pub hidden_act: Option<String>,
    pub rope_scaling: Option<serde_json::Value>,
    /// transformers ≥ 5 writes `rope_theta` and the scaling together here instead.
    pub rope_parameters: Option<serde_json::Value>,
    pub bos_token_id: Option<serde_json::Value>,
    pub eos_token_id: Option<serde_json::Value>,
    /// Every other field, checked for features deepthink does not implement.
    #[serde(flatten)]
    pub unsupported: serde_json::Map<String, serde_json::Value>,
}

/// Fields whose presence (with a value that turns the feature on) means an architecture
/// deepthink does not run: sliding-window attention and mixtures of experts.
fn refuse_unsupported(extra: &serde_json::Map<String, serde_json::Value>) -> Result<(), ModelError> {
    let on = |k: &str| {
        extra.get(k).filter(|v| !v.is_null() && **v != serde_json::json!(false) && **v != serde_json::json!(0))
    };
    let sliding = match extra.get("use_sliding_window") {
        // Qwen2 configs carry a `sliding_window` size that only `use_sliding_window: true` turns on.
        Some(flag) => (*flag == serde_json::json!(true)).then_some(("use_sliding_window", flag)),
        None => on("sliding_window").map(|v| ("sliding_window", v)),
    };
    let moe = ["num_experts", "num_local_experts", "n_routed_experts", "moe_intermediate_size"]
        .into_iter()
        .find_map(|k| on(k).map(|v| (k, v)));
    // transformers ≥ 4.5x lists each layer's attention; only full attention is implemented.
    let layer_types = extra
        .get("layer_types")
        .and_then(serde_json::Value::as_array)
        .and_then(|a| a.iter().find(|t| t.as_str() != Some("full_attention")))
        .map(|t| ("layer_types", t));
    if let Some((field, value)) = sliding.or(moe).or(layer_types) {
        return Err(bad(field, format!("not supported: {field} = {value}")));
    }
    Ok(())
}

fn bad(field: &str, msg: String) -> ModelError {
    ModelError::Config { field: field.to_string(), msg }
}

fn first_id(v: &Option<serde_json::Value>) -> Option<u32> {
    match v {
        Some(serde_json::Value::Number(n)) => n.as_u64().map(|x| x as u32),
        Some(serde_json::Value::Array(a)) => a.first().and_then(|x| x.as_u64()).map(|x| x as u32),
        _ => None,
    }
}

impl TryFrom<HfConfig> for ModelConfig {
    type Error = ModelError;

    fn try_from(c: HfConfig) -> Result<Self, ModelError> {
        let name = c.architectures.first().ok_or_else(|| bad("architectures", "is empty".into()))?;
        let arch = match name.as_str() {
            "LlamaForCausalLM" => Architecture::Llama,
            "Qwen2ForCausalLM" => Architecture::Qwen2,
            "Qwen3ForCausalLM" => Architecture::Qwen3,
            other => {
                let msg = format!(
                    "not supported: architectures = {other:?} (supported: LlamaForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM)"
                );
                return Err(bad("architectures", msg));
            }
        };
        refuse_unsupported(&c.unsupported)?;
        let positive = |field: &str, v: usize| {
            if v == 0 {
                Err(bad(field, "must be positive, got 0".into()))
            } else {
                Ok(v)
            }
        };
        let n_heads = positive("num_attention_heads", c.num_attention_heads)?;
        let d_model = positive("hidden_size", c.hidden_size)?;
        let n_kv_heads = positive("num_key_value_heads", c.num_key_value_heads.unwrap_or(n_heads))?;
        if n_heads % n_kv_heads != 0 {
            return Err(bad(
                "num_key_value_heads",
                format!("must divide num_attention_heads ({n_heads}), got {n_kv_heads}"),
            ));
        }
        let head_dim = match c.head_dim {
            Some(h) => positive("head_dim", h)?,
            None if d_model % n_heads == 0 => d_model / n_heads,
            None => {
                return Err(bad(
                    "hidden_size",
                    format!("must be a multiple of num_attention_heads ({n_heads}), got {d_model}"),
                ))
            }
        };
        if head_dim % 2 != 0 {
            return Err(bad("head_dim", format!("must be even for RoPE, got {head_dim}")));
        }
        if let Some(act) = &c.hidden_act {
            if act != "silu" {
                return Err(bad("hidden_act", format!("only `silu` is supported, got `{act}`")));
            }
        }
        let (rope_theta, rope_scaling) = match &c.rope_parameters {
            Some(p) if !p.is_null() => {
                let theta = p.get("rope_theta").and_then(serde_json::Value::as_f64).map(|t| t as f32);
                (theta.or(c.rope_theta), RopeScaling::from_json(Some(p))?)
            }
            _ => (c.rope_theta, RopeScaling::from_json(c.rope_scaling.as_ref())?),
        };
        let qkv_bias = match arch {
            Architecture::Qwen2 => true,
            Architecture::Llama | Architecture::Qwen3 => c.attention_bias.unwrap_or(false),
        };
        Ok(ModelConfig {
            arch,
            vocab_size: positive("vocab_size", c.vocab_size)?,
            d_model,
            n_layers: positive("num_hidden_layers", c.num_hidden_layers)?,
            n_heads,
            n_kv_heads,
            head_dim,
            ffn_dim: positive("intermediate_size", c.intermediate_size)?,
            max_seq_len: positive("max_position_embeddings", c.max_position_embeddings)?,
            rope_theta: rope_theta.unwrap_or(10_000.0),
            rope_scaling,
            rms_eps: c.rms_norm_eps.unwrap_or(1e-6),
            tie_embeddings: c.tie_word_embeddings.unwrap_or(false),
            qkv_bias,
            qk_norm: arch == Architecture::Qwen3,
            bos_token_id: first_id(&c.bos_token_id),
            eos_token_id: first_id(&c.eos_token_id),
        })
    }
}

impl ModelConfig {
    /// Parse a `config.json` text.
    pub fn from_json_str(text: &str) -> Result<Self, ModelError> {
        let wire: HfConfig = serde_json::from_str(text).map_err(|e| bad("config.json", e.to_string()))?;
        ModelConfig::try_from(wire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Llama-3.2-1B's `config.json` as the hub ships it (transformers 4 format), shrunk in size.
    const LLAMA32: &str = r#"{"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 128,
        "hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": 2, "num_attention_heads": 4,
        "num_key_value_heads": 2, "head_dim": 16, "max_position_embeddings": 131072, "rms_norm_eps": 1e-05,
        "rope_theta": 500000.0, "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
        "original_max_position_embeddings": 8192, "rope_type": "llama3"}, "tie_word_embeddings": true,
        "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009], "hidden_act": "silu",
        "attention_bias": false, "mlp_bias": false, "pretraining_tp": 1, "torch_dtype": "bfloat16"}"#;

    fn with(base: &str, key: &str, value: serde_json::Value) -> String {
        let mut v: serde_json::Value = serde_json::from_str(base).unwrap();
        v[key] = value;
        v.to_string()
    }

    #[test]
    fn llama3_configs_in_either_transformers_format_read_the_same() {
        let a = ModelConfig::from_json_str(LLAMA32).unwrap();
        assert_eq!(a.rope_theta, 500_000.0);
        assert!(matches!(a.rope_scaling, Some(RopeScaling::Llama3 { factor, .. }) if factor == 32.0));
        let mut v: serde_json::Value = serde_json::from_str(LLAMA32).unwrap();
        let mut params = v["rope_scaling"].take();
        params["rope_theta"] = serde_json::json!(500000.0);
        v["rope_parameters"] = params;
        v.as_object_mut().unwrap().remove("rope_theta");
        let b = ModelConfig::from_json_str(&v.to_string()).unwrap();
        assert_eq!(a, b);
        let saved = ModelConfig::from_json_str(&a.to_hf_json().to_string()).unwrap();
        assert_eq!(saved.rope_scaling, a.rope_scaling, "the scaling survives a save");
    }

    #[test]
    fn unsupported_features_are_named_with_their_value() {
        let err = |text: String| ModelConfig::from_json_str(&text).unwrap_err().to_string();
        let e = err(with(LLAMA32, "architectures", serde_json::json!(["MixtralForCausalLM"])));
        assert!(e.contains("not supported: architectures = \"MixtralForCausalLM\""), "{e}");
        let e = err(with(LLAMA32, "num_local_experts", serde_json::json!(8)));
        assert!(e.contains("not supported: num_local_experts = 8"), "{e}");
        let e = err(with(LLAMA32, "sliding_window", serde_json::json!(4096)));
        assert!(e.contains("not supported: sliding_window = 4096"), "{e}");
        let e = err(with(LLAMA32, "rope_scaling", serde_json::json!({"rope_type": "yarn", "factor": 4.0})));
        assert!(e.contains("not supported: rope_scaling.rope_type = \"yarn\""), "{e}");
        // Qwen2 configs name a window size that only `use_sliding_window: true` turns on.
        let qwen = with(&with(LLAMA32, "sliding_window", serde_json::json!(32768)), "use_sliding_window", false.into());
        assert!(ModelConfig::from_json_str(&qwen).is_ok());
        let e = err(with(&qwen, "use_sliding_window", true.into()));
        assert!(e.contains("not supported: use_sliding_window = true"), "{e}");
        assert!(ModelConfig::from_json_str(&with(LLAMA32, "sliding_window", serde_json::Value::Null)).is_ok());
        let e = err(with(LLAMA32, "layer_types", serde_json::json!(["full_attention", "sliding_attention"])));
        assert!(e.contains("not supported: layer_types = \"sliding_attention\""), "{e}");
    }
}
