//! Decode-time attention: one new query row (every head) against one sequence's cached keys and
//! values, as [`crate::infer`] runs it for each sequence of a ragged batch.
//!
//! Query heads that share a KV head (GQA) go two at a time, so each cached key and value is
//! loaded once per pair of heads instead of once per head: scores come from `matmul`'s
//! 2-row × 4-key dot-product tile (eight independent FMA chains), and the softmax-weighted sum of
//! values accumulates in AVX2 registers instead of re-reading and re-writing the output row for
//! every key. Hand-written because no crate kernel fits this shape: a few dozen keys whose number
//! changes every step, and K/V rows strided in the cache. Used when the head size is a multiple
//! of 8 (every shape deepthink trains); the plain loop in `infer` covers the rest.

use crate::matmul::tile;
use crate::ops::softmax_in_place;

/// Shapes of one attention row.
#[derive(Clone, Copy, Debug)]
pub struct Heads {
    pub n_heads: usize,
    pub n_kv_heads: usize,
    pub head_dim: usize,
}

/// `out (n_heads·hd) = softmax(q·Kᵀ/√hd)·V` per head, over the `len` cached positions in `keys`
/// and `values` (each `len × n_kv_heads·hd`). `scores` is scratch space.
pub fn attend_row(out: &mut [f32], q: &[f32], keys: &[f32], values: &[f32], s: Heads, scores: &mut Vec<f32>) {
    let (hd, kvw) = (s.head_dim, s.n_kv_heads * s.head_dim);
    assert!(hd % 8 == 0, "attend_row needs a head size that is a multiple of 8, got {hd}");
    assert!(out.len() >= s.n_heads * hd && q.len() >= s.n_heads * hd && keys.len() == values.len());
    assert!(s.n_kv_heads > 0 && s.n_heads.is_multiple_of(s.n_kv_heads), "{s:?}: heads must split evenly over KV heads");
    let len = keys.len() / kvw;
    let group = s.n_heads / s.n_kv_heads;
    let scale = 1.0 / (hd as f32).sqrt();
    scores.resize(2 * len, 0.0);
    let (s0, s1) = scores.split_at_mut(len);
    for g in 0..s.n_kv_heads {
        let key = |j: usize| &keys[j * kvw + g * hd..j * kvw + (g + 1) * hd];
        let mut h = g * group;
        while h < (g + 1) * group {
            let pair = h + 1 < (g + 1) * group;
            let q0 = &q[h * hd..(h + 1) * hd];
            let q1 = if pair { &q[(h + 1) * hd..(h + 2) * hd] } else { &[][..] };
            let mut j = 0;
            while j < len {
                let nj = (len - j).min(4);
                let ks = [key(j), key(j + 1.min(nj - 1)), key(j + 2.min(nj - 1)), key(j + 3.min(nj - 1))];
                if pair {
                    let t = tile::<2, f32>([q0, q1], ks);
                    for u in 0..nj {
                        s0[j + u] = t[0][u] * scale;
                        s1[j + u] = t[1][u] * scale;
                    }
                } else {
                    let [t] = tile::<1, f32>([q0], ks);
                    for u in 0..nj {
                        s0[j + u] = t[u] * scale;
                    }
                }
                j += 4;
            }
            softmax_in_place(s0);
            if pair {
                softmax_in_place(s1);
            }
            let (o0, rest) = out[h * hd..].split_at_mut(hd);
            let o1 = if pair { &mut rest[..hd] } else { &mut [][..] };
            weighted_sum(o0, o1, s0, s1, values, kvw, g * hd);
            h += 2;
        }
    }
}

/// `o0 = Σ_j p0[j]·v_j` and (when `o1` is not empty) `o1 = Σ_j p1[j]·v_j`, where `v_j` is the
/// `o0.len()` values at `values[j·stride + offset..]`.
fn weighted_sum(o0: &mut [f32], o1: &mut [f32], p0: &[f32], p1: &[f32], values: &[f32], stride: usize, offset: usize) {
    let hd = o0.len();
    let len = p0.len();
    assert!(p1.len() == len && (o1.is_empty() || o1.len() == hd) && hd.is_multiple_of(8));
    assert!(len == 0 || (len - 1) * stride + offset + hd <= values.len(), "weighted_sum out of bounds");
    #[cfg(target_arch = "x86_64")]
    if crate::matmul::avx2_fma() {
        // SAFETY: AVX2 and FMA are available (checked); bounds asserted above.
        unsafe { simd::weighted_sum_avx2(o0, o1, p0, p1, values, stride, offset) };
        return;
    }
    o0.fill(0.0);
    o1.fill(0.0);
    for j in 0..len {
        let v = &values[j * stride + offset..j * stride + offset + hd];
        for (o, x) in o0.iter_mut().zip(v) {
            *o += p0[j] * x;
        }
        for (o, x) in o1.iter_mut().zip(v) {
            *o += p1[j] * x;
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod simd {
    use std::arch::x86_64::*;

    /// # Safety
    /// AVX2 and FMA must be available; `o0.len() % 8 == 0`, `o1` empty or as long as `o0`, and
    /// every `values[j·stride + offset .. + o0.len()]` for `j < p0.len()` in bounds.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn weighted_sum_avx2(
        o0: &mut [f32],
        o1: &mut [f32],
        p0: &[f32],
        p1: &[f32],
        values: &[f32],
        stride: usize,
        offset: usize,
    ) {
        let two = !o1.is_empty();
        let mut c = 0;
        while c + 8 <= o0.len() {
            let (mut a0, mut a1) = (_mm256_setzero_ps(), _mm256_setzero_ps());
            let base = values.as_ptr().add(offset + c);
            for j in 0..p0.len() {
                let v = _mm256_loadu_ps(base.add(j * stride));
                a0 = _mm256_fmadd_ps(_mm256_set1_ps(*p0.get_unchecked(j)), v, a0);
                if two {
                    a1 = _mm256_fmadd_ps(_mm256_set1_ps(*p1.get_unchecked(j)), v, a1);
                }
            }
            _mm256_storeu_ps(o0.as_mut_ptr().add(c), a0);
            if two {
                _mm256_storeu_ps(o1.as_mut_ptr().add(c), a1);
            }
            c += 8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Attention computed head by head in f64.
    fn naive(q: &[f32], keys: &[f32], values: &[f32], s: Heads) -> Vec<f32> {
        let (hd, kvw) = (s.head_dim, s.n_kv_heads * s.head_dim);
        let len = keys.len() / kvw;
        let group = s.n_heads / s.n_kv_heads;
        let mut out = vec![0.0f32; s.n_heads * hd];
        for h in 0..s.n_heads {
            let g = h / group;
            let sc: Vec<f64> = (0..len)
                .map(|j| {
                    (0..hd).map(|d| f64::from(q[h * hd + d]) * f64::from(keys[j * kvw + g * hd + d])).sum::<f64>()
                        / (hd as f64).sqrt()
                })
                .collect();
            let max = sc.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let e: Vec<f64> = sc.iter().map(|x| (x - max).exp()).collect();
            let z: f64 = e.iter().sum();
            for d in 0..hd {
                out[h * hd + d] =
                    ((0..len).map(|j| e[j] * f64::from(values[j * kvw + g * hd + d])).sum::<f64>() / z) as f32;
            }
        }
        out
    }

    #[test]
    fn matches_head_by_head_attention_for_every_grouping_and_length() {
        for (n_heads, n_kv_heads, head_dim) in [(4, 2, 32), (4, 4, 8), (6, 2, 16), (3, 1, 8), (8, 1, 64)] {
            let s = Heads { n_heads, n_kv_heads, head_dim };
            for len in [1, 2, 3, 4, 5, 9, 37] {
                let kvw = n_kv_heads * head_dim;
                let q: Vec<f32> = (0..n_heads * head_dim).map(|i| (i as f32 * 0.37).sin()).collect();
                let keys: Vec<f32> = (0..len * kvw).map(|i| (i as f32 * 0.11).cos()).collect();
                let values: Vec<f32> = (0..len * kvw).map(|i| (i as f32 * 0.23).sin()).collect();
                let mut out = vec![f32::NAN; n_heads * head_dim];
                attend_row(&mut out, &q, &keys, &values, s, &mut Vec::new());
                let want = naive(&q, &keys, &values, s);
                for (a, b) in out.iter().zip(&want) {
                    assert!((a - b).abs() < 1e-5, "{s:?} len {len}: {a} vs {b}");
                }
            }
        }
    }
}
