//! Causal GQA attention over a [`PrefixBatch`]: a group's prompt rows attend causally among
//! themselves, and each completion's rows attend to all of the prompt's rows and causally to
//! their own. Forward keeps the probabilities; backward sums what every completion sends into
//! the shared prompt's keys and values. The same products as [`crate::attention`], in two
//! column parts (prompt, own) wherever a completion meets its prompt.
//!
//! Work is split by group, so each task owns its group's output rows, including the prompt's
//! key and value gradients that the group's completions add into.

use rayon::prelude::*;

use crate::attention::{causal_softmax, softmax_grad_row};
use crate::decode_attention::Heads;
use crate::matmul::{gemm_into, View, Write};
use crate::prefix_batch::{PrefixBatch, PrefixGroup};

/// Floats of probabilities the forward keeps for `b`.
pub fn probs_len(b: &PrefixBatch, s: Heads) -> usize {
    s.n_heads * b.groups.iter().map(PrefixGroup::probs_per_head).sum::<usize>()
}

/// Column offsets and widths of one attention call.
#[derive(Clone, Copy)]
struct Cols {
    w: usize,
    out_w: usize,
    hd: usize,
    scale: f32,
}

impl Cols {
    fn new(s: Heads) -> Self {
        let hd = s.head_dim;
        Cols { w: (s.n_heads + 2 * s.n_kv_heads) * hd, out_w: s.n_heads * hd, hd, scale: 1.0 / (hd as f32).sqrt() }
    }
}

/// Column of query head `h`, and of its key and value head.
fn head_cols(s: Heads, h: usize) -> (usize, usize, usize) {
    let g = h / (s.n_heads / s.n_kv_heads);
    (h * s.head_dim, (s.n_heads + g) * s.head_dim, (s.n_heads + s.n_kv_heads + g) * s.head_dim)
}

/// Consecutive parts of `v` of the given sizes.
fn split_sizes(mut v: &mut [f32], sizes: impl Iterator<Item = usize>) -> Vec<&mut [f32]> {
    let mut parts = Vec::new();
    for n in sizes {
        let (part, rest) = std::mem::take(&mut v).split_at_mut(n);
        parts.push(part);
        v = rest;
    }
    parts
}

/// Forward: `out (rows, H·hd)` from `qkv (rows, W)`; `probs` ([`probs_len`] floats) keeps the
/// softmax of each group, head by head: the prompt's `P × P`, then each completion's `L × (P + L)`.
pub fn prefix_attention_forward(out: &mut [f32], probs: &mut [f32], qkv: &[f32], b: &PrefixBatch, s: Heads) {
    let c = Cols::new(s);
    let outs = split_sizes(out, b.groups.iter().map(|g| g.rows() * c.out_w));
    let probs = split_sizes(probs, b.groups.iter().map(|g| s.n_heads * g.probs_per_head()));
    b.groups.par_iter().zip(outs).zip(probs).for_each(|((g, out), probs)| {
        let qkv = &qkv[g.start * c.w..(g.start + g.rows()) * c.w];
        group_forward(out, probs, qkv, g, s, c);
    });
}

fn group_forward(out: &mut [f32], probs: &mut [f32], qkv: &[f32], g: &PrefixGroup, s: Heads, c: Cols) {
    let (p, w, hd) = (g.prompt_len, c.w, c.hd);
    for (h, probs) in probs.chunks_mut(g.probs_per_head()).enumerate() {
        let (qc, kc, vc) = head_cols(s, h);
        let (pp, mut rest) = probs.split_at_mut(p * p);
        let (kp, vp) = (View::strided_t(&qkv[kc..], w), View::strided(&qkv[vc..], w));
        gemm_into(pp, p, View::strided(&qkv[qc..], w), kp, (p, hd, p), c.scale, Write::Set, false);
        causal_softmax(pp, p, 0);
        gemm_into(&mut out[qc..], c.out_w, View::strided(pp, p), vp, (p, p, hd), 1.0, Write::Set, false);
        for &(row, l) in &g.completions {
            let (o, t) = (row - g.start, p + l);
            let (pc, r) = std::mem::take(&mut rest).split_at_mut(l * t);
            rest = r;
            if l == 0 {
                continue; // (its first row may lie past the group's end)
            }
            let q = View::strided(&qkv[o * w + qc..], w);
            gemm_into(pc, t, q, kp, (l, hd, p), c.scale, Write::Set, false);
            gemm_into(
                &mut pc[p..],
                t,
                q,
                View::strided_t(&qkv[o * w + kc..], w),
                (l, hd, l),
                c.scale,
                Write::Set,
                false,
            );
            causal_softmax(pc, t, p);
            let oc = &mut out[o * c.out_w + qc..];
            gemm_into(oc, c.out_w, View::strided(pc, t), vp, (l, p, hd), 1.0, Write::Set, false);
            let own_v = View::strided(&qkv[o * w + vc..], w);
            gemm_into(oc, c.out_w, View::strided(&pc[p..], t), own_v, (l, l, hd), 1.0, Write::Add, false);
        }
    }
}

/// Backward: writes `dqkv (rows, W)` from `dout (rows, H·hd)`, given the forward's `qkv` and
/// `probs`. Rows are overwritten, not accumulated.
pub fn prefix_attention_backward(
    dqkv: &mut [f32],
    dout: &[f32],
    qkv: &[f32],
    probs: &[f32],
    b: &PrefixBatch,
    s: Heads,
) {
    let c = Cols::new(s);
    let dqkvs = split_sizes(dqkv, b.groups.iter().map(|g| g.rows() * c.w));
    let mut at = 0;
    let probs: Vec<&[f32]> = b
        .groups
        .iter()
        .map(|g| {
            let n = s.n_heads * g.probs_per_head();
            at += n;
            &probs[at - n..at]
        })
        .collect();
    b.groups.par_iter().zip(dqkvs).zip(probs).for_each(|((g, dqkv), probs)| {
        let rows = g.start..g.start + g.rows();
        let (qkv, dout) = (&qkv[rows.start * c.w..rows.end * c.w], &dout[rows.start * c.out_w..rows.end * c.out_w]);
        group_backward(dqkv, dout, qkv, probs, g, s, c);
    });
}

fn group_backward(dqkv: &mut [f32], dout: &[f32], qkv: &[f32], probs: &[f32], g: &PrefixGroup, s: Heads, c: Cols) {
    let (p, w, hd, sc) = (g.prompt_len, c.w, c.hd, c.scale);
    dqkv.fill(0.0);
    let widest = g.completions.iter().map(|&(_, l)| l * (p + l)).max().unwrap_or(0).max(p * p);
    let mut ds = vec![0.0f32; widest];
    for (h, probs) in probs.chunks(g.probs_per_head()).enumerate() {
        let (qc, kc, vc) = head_cols(s, h);
        let (pp, mut rest) = probs.split_at(p * p);
        let vp_t = View::strided_t(&qkv[vc..], w);
        let kp = View::strided(&qkv[kc..], w);
        // The prompt's own causal block, as `attention_backward` does for one sequence.
        let dout_p = View::strided(&dout[qc..], c.out_w);
        gemm_into(&mut ds, p, dout_p, vp_t, (p, hd, p), 1.0, Write::Set, false);
        gemm_into(&mut dqkv[vc..], w, cols(pp, p), dout_p, (p, p, hd), 1.0, Write::Add, false);
        softmax_grad(&mut ds[..p * p], pp, p);
        gemm_into(&mut dqkv[qc..], w, rows(&ds, p), kp, (p, p, hd), sc, Write::Set, false);
        let qp = View::strided(&qkv[qc..], w);
        gemm_into(&mut dqkv[kc..], w, cols(&ds, p), qp, (p, p, hd), sc, Write::Add, false);
        for &(row, l) in &g.completions {
            let (o, t) = (row - g.start, p + l);
            let (pc, r) = rest.split_at(l * t);
            rest = r;
            if l == 0 {
                continue;
            }
            let dout_c = View::strided(&dout[o * c.out_w + qc..], c.out_w);
            let q = View::strided(&qkv[o * w + qc..], w);
            // dP = dO · [V_prompt | V_own]ᵀ
            gemm_into(&mut ds, t, dout_c, vp_t, (l, hd, p), 1.0, Write::Set, false);
            let own_v_t = View::strided_t(&qkv[o * w + vc..], w);
            gemm_into(&mut ds[p..], t, dout_c, own_v_t, (l, hd, l), 1.0, Write::Set, false);
            // dV += Pᵀ · dO, into the shared prompt's values and the completion's own
            gemm_into(&mut dqkv[vc..], w, cols(pc, t), dout_c, (p, l, hd), 1.0, Write::Add, false);
            gemm_into(&mut dqkv[o * w + vc..], w, cols(&pc[p..], t), dout_c, (l, l, hd), 1.0, Write::Add, false);
            softmax_grad(&mut ds[..l * t], pc, t);
            // dQ = dS · [K_prompt | K_own] · scale
            let own_k = View::strided(&qkv[o * w + kc..], w);
            gemm_into(&mut dqkv[o * w + qc..], w, rows(&ds, t), kp, (l, p, hd), sc, Write::Set, false);
            gemm_into(&mut dqkv[o * w + qc..], w, rows(&ds[p..], t), own_k, (l, l, hd), sc, Write::Add, false);
            // dK += dSᵀ · Q · scale, into the shared prompt's keys and the completion's own
            gemm_into(&mut dqkv[kc..], w, cols(&ds, t), q, (p, l, hd), sc, Write::Add, false);
            gemm_into(&mut dqkv[o * w + kc..], w, cols(&ds[p..], t), q, (l, l, hd), sc, Write::Add, false);
        }
    }
}

/// A row-major block with row stride `t`.
fn rows(d: &[f32], t: usize) -> View<'_> {
    View { data: d, rs: t, cs: 1 }
}

/// The transpose of a row-major block with row stride `t`.
fn cols(d: &[f32], t: usize) -> View<'_> {
    View { data: d, rs: 1, cs: t }
}

/// The softmax's backward over rows of width `t`, in place in `ds`.
fn softmax_grad(ds: &mut [f32], p: &[f32], t: usize) {
    for (d, pr) in ds.chunks_mut(t).zip(p.chunks(t)) {
        softmax_grad_row(d, pr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::{attention_backward, attention_forward, AttnShape};

    /// Every completion with its own copy of the prompt, through the grid attention.
    #[test]
    fn equals_the_grid_attention_with_the_prompt_repeated() {
        let s = Heads { n_heads: 4, n_kv_heads: 2, head_dim: 8 };
        let c = Cols::new(s);
        let (p, lens) = (5usize, [3usize, 7, 1, 0]);
        let b =
            PrefixBatch::new([(&[1u32, 2, 3, 4, 5][..], lens.iter().map(|&l| &[9u32; 8][..l]).collect::<Vec<_>>())]);
        let rows = b.rows();
        let val = |i: usize| ((i * 7919 % 997) as f32 / 997.0 - 0.5) * 2.0;
        let qkv: Vec<f32> = (0..rows * c.w).map(val).collect();
        let dout: Vec<f32> = (0..rows * c.out_w).map(|i| val(i + 13)).collect();
        let mut out = vec![0.0; rows * c.out_w];
        let mut probs = vec![0.0; probs_len(&b, s)];
        prefix_attention_forward(&mut out, &mut probs, &qkv, &b, s);
        let mut dqkv = vec![f32::NAN; rows * c.w];
        prefix_attention_backward(&mut dqkv, &dout, &qkv, &probs, &b, s);
        // The grid: sequence i is the prompt's rows then completion i's, padded to the longest.
        let t = p + lens.iter().max().unwrap();
        let shape = AttnShape { batch: lens.len(), seq: t, n_heads: 4, n_kv_heads: 2, head_dim: 8 };
        let grid_rows = |i: usize| -> Vec<usize> {
            let (start, l) = b.groups[0].completions[i];
            (0..p).chain(start..start + l).collect()
        };
        let (mut gq, mut gd) = (vec![0.0; lens.len() * t * c.w], vec![0.0; lens.len() * t * c.out_w]);
        for i in 0..lens.len() {
            for (k, r) in grid_rows(i).into_iter().enumerate() {
                gq[(i * t + k) * c.w..(i * t + k + 1) * c.w].copy_from_slice(&qkv[r * c.w..(r + 1) * c.w]);
                gd[(i * t + k) * c.out_w..(i * t + k + 1) * c.out_w]
                    .copy_from_slice(&dout[r * c.out_w..(r + 1) * c.out_w]);
            }
            // The prompt's gradient is shared out over the copies (by linearity the copies' sum
            // is then the prefix batch's), and padding rows send none.
            for x in &mut gd[i * t * c.out_w..(i * t + p) * c.out_w] {
                *x /= lens.len() as f32;
            }
            for k in p + lens[i]..t {
                gd[(i * t + k) * c.out_w..(i * t + k + 1) * c.out_w].fill(0.0);
            }
        }
        let mut gout = vec![0.0; lens.len() * t * c.out_w];
        let mut gprobs = vec![0.0; lens.len() * 4 * t * t];
        attention_forward(&mut gout, &mut gprobs, &gq, shape);
        let mut gdqkv = vec![0.0; lens.len() * t * c.w];
        attention_backward(&mut gdqkv, &gd, &gq, &gprobs, shape);
        let close = |a: f32, b: f32| (a - b).abs() < 1e-5 * (1.0 + b.abs());
        let mut want = vec![0.0f32; rows * c.w];
        for i in 0..lens.len() {
            for (k, r) in grid_rows(i).into_iter().enumerate() {
                let g = &gout[(i * t + k) * c.out_w..(i * t + k + 1) * c.out_w];
                for (x, y) in out[r * c.out_w..(r + 1) * c.out_w].iter().zip(g) {
                    assert!(close(*x, *y), "sequence {i}, row {k}: out {x} vs {y}");
                }
                // a prompt row's gradient is the sum over the sequences that carry it
                for (acc, v) in want[r * c.w..(r + 1) * c.w].iter_mut().zip(&gdqkv[(i * t + k) * c.w..]) {
                    *acc += v;
                }
            }
        }
        for (i, (x, y)) in dqkv.iter().zip(&want).enumerate() {
            assert!(close(*x, *y), "dqkv[{i}] (row {}, col {}): {x} vs {y}", i / c.w, i % c.w);
        }
    }
}
