//! The decoder: embeddings → L × (RMSNorm → GQA attention with RoPE → residual → RMSNorm →
//! SwiGLU MLP → residual) → RMSNorm → output projection. This is Llama (Touvron et al. 2023) and
//! Qwen2 (which adds q/k/v biases); tensor names and numerics follow `transformers`'
//! `modeling_llama.py`, so a checkpoint round-trips and the logits agree.
//!
//! Weights are immutable here; training state (activations, gradients) and decoding state
//! (the KV cache) are arguments. The training pass is in [`crate::train_pass`], decoding in
//! [`crate::infer`].

use crate::config::ModelConfig;
use crate::error::ModelError;
use crate::ops::Rope;
use crate::params::{init_params, Layout};

/// A decoder's weights, with the layout that names them.
#[derive(Clone, Debug)]
pub struct Model {
    pub cfg: ModelConfig,
    pub layout: Layout,
    /// Every weight, in `layout`'s order, when the model is held in `f32`; empty when it is
    /// held in BF16 (see [`crate::dtype`]).
    pub params: Vec<f32>,
    /// Every weight as BF16, in the same order, when the model is held in BF16 (inference only).
    pub(crate) bf16: Option<Vec<half::bf16>>,
    pub rope: Rope,
}

impl Model {
    /// A freshly initialised model (see [`init_params`]), reproducible from `seed`.
    pub fn new_random(cfg: ModelConfig, seed: u64) -> Self {
        let layout = Layout::new(&cfg);
        let params = init_params(&cfg, &layout, seed);
        Self::from_parts(cfg, layout, params)
    }

    pub fn from_parts(cfg: ModelConfig, layout: Layout, params: Vec<f32>) -> Self {
        let rope = Rope::scaled(cfg.head_dim, cfg.max_seq_len, cfg.rope_theta, cfg.rope_scaling.as_ref());
        Model { cfg, layout, params, bf16: None, rope }
    }

    /// Build from a flat buffer, checking its length against the layout.
    pub fn from_params(cfg: ModelConfig, params: Vec<f32>) -> Result<Self, ModelError> {
        let layout = Layout::new(&cfg);
        if params.len() != layout.total() {
            return Err(ModelError::Tensor {
                name: "<all>".into(),
                msg: format!("expected {} parameters, got {}", layout.total(), params.len()),
            });
        }
        Ok(Self::from_parts(cfg, layout, params))
    }

    pub fn n_params(&self) -> usize {
        self.layout.total()
    }

    /// Copy the embedding rows of `tokens` into `x (n, D)`.
    pub(crate) fn embed(&self, x: &mut [f32], tokens: &[u32]) -> Result<(), ModelError> {
        let d = self.cfg.d_model;
        for (row, &tok) in x.chunks_mut(d).zip(tokens) {
            let t = tok as usize;
            if t >= self.cfg.vocab_size {
                return Err(ModelError::Input(format!(
                    "token id {t} is outside the vocabulary of {}",
                    self.cfg.vocab_size
                )));
            }
            let r = self.layout.embed.start + t * d..self.layout.embed.start + (t + 1) * d;
            self.widen_into(&r, row);
        }
        Ok(())
    }

    /// Width of the fused q/k/v row.
    pub(crate) fn qkv_width(&self) -> usize {
        (self.cfg.n_heads + 2 * self.cfg.n_kv_heads) * self.cfg.head_dim
    }
}
