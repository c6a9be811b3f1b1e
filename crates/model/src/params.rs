//! All weights of a model in one flat `Vec<f32>`, with a [`Layout`] naming each tensor's range.
//!
//! One buffer makes the optimizer, gradient clipping and checkpointing single loops, and lets
//! tensors that are always used together sit side by side: q/k/v projections form one
//! `[(H + 2·Hkv)·hd, D]` matrix and gate/up one `[2·F, D]` matrix, so each is one matmul.
//! Names follow the Hugging Face checkpoint (`model.layers.0.self_attn.q_proj.weight`), so
//! loading and saving are straight copies.

use std::ops::Range;

use rand::Rng;
use rand_chacha::rand_core::SeedableRng;

use crate::config::ModelConfig;

/// Ranges of one decoder layer's tensors inside the flat buffer.
#[derive(Clone, Debug)]
pub struct LayerRanges {
    pub input_norm: Range<usize>,
    /// q, k, v weights stacked: `[(H + 2·Hkv)·hd, D]`.
    pub qkv: Range<usize>,
    /// q, k, v biases stacked (empty without bias).
    pub qkv_bias: Range<usize>,
    /// Qwen3's q and k head-norm gains, `[head_dim]` each (empty without `qk_norm`).
    pub q_norm: Range<usize>,
    pub k_norm: Range<usize>,
    pub o: Range<usize>,
    pub post_norm: Range<usize>,
    /// gate and up weights stacked: `[2·F, D]`.
    pub gate_up: Range<usize>,
    pub down: Range<usize>,
}

/// A named tensor inside the flat buffer.
#[derive(Clone, Debug)]
pub struct Entry {
    pub name: String,
    pub shape: Vec<usize>,
    pub range: Range<usize>,
}

/// Where every tensor of a model lives in the flat buffer.
#[derive(Clone, Debug)]
pub struct Layout {
    pub entries: Vec<Entry>,
    pub embed: Range<usize>,
    pub layers: Vec<LayerRanges>,
    pub final_norm: Range<usize>,
    /// The output projection: the embedding's range when tied.
    pub lm_head: Range<usize>,
}

struct Builder {
    entries: Vec<Entry>,
    next: usize,
}

impl Builder {
    fn push(&mut self, name: String, shape: Vec<usize>) -> Range<usize> {
        let n: usize = shape.iter().product();
        let range = self.next..self.next + n;
        self.next += n;
        self.entries.push(Entry { name, shape, range: range.clone() });
        range
    }
}

impl Layout {
    pub fn new(c: &ModelConfig) -> Self {
        let (d, hd, f) = (c.d_model, c.head_dim, c.ffn_dim);
        let (q_out, kv_out) = (c.n_heads * hd, c.n_kv_heads * hd);
        let mut b = Builder { entries: Vec::new(), next: 0 };
        let embed = b.push("model.embed_tokens.weight".into(), vec![c.vocab_size, d]);
        let mut layers = Vec::with_capacity(c.n_layers);
        for l in 0..c.n_layers {
            let p = format!("model.layers.{l}");
            let input_norm = b.push(format!("{p}.input_layernorm.weight"), vec![d]);
            let q = b.push(format!("{p}.self_attn.q_proj.weight"), vec![q_out, d]);
            b.push(format!("{p}.self_attn.k_proj.weight"), vec![kv_out, d]);
            let v = b.push(format!("{p}.self_attn.v_proj.weight"), vec![kv_out, d]);
            let qkv_bias = if c.qkv_bias {
                let qb = b.push(format!("{p}.self_attn.q_proj.bias"), vec![q_out]);
                b.push(format!("{p}.self_attn.k_proj.bias"), vec![kv_out]);
                let vb = b.push(format!("{p}.self_attn.v_proj.bias"), vec![kv_out]);
                qb.start..vb.end
            } else {
                b.next..b.next
            };
            let (q_norm, k_norm) = if c.qk_norm {
                let q = b.push(format!("{p}.self_attn.q_norm.weight"), vec![hd]);
                (q, b.push(format!("{p}.self_attn.k_norm.weight"), vec![hd]))
            } else {
                (b.next..b.next, b.next..b.next)
            };
            let o = b.push(format!("{p}.self_attn.o_proj.weight"), vec![d, q_out]);
            let post_norm = b.push(format!("{p}.post_attention_layernorm.weight"), vec![d]);
            let gate = b.push(format!("{p}.mlp.gate_proj.weight"), vec![f, d]);
            let up = b.push(format!("{p}.mlp.up_proj.weight"), vec![f, d]);
            let down = b.push(format!("{p}.mlp.down_proj.weight"), vec![d, f]);
            layers.push(LayerRanges {
                input_norm,
                qkv: q.start..v.end,
                qkv_bias,
                q_norm,
                k_norm,
                o,
                post_norm,
                gate_up: gate.start..up.end,
                down,
            });
        }
        let final_norm = b.push("model.norm.weight".into(), vec![d]);
        let lm_head =
            if c.tie_embeddings { embed.clone() } else { b.push("lm_head.weight".into(), vec![c.vocab_size, d]) };
        Layout { entries: b.entries, embed, layers, final_norm, lm_head }
    }

    /// Number of `f32`s in the buffer.
    pub fn total(&self) -> usize {
        self.entries.last().map_or(0, |e| e.range.end)
    }

    pub fn find(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.name == name)
    }

    /// True for tensors that weight decay should skip (norm gains and biases).
    pub fn is_no_decay(&self, entry: &Entry) -> bool {
        entry.shape.len() == 1
    }
}

/// Initialise weights the way `transformers` does for Llama: normal(0, 0.02) for matrices,
/// ones for RMSNorm gains, zeros for biases. Output projections (`o_proj`, `down_proj`) are
/// scaled by `1/sqrt(2·n_layers)` as in GPT-2, which trains faster from scratch.
pub fn init_params(c: &ModelConfig, layout: &Layout, seed: u64) -> Vec<f32> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut data = vec![0.0f32; layout.total()];
    let resid_scale = 1.0 / ((2 * c.n_layers) as f32).sqrt();
    for e in &layout.entries {
        let slice = &mut data[e.range.clone()];
        if e.name.ends_with("norm.weight") || e.name.ends_with("layernorm.weight") {
            slice.fill(1.0);
        } else if e.name.ends_with(".bias") {
            slice.fill(0.0);
        } else {
            let std = if e.name.ends_with("o_proj.weight") || e.name.ends_with("down_proj.weight") {
                0.02 * resid_scale
            } else {
                0.02
            };
            for x in slice.iter_mut() {
                *x = std * gaussian(&mut rng);
            }
        }
    }
    data
}

/// A standard normal draw (Box–Muller), so initialisation needs no extra crate.
pub fn gaussian(rng: &mut impl Rng) -> f32 {
    let u1: f32 = rng.gen_range(f32::EPSILON..1.0);
    let u2: f32 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
}
impl ModelConfig {
    /// Parameters in the model (embeddings counted once when tied): the size of its [`Layout`].
    pub fn n_params(&self) -> usize {
        Layout::new(self).total()
    }
}
