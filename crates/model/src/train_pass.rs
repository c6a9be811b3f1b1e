//! The training pass: a forward over a padded batch that keeps what backward needs (a
//! [`Tape`]), and the hand-written backward that turns `dL/dlogits` into gradients for every
//! parameter in the flat buffer.
//!
//! Why by hand: on this 2-core CPU the frameworks train 2.4–3× slower than PyTorch eager
//! (`shared/notes/cpu-backends.md`); a fused, allocation-light pass over a flat parameter buffer
//! is what closes that gap. Correctness is pinned by a finite-difference gradient check and by
//! golden gradients from PyTorch (`tests/golden`).

use crate::attention::{attention_backward, attention_forward, AttnShape};
use crate::error::ModelError;
use crate::matmul::{linear, linear_input_grad, linear_weight_grad, Write};
use crate::model::Model;
use crate::ops::{rms_norm, rms_norm_backward, swiglu, swiglu_backward};

/// What one layer's forward keeps for its backward.
struct LayerTape {
    x: Vec<f32>,
    r1: Vec<f32>,
    h1: Vec<f32>,
    qkv: Vec<f32>,
    probs: Vec<f32>,
    att: Vec<f32>,
    x2: Vec<f32>,
    r2: Vec<f32>,
    h2: Vec<f32>,
    gu: Vec<f32>,
    act: Vec<f32>,
}

/// Everything the forward kept: per-layer activations, the final norm's input and output.
pub struct Tape {
    batch: usize,
    seq: usize,
    tokens: Vec<u32>,
    layers: Vec<LayerTape>,
    xf: Vec<f32>,
    rf: Vec<f32>,
    hf: Vec<f32>,
}

impl Model {
    fn attn_shape(&self, batch: usize, seq: usize) -> AttnShape {
        AttnShape {
            batch,
            seq,
            n_heads: self.cfg.n_heads,
            n_kv_heads: self.cfg.n_kv_heads,
            head_dim: self.cfg.head_dim,
        }
    }

    /// Forward over `tokens (batch × seq)`, every sequence starting at position 0.
    /// Returns the logits `(batch·seq, vocab)` and the tape for [`Model::backward`].
    pub fn forward_train(&self, tokens: &[u32], batch: usize, seq: usize) -> Result<(Vec<f32>, Tape), ModelError> {
        let c = &self.cfg;
        if tokens.len() != batch * seq {
            return Err(ModelError::Input(format!("{} tokens is not batch {batch} × seq {seq}", tokens.len())));
        }
        if seq > c.max_seq_len {
            return Err(ModelError::Input(format!("sequence length {seq} exceeds max_seq_len {}", c.max_seq_len)));
        }
        let (n, d, f, w) = (batch * seq, c.d_model, c.ffn_dim, self.qkv_width());
        let p = &self.params;
        let mut x = vec![0.0f32; n * d];
        self.embed(&mut x, tokens)?;
        let mut layers = Vec::with_capacity(c.n_layers);
        for lr in &self.layout.layers {
            let mut r1 = vec![0.0; n];
            let mut h1 = vec![0.0; n * d];
            rms_norm(&mut h1, &mut r1, &x, &p[lr.input_norm.clone()], c.rms_eps);
            let mut qkv = vec![0.0; n * w];
            linear(&mut qkv, &h1, &p[lr.qkv.clone()], (n, d, w), Write::Set);
            if c.qkv_bias {
                add_bias(&mut qkv, &p[lr.qkv_bias.clone()]);
            }
            self.rope_qk(&mut qkv, seq, false);
            let mut probs = vec![0.0; batch * c.n_heads * seq * seq];
            let mut att = vec![0.0; n * c.n_heads * c.head_dim];
            attention_forward(&mut att, &mut probs, &qkv, self.attn_shape(batch, seq));
            let mut x2 = x.clone();
            linear(&mut x2, &att, &p[lr.o.clone()], (n, c.n_heads * c.head_dim, d), Write::Add);
            let mut r2 = vec![0.0; n];
            let mut h2 = vec![0.0; n * d];
            rms_norm(&mut h2, &mut r2, &x2, &p[lr.post_norm.clone()], c.rms_eps);
            let mut gu = vec![0.0; n * 2 * f];
            linear(&mut gu, &h2, &p[lr.gate_up.clone()], (n, d, 2 * f), Write::Set);
            let mut act = vec![0.0; n * f];
            swiglu(&mut act, &gu, f);
            let mut x3 = x2.clone();
            linear(&mut x3, &act, &p[lr.down.clone()], (n, f, d), Write::Add);
            layers.push(LayerTape { x, r1, h1, qkv, probs, att, x2, r2, h2, gu, act });
            x = x3;
        }
        let mut rf = vec![0.0; n];
        let mut hf = vec![0.0; n * d];
        rms_norm(&mut hf, &mut rf, &x, &p[self.layout.final_norm.clone()], c.rms_eps);
        let mut logits = vec![0.0; n * c.vocab_size];
        linear(&mut logits, &hf, &p[self.layout.lm_head.clone()], (n, d, c.vocab_size), Write::Set);
        let tape = Tape { batch, seq, tokens: tokens.to_vec(), layers, xf: x, rf, hf };
        Ok((logits, tape))
    }

    /// Rotate the q and k heads of every row of a `(batch·seq, W)` qkv buffer in place.
    fn rope_qk(&self, qkv: &mut [f32], seq: usize, inverse: bool) {
        let (hd, w) = (self.cfg.head_dim, self.qkv_width());
        let heads = self.cfg.n_heads + self.cfg.n_kv_heads;
        use rayon::prelude::*;
        qkv.par_chunks_mut(w).enumerate().for_each(|(i, row)| {
            let pos = i % seq;
            for head in row[..heads * hd].chunks_mut(hd) {
                self.rope.rotate(head, pos, inverse);
            }
        });
    }

    /// Backward from `dlogits (batch·seq, vocab)`: adds every parameter's gradient into `grads`
    /// (same layout as `params`).
    pub fn backward(&self, tape: &Tape, dlogits: &[f32], grads: &mut [f32]) {
        let c = &self.cfg;
        let (n, d, f, w) = (tape.batch * tape.seq, c.d_model, c.ffn_dim, self.qkv_width());
        let a = c.n_heads * c.head_dim;
        let p = &self.params;
        let lay = &self.layout;
        // logits = hf · lm_headᵀ
        let mut dh = vec![0.0f32; n * d];
        linear_input_grad(&mut dh, dlogits, &p[lay.lm_head.clone()], (n, d, c.vocab_size), Write::Set);
        linear_weight_grad(&mut grads[lay.lm_head.clone()], dlogits, &tape.hf, (n, d, c.vocab_size));
        let mut dx = vec![0.0f32; n * d];
        rms_norm_backward(
            &mut dx,
            &mut grads[lay.final_norm.clone()],
            &dh,
            &tape.xf,
            &tape.rf,
            &p[lay.final_norm.clone()],
        );
        let mut dact = vec![0.0f32; n * f];
        let mut dgu = vec![0.0f32; n * 2 * f];
        let mut datt = vec![0.0f32; n * a];
        let mut dqkv = vec![0.0f32; n * w];
        for (lr, t) in lay.layers.iter().zip(&tape.layers).rev() {
            // x3 = x2 + act · downᵀ  (dx carries d x3, then d x2)
            linear_input_grad(&mut dact, &dx, &p[lr.down.clone()], (n, f, d), Write::Set);
            linear_weight_grad(&mut grads[lr.down.clone()], &dx, &t.act, (n, f, d));
            swiglu_backward(&mut dgu, &dact, &t.gu, f);
            linear_input_grad(&mut dh, &dgu, &p[lr.gate_up.clone()], (n, d, 2 * f), Write::Set);
            linear_weight_grad(&mut grads[lr.gate_up.clone()], &dgu, &t.h2, (n, d, 2 * f));
            rms_norm_backward(&mut dx, &mut grads[lr.post_norm.clone()], &dh, &t.x2, &t.r2, &p[lr.post_norm.clone()]);
            // x2 = x + att · oᵀ
            linear_input_grad(&mut datt, &dx, &p[lr.o.clone()], (n, a, d), Write::Set);
            linear_weight_grad(&mut grads[lr.o.clone()], &dx, &t.att, (n, a, d));
            attention_backward(&mut dqkv, &datt, &t.qkv, &t.probs, self.attn_shape(tape.batch, tape.seq));
            self.rope_qk(&mut dqkv, tape.seq, true);
            if c.qkv_bias {
                bias_grad(&mut grads[lr.qkv_bias.clone()], &dqkv);
            }
            linear_input_grad(&mut dh, &dqkv, &p[lr.qkv.clone()], (n, d, w), Write::Set);
            linear_weight_grad(&mut grads[lr.qkv.clone()], &dqkv, &t.h1, (n, d, w));
            rms_norm_backward(&mut dx, &mut grads[lr.input_norm.clone()], &dh, &t.x, &t.r1, &p[lr.input_norm.clone()]);
        }
        let emb = &mut grads[lay.embed.clone()];
        for (row, &tok) in dx.chunks(d).zip(&tape.tokens) {
            let t = tok as usize;
            for (g, v) in emb[t * d..(t + 1) * d].iter_mut().zip(row) {
                *g += v;
            }
        }
    }
}

fn add_bias(rows: &mut [f32], bias: &[f32]) {
    for row in rows.chunks_mut(bias.len()) {
        for (x, b) in row.iter_mut().zip(bias) {
            *x += b;
        }
    }
}

fn bias_grad(db: &mut [f32], dy: &[f32]) {
    for row in dy.chunks(db.len()) {
        for (g, v) in db.iter_mut().zip(row) {
            *g += v;
        }
    }
}
