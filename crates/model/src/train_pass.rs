//! The training pass: a forward over a padded batch that keeps what backward needs (a
//! [`Tape`]), and the hand-written backward that turns `dL/dlogits` into gradients for every
//! parameter in the flat buffer.
//!
//! Why by hand: on this 2-core CPU the frameworks train 2.4–3× slower than PyTorch eager
//! (`docs/background/cpu-backends.md`); a fused, allocation-light pass over a flat parameter buffer
//! is what closes that gap. Correctness is pinned by a finite-difference gradient check and by
//! golden gradients from PyTorch (`tests/golden`).

use crate::attention::{attention_backward, attention_forward, AttnShape};
use crate::decode_attention::Heads;
use crate::error::ModelError;
use crate::matmul::{linear, linear_input_grad, linear_weight_grad, Write};
use crate::model::Model;
use crate::ops::{rms_norm, rms_norm_backward, swiglu, swiglu_backward};
use crate::prefix_attention::{prefix_attention_backward, prefix_attention_forward, probs_len};
use crate::prefix_batch::PrefixBatch;

/// What one layer's forward keeps for its backward.
#[derive(Default)]
struct LayerTape {
    x: Vec<f32>,
    r1: Vec<f32>,
    h1: Vec<f32>,
    /// q/k heads before Qwen3's head norm, and each head's `1/rms` (empty without it).
    qk_raw: Vec<f32>,
    qk_inv_rms: Vec<f32>,
    qkv: Vec<f32>,
    probs: Vec<f32>,
    att: Vec<f32>,
    x2: Vec<f32>,
    r2: Vec<f32>,
    h2: Vec<f32>,
    gu: Vec<f32>,
    act: Vec<f32>,
}

/// Everything the forward kept: per-layer activations, the final norm's input and output, and
/// the backward pass's scratch buffers. Reusing one `Tape` across steps keeps the training loop
/// free of large allocations (and of the page faults that come with fresh memory).
#[derive(Default)]
pub struct Tape {
    batch: usize,
    seq: usize,
    /// Set when the rows are a [`PrefixBatch`] (then `batch` is 1 and `seq` the row count).
    prefix: Option<PrefixBatch>,
    tokens: Vec<u32>,
    layers: Vec<LayerTape>,
    xf: Vec<f32>,
    rf: Vec<f32>,
    hf: Vec<f32>,
    scratch: BackScratch,
}

/// Gradient buffers of the backward pass.
#[derive(Default)]
struct BackScratch {
    dh: Vec<f32>,
    dx: Vec<f32>,
    dact: Vec<f32>,
    dgu: Vec<f32>,
    datt: Vec<f32>,
    dqkv: Vec<f32>,
}

/// `v` resized to `n` (contents unspecified: every user overwrites them).
fn buf(v: &mut Vec<f32>, n: usize) -> &mut [f32] {
    v.resize(n, 0.0);
    &mut v[..n]
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
        let mut tape = Tape::default();
        let logits = self.forward_train_with(tokens, batch, seq, &mut tape)?;
        Ok((logits, tape))
    }

    /// [`Model::forward_train`] reusing the buffers of an earlier `tape`.
    pub fn forward_train_with(
        &self,
        tokens: &[u32],
        batch: usize,
        seq: usize,
        tape: &mut Tape,
    ) -> Result<Vec<f32>, ModelError> {
        if batch == 0 || seq == 0 {
            return Err(ModelError::Input(format!("an empty batch ({batch} × {seq}) has nothing to train on")));
        }
        if tokens.len() != batch * seq {
            return Err(ModelError::Input(format!("{} tokens is not batch {batch} × seq {seq}", tokens.len())));
        }
        self.check_trainable(seq)?;
        (tape.batch, tape.seq, tape.prefix) = (batch, seq, None);
        self.forward_kept(tokens, tape)
    }

    /// The training forward over a [`PrefixBatch`] (each prompt stored once, its completions
    /// after it): logits `(rows, vocab)`, one row per batch row, and the tape for
    /// [`Model::backward`].
    pub fn forward_train_prefix(&self, batch: &PrefixBatch, tape: &mut Tape) -> Result<Vec<f32>, ModelError> {
        batch.check().map_err(|e| ModelError::Input(format!("prefix batch: {e}")))?;
        if batch.rows() == 0 {
            return Err(ModelError::Input("an empty prefix batch has nothing to train on".into()));
        }
        self.check_trainable(batch.longest())?;
        (tape.batch, tape.seq, tape.prefix) = (1, batch.rows(), Some(batch.clone()));
        self.forward_kept(&batch.tokens, tape)
    }

    fn check_trainable(&self, longest: usize) -> Result<(), ModelError> {
        if longest > self.cfg.max_seq_len {
            return Err(ModelError::Input(format!(
                "sequence length {longest} exceeds max_seq_len {}",
                self.cfg.max_seq_len
            )));
        }
        self.require_f32("training")
    }

    fn heads(&self) -> Heads {
        Heads { n_heads: self.cfg.n_heads, n_kv_heads: self.cfg.n_kv_heads, head_dim: self.cfg.head_dim }
    }

    /// The layer stack over `tokens`, laid out as `tape` says (a grid or a prefix batch).
    fn forward_kept(&self, tokens: &[u32], tape: &mut Tape) -> Result<Vec<f32>, ModelError> {
        let c = &self.cfg;
        let (batch, seq) = (tape.batch, tape.seq);
        let (n, d, f, w) = (tokens.len(), c.d_model, c.ffn_dim, self.qkv_width());
        let a = c.n_heads * c.head_dim;
        let p = &self.params;
        tape.tokens.clear();
        tape.tokens.extend_from_slice(tokens);
        tape.layers.resize_with(c.n_layers, LayerTape::default);
        self.embed(buf(&mut tape.layers[0].x, n * d), tokens)?;
        for (l, lr) in self.layout.layers.iter().enumerate() {
            let t = &mut tape.layers[l];
            rms_norm(buf(&mut t.h1, n * d), buf(&mut t.r1, n), &t.x, &p[lr.input_norm.clone()], c.rms_eps);
            let qkv = buf(&mut t.qkv, n * w);
            linear(qkv, &t.h1, &p[lr.qkv.clone()], (n, d, w), Write::Set);
            if c.qkv_bias {
                add_bias(qkv, &p[lr.qkv_bias.clone()]);
            }
            if c.qk_norm {
                self.qk_norm(lr).forward_keep(qkv, w, &mut t.qk_raw, &mut t.qk_inv_rms);
            }
            self.rope_qk(qkv, tape.prefix.as_ref(), seq, false);
            match &tape.prefix {
                None => {
                    let probs = buf(&mut t.probs, batch * c.n_heads * seq * seq);
                    attention_forward(buf(&mut t.att, n * a), probs, &t.qkv, self.attn_shape(batch, seq));
                }
                Some(b) => {
                    let probs = buf(&mut t.probs, probs_len(b, self.heads()));
                    prefix_attention_forward(buf(&mut t.att, n * a), probs, &t.qkv, b, self.heads());
                }
            }
            buf(&mut t.x2, n * d).copy_from_slice(&t.x);
            linear(&mut t.x2, &t.att, &p[lr.o.clone()], (n, a, d), Write::Add);
            rms_norm(buf(&mut t.h2, n * d), buf(&mut t.r2, n), &t.x2, &p[lr.post_norm.clone()], c.rms_eps);
            linear(buf(&mut t.gu, n * 2 * f), &t.h2, &p[lr.gate_up.clone()], (n, d, 2 * f), Write::Set);
            swiglu(buf(&mut t.act, n * f), &t.gu, f);
            // x3 = x2 + act · downᵀ, written where the next layer (or the final norm) reads it.
            let (done, rest) = tape.layers.split_at_mut(l + 1);
            let t = &done[l];
            let x3 = match rest.first_mut() {
                Some(next) => buf(&mut next.x, n * d),
                None => buf(&mut tape.xf, n * d),
            };
            x3.copy_from_slice(&t.x2);
            linear(x3, &t.act, &p[lr.down.clone()], (n, f, d), Write::Add);
        }
        rms_norm(
            buf(&mut tape.hf, n * d),
            buf(&mut tape.rf, n),
            &tape.xf,
            &p[self.layout.final_norm.clone()],
            c.rms_eps,
        );
        let mut logits = vec![0.0; n * c.vocab_size];
        linear(&mut logits, &tape.hf, &p[self.layout.lm_head.clone()], (n, d, c.vocab_size), Write::Set);
        Ok(logits)
    }

    /// Layer `lr`'s q/k head norm (Qwen3).
    pub(crate) fn qk_norm(&self, lr: &crate::params::LayerRanges) -> crate::qk_norm::QkNorm<'_> {
        self.qk_norm_with(&self.params[lr.q_norm.clone()], &self.params[lr.k_norm.clone()])
    }

    /// The q/k head norm with these gains.
    pub(crate) fn qk_norm_with<'a>(&self, q_gain: &'a [f32], k_gain: &'a [f32]) -> crate::qk_norm::QkNorm<'a> {
        crate::qk_norm::QkNorm {
            n_heads: self.cfg.n_heads,
            n_kv_heads: self.cfg.n_kv_heads,
            head_dim: self.cfg.head_dim,
            q_gain,
            k_gain,
            eps: self.cfg.rms_eps,
        }
    }

    /// Rotate the q and k heads of every row of a qkv buffer in place: row `i` is at position
    /// `i % seq` of a `(batch·seq, W)` grid, or at the prefix batch's listed position.
    fn rope_qk(&self, qkv: &mut [f32], prefix: Option<&PrefixBatch>, seq: usize, inverse: bool) {
        let (hd, w) = (self.cfg.head_dim, self.qkv_width());
        let heads = self.cfg.n_heads + self.cfg.n_kv_heads;
        use rayon::prelude::*;
        qkv.par_chunks_mut(w).enumerate().for_each(|(i, row)| {
            let pos = prefix.map_or(i % seq, |b| b.positions[i]);
            for head in row[..heads * hd].chunks_mut(hd) {
                self.rope.rotate(head, pos, inverse);
            }
        });
    }

    /// Backward from `dlogits (batch·seq, vocab)`: adds every parameter's gradient into `grads`
    /// (same layout as `params`).
    pub fn backward(&self, tape_buffers: &mut Tape, dlogits: &[f32], grads: &mut [f32]) {
        let mut sc = std::mem::take(&mut tape_buffers.scratch);
        self.backward_with(tape_buffers, &mut sc, dlogits, grads);
        tape_buffers.scratch = sc;
    }

    fn backward_with(&self, tape: &Tape, sc: &mut BackScratch, dlogits: &[f32], grads: &mut [f32]) {
        let c = &self.cfg;
        let (n, d, f, w) = (tape.batch * tape.seq, c.d_model, c.ffn_dim, self.qkv_width());
        let a = c.n_heads * c.head_dim;
        let p = &self.params;
        let lay = &self.layout;
        let dh = buf(&mut sc.dh, n * d);
        // logits = hf · lm_headᵀ
        linear_input_grad(dh, dlogits, &p[lay.lm_head.clone()], (n, d, c.vocab_size), Write::Set);
        linear_weight_grad(&mut grads[lay.lm_head.clone()], dlogits, &tape.hf, (n, d, c.vocab_size));
        let dx = buf(&mut sc.dx, n * d);
        dx.fill(0.0);
        rms_norm_backward(dx, &mut grads[lay.final_norm.clone()], dh, &tape.xf, &tape.rf, &p[lay.final_norm.clone()]);
        let dact = buf(&mut sc.dact, n * f);
        let dgu = buf(&mut sc.dgu, n * 2 * f);
        let datt = buf(&mut sc.datt, n * a);
        let dqkv = buf(&mut sc.dqkv, n * w);
        for (lr, t) in lay.layers.iter().zip(&tape.layers).rev() {
            // x3 = x2 + act · downᵀ  (dx carries d x3, then d x2)
            linear_input_grad(dact, dx, &p[lr.down.clone()], (n, f, d), Write::Set);
            linear_weight_grad(&mut grads[lr.down.clone()], dx, &t.act, (n, f, d));
            swiglu_backward(dgu, dact, &t.gu, f);
            linear_input_grad(dh, dgu, &p[lr.gate_up.clone()], (n, d, 2 * f), Write::Set);
            linear_weight_grad(&mut grads[lr.gate_up.clone()], dgu, &t.h2, (n, d, 2 * f));
            rms_norm_backward(dx, &mut grads[lr.post_norm.clone()], dh, &t.x2, &t.r2, &p[lr.post_norm.clone()]);
            // x2 = x + att · oᵀ
            linear_input_grad(datt, dx, &p[lr.o.clone()], (n, a, d), Write::Set);
            linear_weight_grad(&mut grads[lr.o.clone()], dx, &t.att, (n, a, d));
            match &tape.prefix {
                None => attention_backward(dqkv, datt, &t.qkv, &t.probs, self.attn_shape(tape.batch, tape.seq)),
                Some(b) => prefix_attention_backward(dqkv, datt, &t.qkv, &t.probs, b, self.heads()),
            }
            self.rope_qk(dqkv, tape.prefix.as_ref(), tape.seq, true);
            if c.qk_norm {
                let (mut dq, mut dk) = (vec![0.0; c.head_dim], vec![0.0; c.head_dim]);
                self.qk_norm(lr).backward(dqkv, w, &t.qk_raw, &t.qk_inv_rms, &mut dq, &mut dk);
                add_into(&mut grads[lr.q_norm.clone()], &dq);
                add_into(&mut grads[lr.k_norm.clone()], &dk);
            }
            if c.qkv_bias {
                bias_grad(&mut grads[lr.qkv_bias.clone()], dqkv);
            }
            linear_input_grad(dh, dqkv, &p[lr.qkv.clone()], (n, d, w), Write::Set);
            linear_weight_grad(&mut grads[lr.qkv.clone()], dqkv, &t.h1, (n, d, w));
            rms_norm_backward(dx, &mut grads[lr.input_norm.clone()], dh, &t.x, &t.r1, &p[lr.input_norm.clone()]);
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

fn add_into(acc: &mut [f32], v: &[f32]) {
    for (a, x) in acc.iter_mut().zip(v) {
        *a += x;
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
