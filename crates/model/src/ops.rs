//! Row-wise kernels of the decoder and their backward passes: RMSNorm, rotary position
//! embeddings (Hugging Face's `rotate_half` convention), SwiGLU and softmax cross-entropy.
//!
//! Written by hand rather than taken from a framework: on this CPU the framework versions
//! either lack a backward pass (candle's fused `rms_norm` and `rope` silently stop gradients,
//! `docs/background/cpu-backends.md`) or cost an allocation and a pass over memory per op.
//! Each kernel here is one fused pass over a row, parallel over rows.

use rayon::prelude::*;

use crate::rope_scaling::RopeScaling;

/// `Σ a[i]·b[i]` with eight independent accumulators, so the compiler can keep them in one
/// vector register (a plain `zip().sum()` is a serial chain: f32 addition is not reassociated).
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut tail = 0.0;
    for (x, y) in ra.iter().zip(rb) {
        tail += x * y;
    }
    (acc[0] + acc[4]) + (acc[1] + acc[5]) + (acc[2] + acc[6]) + (acc[3] + acc[7]) + tail
}

/// `y += alpha · x`.
#[inline]
pub fn axpy(y: &mut [f32], alpha: f32, x: &[f32]) {
    for (y, x) in y.iter_mut().zip(x) {
        *y += alpha * x;
    }
}

/// Rows per rayon task: enough work to amortise scheduling.
const ROW_CHUNK: usize = 16;

/// `y = x / rms(x) * w` for each row of `x` (rows of width `w.len()`); stores `1/rms` per row.
pub fn rms_norm(y: &mut [f32], inv_rms: &mut [f32], x: &[f32], w: &[f32], eps: f32) {
    let d = w.len();
    y.par_chunks_mut(d * ROW_CHUNK).zip(inv_rms.par_chunks_mut(ROW_CHUNK)).zip(x.par_chunks(d * ROW_CHUNK)).for_each(
        |((y, r), x)| {
            for ((y, r), x) in y.chunks_mut(d).zip(r.iter_mut()).zip(x.chunks(d)) {
                *r = rms_norm_row(y, x, w, eps);
            }
        },
    );
}

/// `1/rms` of one row: `1 / sqrt(mean(x²) + eps)`.
#[inline]
pub fn inv_rms(x: &[f32], eps: f32) -> f32 {
    1.0 / (dot(x, x) / x.len() as f32 + eps).sqrt()
}

/// One row of [`rms_norm`]; returns `1/rms`.
#[inline]
pub fn rms_norm_row(y: &mut [f32], x: &[f32], w: &[f32], eps: f32) -> f32 {
    let r = inv_rms(x, eps);
    for ((y, x), w) in y.iter_mut().zip(x).zip(w) {
        *y = x * r * w;
    }
    r
}

/// Backward of [`rms_norm`]: adds `dL/dx` into `dx` and returns nothing; `dw` accumulates
/// `Σ_rows dy · x̂` (one partial sum per task, then reduced, to stay deterministic).
pub fn rms_norm_backward(dx: &mut [f32], dw: &mut [f32], dy: &[f32], x: &[f32], inv_rms: &[f32], w: &[f32]) {
    let d = w.len();
    let partial: Vec<Vec<f32>> = dx
        .par_chunks_mut(d * ROW_CHUNK)
        .zip(dy.par_chunks(d * ROW_CHUNK))
        .zip(x.par_chunks(d * ROW_CHUNK))
        .zip(inv_rms.par_chunks(ROW_CHUNK))
        .map(|(((dx, dy), x), r)| {
            let mut dw_part = vec![0.0f32; d];
            for (((dx, dy), x), &r) in dx.chunks_mut(d).zip(dy.chunks(d)).zip(x.chunks(d)).zip(r) {
                rms_norm_backward_row(dx, &mut dw_part, dy, x, r, w);
            }
            dw_part
        })
        .collect();
    for p in partial {
        for (a, b) in dw.iter_mut().zip(p) {
            *a += b;
        }
    }
}

/// One row of [`rms_norm_backward`]: adds `dL/dx` into `dx` and `dy · x̂` into `dw`, for the
/// row's input `x` and its `1/rms` `r`.
#[inline]
pub fn rms_norm_backward_row(dx: &mut [f32], dw: &mut [f32], dy: &[f32], x: &[f32], r: f32, w: &[f32]) {
    // x̂ = x·r ; dx̂ = dy·w ; dx = r·(dx̂ − x̂·mean(dx̂·x̂))
    let d = w.len();
    let (dw, dy, x) = (&mut dw[..d], &dy[..d], &x[..d]);
    for i in 0..d {
        dw[i] += dy[i] * x[i] * r;
    }
    // Σ dy·w·x̂ in 8 lanes (a single running sum would keep the loop scalar)
    let mut lanes = [0.0f32; 8];
    let mut i = 0;
    while i + 8 <= d {
        for k in 0..8 {
            lanes[k] += dy[i + k] * w[i + k] * x[i + k];
        }
        i += 8;
    }
    let tail: f32 = (i..d).map(|i| dy[i] * w[i] * x[i]).sum();
    let dot = (lanes.iter().sum::<f32>() + tail) * r;
    let mean = dot / d as f32;
    for i in 0..d {
        dx[i] += r * (dy[i] * w[i] - x[i] * r * mean);
    }
}

/// Precomputed rotary tables: `cos`/`sin` of `pos · θ^(−2i/hd)` for `i < hd/2`.
#[derive(Clone, Debug)]
pub struct Rope {
    half: usize,
    cos: Vec<f32>,
    sin: Vec<f32>,
}

impl Rope {
    pub fn new(head_dim: usize, max_pos: usize, theta: f32) -> Self {
        Rope::scaled(head_dim, max_pos, theta, None)
    }

    /// The tables with `scaling` applied to each frequency (Llama 3's `rope_scaling`).
    pub fn scaled(head_dim: usize, max_pos: usize, theta: f32, scaling: Option<&RopeScaling>) -> Self {
        let half = head_dim / 2;
        let mut cos = Vec::with_capacity(max_pos * half);
        let mut sin = Vec::with_capacity(max_pos * half);
        for p in 0..max_pos {
            for i in 0..half {
                // Computed in f64 then rounded, as transformers does in float32 from inv_freq.
                let inv_freq = 1.0 / (theta as f64).powf(2.0 * i as f64 / head_dim as f64);
                let inv_freq = scaling.map_or(inv_freq, |s| s.scale(inv_freq)) as f32;
                let angle = p as f32 * inv_freq;
                cos.push(angle.cos());
                sin.push(angle.sin());
            }
        }
        Rope { half, cos, sin }
    }

    pub fn max_pos(&self) -> usize {
        self.cos.len() / self.half.max(1)
    }

    /// Rotate one head vector in place at position `pos` (`rotate_half` layout: the pair
    /// is `(x[i], x[i + hd/2])`). `inverse` applies the transpose, which is the backward pass.
    #[inline]
    pub fn rotate(&self, x: &mut [f32], pos: usize, inverse: bool) {
        let h = self.half;
        let (c, s) = (&self.cos[pos * h..(pos + 1) * h], &self.sin[pos * h..(pos + 1) * h]);
        let (a, b) = x.split_at_mut(h);
        for i in 0..h {
            let (x0, x1) = (a[i], b[i]);
            let sn = if inverse { -s[i] } else { s[i] };
            a[i] = x0 * c[i] - x1 * sn;
            b[i] = x1 * c[i] + x0 * sn;
        }
    }
}

use crate::fast_exp::sigmoid;

/// SwiGLU on one row: `out = silu(gate) ⊙ up`, where the row of `gate_up` holds gate then up.
#[inline]
pub fn swiglu_row(out: &mut [f32], gate_up: &[f32]) {
    let f = out.len();
    let (g, u) = gate_up.split_at(f);
    for i in 0..f {
        out[i] = g[i] * sigmoid(g[i]) * u[i];
    }
}

/// SwiGLU over all rows (`gate_up` rows are `2·F` wide, `out` rows `F`).
pub fn swiglu(out: &mut [f32], gate_up: &[f32], f: usize) {
    out.par_chunks_mut(f * ROW_CHUNK).zip(gate_up.par_chunks(2 * f * ROW_CHUNK)).for_each(|(o, gu)| {
        for (o, gu) in o.chunks_mut(f).zip(gu.chunks(2 * f)) {
            swiglu_row(o, gu);
        }
    });
}

/// Backward of [`swiglu`]: writes `d(gate_up)` from `d(out)`.
pub fn swiglu_backward(dgu: &mut [f32], dout: &[f32], gate_up: &[f32], f: usize) {
    dgu.par_chunks_mut(2 * f * ROW_CHUNK)
        .zip(dout.par_chunks(f * ROW_CHUNK))
        .zip(gate_up.par_chunks(2 * f * ROW_CHUNK))
        .for_each(|((dgu, dout), gu)| {
            for ((dgu, dout), gu) in dgu.chunks_mut(2 * f).zip(dout.chunks(f)).zip(gu.chunks(2 * f)) {
                let (dg, du) = dgu.split_at_mut(f);
                let (g, u) = gu.split_at(f);
                for i in 0..f {
                    let s = sigmoid(g[i]);
                    let silu = g[i] * s;
                    du[i] = dout[i] * silu;
                    dg[i] = dout[i] * u[i] * s * (1.0 + g[i] * (1.0 - s));
                }
            }
        });
}

/// Softmax cross-entropy over rows of `logits` (width `v`). Rows whose target is `None` (or
/// outside the vocabulary, which no model could predict) are
/// ignored. Overwrites `logits` with `dL/dlogits` for the *mean* loss over counted rows, and
/// returns `(sum of losses, counted rows)`.
pub fn cross_entropy_in_place(logits: &mut [f32], targets: &[Option<u32>], v: usize) -> (f64, usize) {
    let count = targets.iter().filter(|t| matches!(t, Some(x) if (*x as usize) < v)).count();
    let scale = 1.0 / count.max(1) as f32;
    let loss: f64 = logits
        .par_chunks_mut(v)
        .zip(targets.par_iter())
        .map(|(row, t)| match t {
            None => {
                row.fill(0.0);
                0.0
            }
            Some(t) if *t as usize >= v => {
                // A target outside the vocabulary cannot be predicted: no loss, no gradient.
                row.fill(0.0);
                0.0
            }
            Some(t) => {
                let t = *t as usize;
                let max = row.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b));
                let mut sum = 0.0f32;
                for x in row.iter_mut() {
                    *x = (*x - max).exp();
                    sum += *x;
                }
                let p_t = row[t] / sum;
                for x in row.iter_mut() {
                    *x *= scale / sum;
                }
                row[t] -= scale;
                -(p_t.max(f32::MIN_POSITIVE).ln() as f64)
            }
        })
        .sum();
    (loss, count)
}

/// `row = softmax(row)`, with the vectorisable [`crate::fast_exp::exp`].
pub fn softmax_in_place(row: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if crate::matmul::avx512() {
        // SAFETY: AVX-512F is available (checked); the row is exclusively borrowed.
        let inv = 1.0 / unsafe { crate::fast_exp::wide::exp_shifted(row.as_mut_ptr(), row.len()) };
        row.iter_mut().for_each(|x| *x *= inv);
        return;
    }
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    for x in row.iter_mut() {
        *x = crate::fast_exp::exp(*x - max);
    }
    let sum: f32 = row.iter().sum();
    let inv = 1.0 / sum;
    row.iter_mut().for_each(|x| *x *= inv);
}

/// `log_softmax(row)[t]` and the row's entropy, without modifying the row.
pub fn log_prob_and_entropy(row: &[f32], t: usize) -> (f32, f32) {
    let max = row.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b));
    let sum: f32 = row.iter().map(|x| (x - max).exp()).sum();
    let lse = max + sum.ln();
    let entropy = -row
        .iter()
        .map(|x| {
            let lp = x - lse;
            lp.exp() * lp
        })
        .sum::<f32>();
    (row[t] - lse, entropy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rope_inverse_undoes_rotation() {
        let rope = Rope::new(8, 16, 10_000.0);
        let x: Vec<f32> = (0..8).map(|i| i as f32 - 3.5).collect();
        let mut y = x.clone();
        rope.rotate(&mut y, 11, false);
        assert!(y.iter().zip(&x).any(|(a, b)| (a - b).abs() > 1e-3));
        rope.rotate(&mut y, 11, true);
        for (a, b) in y.iter().zip(&x) {
            assert!((a - b).abs() < 1e-5);
        }
    }

    #[test]
    fn cross_entropy_gradient_rows_sum_to_zero() {
        let mut logits = vec![0.1, 2.0, -1.0, 0.5, 0.5, 0.5];
        let (loss, n) = cross_entropy_in_place(&mut logits, &[Some(1), Some(0)], 3);
        assert_eq!(n, 2);
        assert!(loss > 0.0);
        assert!((logits[..3].iter().sum::<f32>()).abs() < 1e-6);
        assert!((logits[3..].iter().sum::<f32>()).abs() < 1e-6);
        // uniform row: loss ln 3
        let mut u = vec![0.0; 3];
        let (l, _) = cross_entropy_in_place(&mut u, &[Some(2)], 3);
        assert!((l - 3f64.ln()).abs() < 1e-6);
    }
}
