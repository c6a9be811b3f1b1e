//! Qwen3's q/k normalisation: after the q and k projections (and before RoPE), every head
//! vector is RMS-normalised over its `head_dim` and scaled by a gain shared by all heads —
//! `self_attn.q_norm.weight` for query heads, `self_attn.k_norm.weight` for key heads
//! (Qwen3's `Qwen3Attention`, following OLMo 2 / Gemma's QK-norm for training stability).
//!
//! A `qkv` row is laid out `[q heads | k heads | v heads]`; only the first
//! `(n_heads + n_kv_heads) · head_dim` values are touched.

use crate::ops::{inv_rms, rms_norm_backward_row, rms_norm_row};

/// The shapes and gains of one layer's q/k norm.
pub struct QkNorm<'a> {
    pub n_heads: usize,
    pub n_kv_heads: usize,
    pub head_dim: usize,
    pub q_gain: &'a [f32],
    pub k_gain: &'a [f32],
    pub eps: f32,
}

impl QkNorm<'_> {
    fn gain(&self, head: usize) -> &[f32] {
        if head < self.n_heads {
            self.q_gain
        } else {
            self.k_gain
        }
    }

    fn heads(&self) -> usize {
        self.n_heads + self.n_kv_heads
    }

    /// Normalise the q and k heads of each `width`-wide row of `qkv` in place (the same
    /// arithmetic, in the same order, as [`rms_norm_row`], so inference and training agree bit
    /// for bit).
    pub fn forward(&self, qkv: &mut [f32], width: usize) {
        let hd = self.head_dim;
        for row in qkv.chunks_mut(width) {
            for (h, head) in row[..self.heads() * hd].chunks_mut(hd).enumerate() {
                let r = inv_rms(head, self.eps);
                for (y, w) in head.iter_mut().zip(self.gain(h)) {
                    *y = *y * r * w;
                }
            }
        }
    }

    /// [`QkNorm::forward`], keeping what [`QkNorm::backward`] needs: the heads before the norm
    /// (`raw`, `(rows·heads, head_dim)`) and each head's `1/rms` (`head_inv_rms`).
    pub fn forward_keep(&self, qkv: &mut [f32], width: usize, raw: &mut Vec<f32>, head_inv_rms: &mut Vec<f32>) {
        let hd = self.head_dim;
        let span = self.heads() * hd;
        raw.clear();
        head_inv_rms.clear();
        for row in qkv.chunks_mut(width) {
            raw.extend_from_slice(&row[..span]);
            let x = &raw[raw.len() - span..];
            for (h, (head, x)) in row[..span].chunks_mut(hd).zip(x.chunks(hd)).enumerate() {
                head_inv_rms.push(rms_norm_row(head, x, self.gain(h), self.eps));
            }
        }
    }

    /// Turn `dqkv`'s q/k part from the gradient of the normalised heads into that of the raw
    /// ones, in place, adding the gains' gradients into `dq_gain` and `dk_gain`.
    pub fn backward(
        &self,
        dqkv: &mut [f32],
        width: usize,
        raw: &[f32],
        head_inv_rms: &[f32],
        dq_gain: &mut [f32],
        dk_gain: &mut [f32],
    ) {
        let hd = self.head_dim;
        let span = self.heads() * hd;
        let mut heads = raw.chunks(hd).zip(head_inv_rms);
        let mut dx = vec![0.0f32; hd];
        for row in dqkv.chunks_mut(width) {
            for (h, dy) in row[..span].chunks_mut(hd).enumerate() {
                let Some((x, &r)) = heads.next() else { return };
                let (w, dw) =
                    if h < self.n_heads { (self.q_gain, &mut *dq_gain) } else { (self.k_gain, &mut *dk_gain) };
                dx.fill(0.0);
                rms_norm_backward_row(&mut dx, dw, dy, x, r, w);
                dy.copy_from_slice(&dx);
            }
        }
    }
}
