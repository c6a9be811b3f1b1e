//! Model hyper-parameters: the `config.json` wire type of a Hugging Face `LlamaForCausalLM` /
//! `Qwen2ForCausalLM` checkpoint, parsed once into the domain type [`ModelConfig`]
//! (parse, don't validate: every `Option` and every inconsistency stops at this boundary).

use serde::{Deserialize, Serialize};

use crate::error::ModelError;

/// The architectures deepthink reads and writes. Both are the same decoder; Qwen2 adds a
/// bias to the q/k/v projections.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Architecture {
    #[serde(rename = "LlamaForCausalLM")]
    Llama,
    #[serde(rename = "Qwen2ForCausalLM")]
    Qwen2,
}

impl Architecture {
    fn hf_name(self) -> &'static str {
        match self {
            Architecture::Llama => "LlamaForCausalLM",
            Architecture::Qwen2 => "Qwen2ForCausalLM",
        }
    }
    fn model_type(self) -> &'static str {
        match self {
            Architecture::Llama => "llama",
            Architecture::Qwen2 => "qwen2",
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
    pub rms_eps: f32,
    pub tie_embeddings: bool,
    pub qkv_bias: bool,
    pub bos_token_id: Option<u32>,
    pub eos_token_id: Option<u32>,
}

/// The shape knobs a user picks when training from scratch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
            architectures: vec![if shape.qkv_bias { Architecture::Qwen2 } else { Architecture::Llama }],
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
            bos_token_id: None,
            eos_token_id: None,
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
            "rms_norm_eps": self.rms_eps,
            "tie_word_embeddings": self.tie_embeddings,
            "attention_bias": self.arch == Architecture::Llama && self.qkv_bias,
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
    pub architectures: Vec<Architecture>,
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
    pub bos_token_id: Option<serde_json::Value>,
    pub eos_token_id: Option<serde_json::Value>,
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
        let arch = *c.architectures.first().ok_or_else(|| bad("architectures", "is empty".into()))?;
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
        if let Some(s) = &c.rope_scaling {
            if !s.is_null() {
                return Err(bad("rope_scaling", format!("is not supported, got {s}")));
            }
        }
        let qkv_bias = match arch {
            Architecture::Qwen2 => true,
            Architecture::Llama => c.attention_bias.unwrap_or(false),
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
            rope_theta: c.rope_theta.unwrap_or(10_000.0),
            rms_eps: c.rms_norm_eps.unwrap_or(1e-6),
            tie_embeddings: c.tie_word_embeddings.unwrap_or(false),
            qkv_bias,
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
