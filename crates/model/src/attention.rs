//! Causal grouped-query attention for training: forward with the probabilities kept for the
//! backward pass, and the backward pass itself (Vaswani et al. 2017; GQA: Ainslie et al. 2023).
//!
//! Activations are row-major `(B·T, width)`. The fused `qkv` row holds the `H` query heads,
//! then the `Hkv` key heads, then the `Hkv` value heads, each `hd` wide; query head `h` reads
//! key/value head `h / (H / Hkv)`. Work is split by sequence so every task owns its output rows.

use rayon::prelude::*;

use crate::matmul::{gemm_into, View, Write};

/// Shape of one attention call.
#[derive(Clone, Copy, Debug)]
pub struct AttnShape {
    pub batch: usize,
    pub seq: usize,
    pub n_heads: usize,
    pub n_kv_heads: usize,
    pub head_dim: usize,
}

impl AttnShape {
    /// Width of a fused qkv row.
    pub fn qkv_width(&self) -> usize {
        (self.n_heads + 2 * self.n_kv_heads) * self.head_dim
    }
    fn kv_head(&self, h: usize) -> usize {
        h / (self.n_heads / self.n_kv_heads)
    }
    fn k_col(&self, g: usize) -> usize {
        (self.n_heads + g) * self.head_dim
    }
    fn v_col(&self, g: usize) -> usize {
        (self.n_heads + self.n_kv_heads + g) * self.head_dim
    }
    fn scale(&self) -> f32 {
        1.0 / (self.head_dim as f32).sqrt()
    }
}

/// Forward: `out (B·T, H·hd)` from `qkv (B·T, W)`; `probs (B, H, T, T)` keeps the softmax.
pub fn attention_forward(out: &mut [f32], probs: &mut [f32], qkv: &[f32], s: AttnShape) {
    let (t, hd, w) = (s.seq, s.head_dim, s.qkv_width());
    let out_w = s.n_heads * hd;
    out.par_chunks_mut(t * out_w).zip(probs.par_chunks_mut(s.n_heads * t * t)).zip(qkv.par_chunks(t * w)).for_each(
        |((out, probs), qkv)| {
            for h in 0..s.n_heads {
                let g = s.kv_head(h);
                let p = &mut probs[h * t * t..(h + 1) * t * t];
                // S = q_h · k_gᵀ · scale   (T, T)
                gemm_into(
                    p,
                    t,
                    View::strided(&qkv[h * hd..], w),
                    View::strided_t(&qkv[s.k_col(g)..], w),
                    (t, hd, t),
                    s.scale(),
                    Write::Set,
                    false,
                );
                causal_softmax(p, t);
                // out_h = P · v_g   (T, hd)
                gemm_into(
                    &mut out[h * hd..],
                    out_w,
                    View::rows(p, t),
                    View::strided(&qkv[s.v_col(g)..], w),
                    (t, t, hd),
                    1.0,
                    Write::Set,
                    false,
                );
            }
        },
    );
}

/// Softmax of each row `i` over columns `0..=i`; columns after `i` become 0.
fn causal_softmax(p: &mut [f32], t: usize) {
    for (i, row) in p.chunks_mut(t).enumerate() {
        let (live, masked) = row.split_at_mut(i + 1);
        let max = live.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b));
        let mut sum = 0.0;
        for x in live.iter_mut() {
            *x = (*x - max).exp();
            sum += *x;
        }
        let inv = 1.0 / sum;
        live.iter_mut().for_each(|x| *x *= inv);
        masked.fill(0.0);
    }
}

/// Backward: writes `dqkv (B·T, W)` from `dout (B·T, H·hd)`, given the forward's `qkv` and `probs`.
/// The rows of `dqkv` are overwritten (not accumulated).
pub fn attention_backward(dqkv: &mut [f32], dout: &[f32], qkv: &[f32], probs: &[f32], s: AttnShape) {
    let (t, hd, w) = (s.seq, s.head_dim, s.qkv_width());
    let out_w = s.n_heads * hd;
    dqkv.par_chunks_mut(t * w)
        .zip(dout.par_chunks(t * out_w))
        .zip(qkv.par_chunks(t * w))
        .zip(probs.par_chunks(s.n_heads * t * t))
        .for_each(|(((dqkv, dout), qkv), probs)| {
            dqkv.fill(0.0);
            let mut ds = vec![0.0f32; t * t];
            for h in 0..s.n_heads {
                let g = s.kv_head(h);
                let p = &probs[h * t * t..(h + 1) * t * t];
                let dout_h = View::strided(&dout[h * hd..], out_w);
                // dP = dO_h · v_gᵀ   (T, T)
                gemm_into(
                    &mut ds,
                    t,
                    dout_h,
                    View::strided_t(&qkv[s.v_col(g)..], w),
                    (t, hd, t),
                    1.0,
                    Write::Set,
                    false,
                );
                // dV_g += Pᵀ · dO_h   (T, hd)
                gemm_into(
                    &mut dqkv[s.v_col(g)..],
                    w,
                    View::transposed(p, t),
                    dout_h,
                    (t, t, hd),
                    1.0,
                    Write::Add,
                    false,
                );
                // dS = P ⊙ (dP − rowsum(dP ⊙ P))
                for (dsr, pr) in ds.chunks_mut(t).zip(p.chunks(t)) {
                    let dot: f32 = dsr.iter().zip(pr).map(|(a, b)| a * b).sum();
                    for (d, &pp) in dsr.iter_mut().zip(pr) {
                        *d = pp * (*d - dot);
                    }
                }
                // dQ_h = dS · k_g · scale ; dK_g += dSᵀ · q_h · scale
                gemm_into(
                    &mut dqkv[h * hd..],
                    w,
                    View::rows(&ds, t),
                    View::strided(&qkv[s.k_col(g)..], w),
                    (t, t, hd),
                    s.scale(),
                    Write::Set,
                    false,
                );
                gemm_into(
                    &mut dqkv[s.k_col(g)..],
                    w,
                    View::transposed(&ds, t),
                    View::strided(&qkv[h * hd..], w),
                    (t, t, hd),
                    s.scale(),
                    Write::Add,
                    false,
                );
            }
        });
}
