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

/// Query rows per block: a block of rows `r0..r1` only needs keys `0..r1`, so computing scores
/// block by block skips most of the masked-out upper triangle on long sequences. Smaller blocks
/// skip more but make smaller, less efficient products: measured here, sequences of 128 train
/// faster as one block, so blocking starts above `2 · ROW_BLOCK`.
const ROW_BLOCK: usize = 64;

/// Rows per block for a sequence of length `t`.
fn block_rows(t: usize) -> usize {
    if t <= 2 * ROW_BLOCK {
        t.max(1)
    } else {
        ROW_BLOCK
    }
}

/// Row blocks `(r0, r1)` of a sequence of length `t`.
fn row_blocks(t: usize) -> impl Iterator<Item = (usize, usize)> {
    let block = block_rows(t);
    (0..t).step_by(block).map(move |r0| (r0, (r0 + block).min(t)))
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
                let (k, v) = (View::strided_t(&qkv[s.k_col(g)..], w), View::strided(&qkv[s.v_col(g)..], w));
                for (r0, r1) in row_blocks(t) {
                    // S[r0..r1, ..r1] = q_h[r0..r1] · k_g[..r1]ᵀ · scale
                    let q = View::strided(&qkv[r0 * w + h * hd..], w);
                    gemm_into(&mut p[r0 * t..], t, q, k, (r1 - r0, hd, r1), s.scale(), Write::Set, false);
                    causal_softmax(&mut p[r0 * t..r1 * t], t, r0);
                    // out_h[r0..r1] = P[r0..r1, ..r1] · v_g[..r1]
                    let pv = View::strided(&p[r0 * t..], t);
                    gemm_into(&mut out[r0 * out_w + h * hd..], out_w, pv, v, (r1 - r0, r1, hd), 1.0, Write::Set, false);
                }
            }
        },
    );
}

/// Softmax of each row over columns `0..=i`, where `i` is the row's position (`first` for the
/// first row of `p`); columns after `i` become 0.
pub(crate) fn causal_softmax(p: &mut [f32], t: usize, first: usize) {
    for (r, row) in p.chunks_mut(t).enumerate() {
        let (live, masked) = row.split_at_mut(first + r + 1);
        crate::ops::softmax_in_place(live);
        masked.fill(0.0);
    }
}

/// Backward: writes `dqkv (B·T, W)` from `dout (B·T, H·hd)`, given the forward's `qkv` and `probs`.
/// The rows of `dqkv` are overwritten (not accumulated). Works block by block like the forward.
pub fn attention_backward(dqkv: &mut [f32], dout: &[f32], qkv: &[f32], probs: &[f32], s: AttnShape) {
    let (t, hd, w) = (s.seq, s.head_dim, s.qkv_width());
    let out_w = s.n_heads * hd;
    dqkv.par_chunks_mut(t * w)
        .zip(dout.par_chunks(t * out_w))
        .zip(qkv.par_chunks(t * w))
        .zip(probs.par_chunks(s.n_heads * t * t))
        .for_each(|(((dqkv, dout), qkv), probs)| {
            dqkv.fill(0.0);
            let mut ds = vec![0.0f32; block_rows(t) * t];
            for h in 0..s.n_heads {
                let g = s.kv_head(h);
                let p = &probs[h * t * t..(h + 1) * t * t];
                let (kc, vc) = (s.k_col(g), s.v_col(g));
                for (r0, r1) in row_blocks(t) {
                    let m = r1 - r0;
                    let dout_b = View::strided(&dout[r0 * out_w + h * hd..], out_w);
                    // dP = dO_h[r0..r1] · v_g[..r1]ᵀ   (m, r1)
                    gemm_into(&mut ds, t, dout_b, View::strided_t(&qkv[vc..], w), (m, hd, r1), 1.0, Write::Set, false);
                    // dV_g[..r1] += P[r0..r1, ..r1]ᵀ · dO_h[r0..r1]
                    let p_t = View { data: &p[r0 * t..], rs: 1, cs: t };
                    gemm_into(&mut dqkv[vc..], w, p_t, dout_b, (r1, m, hd), 1.0, Write::Add, false);
                    // dS = P ⊙ (dP − rowsum(dP ⊙ P))
                    for (dsr, pr) in ds.chunks_mut(t).zip(p[r0 * t..r1 * t].chunks(t)) {
                        softmax_grad_row(&mut dsr[..r1], &pr[..r1]);
                    }
                    // dQ_h[r0..r1] = dS · k_g[..r1] · scale ; dK_g[..r1] += dSᵀ · q_h[r0..r1] · scale
                    let ds_v = View { data: &ds, rs: t, cs: 1 };
                    let k = View::strided(&qkv[kc..], w);
                    gemm_into(&mut dqkv[r0 * w + h * hd..], w, ds_v, k, (m, r1, hd), s.scale(), Write::Set, false);
                    let ds_t = View { data: &ds, rs: 1, cs: t };
                    let q = View::strided(&qkv[r0 * w + h * hd..], w);
                    gemm_into(&mut dqkv[kc..], w, ds_t, q, (r1, m, hd), s.scale(), Write::Add, false);
                }
            }
        });
}

/// One row of the softmax's backward, in place: `dS = P ⊙ (dP − Σ dP ⊙ P)` from `dP` in `ds`.
pub(crate) fn softmax_grad_row(ds: &mut [f32], p: &[f32]) {
    let dot = crate::ops::dot(ds, p);
    for (d, &pp) in ds.iter_mut().zip(p) {
        *d = pp * (*d - dot);
    }
}
