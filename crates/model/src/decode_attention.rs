//! Decode-time attention: one new query row (every head) against one sequence's cached keys and
//! values, as [`crate::infer`] runs it for each sequence of a ragged batch.
//!
//! Query heads that share a KV head (GQA) go two at a time, so each cached key and value is
//! loaded once per pair of heads instead of once per head. Where AVX-512 runs and the head size
//! is a multiple of 16, one kernel (`wide`) does the scores, a vectorised softmax and the
//! weighted sum over a scratch row of scores that stays in L1; elsewhere scores come from `matmul`'s
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
    #[cfg(target_arch = "x86_64")]
    let wide = hd.is_multiple_of(16) && crate::matmul::avx512();
    scores.resize(2 * len, 0.0);
    for g in 0..s.n_kv_heads {
        let mut h = g * group;
        while h < (g + 1) * group {
            let pair = h + 1 < (g + 1) * group;
            let q0 = &q[h * hd..(h + 1) * hd];
            let q1 = if pair { &q[(h + 1) * hd..(h + 2) * hd] } else { &[][..] };
            let (o0, rest) = out[h * hd..].split_at_mut(hd);
            let o1 = if pair { &mut rest[..hd] } else { &mut [][..] };
            h += 2;
            #[cfg(target_arch = "x86_64")]
            if wide {
                // SAFETY: AVX-512F is available (checked); `keys` and `values` hold `len` rows of
                // `kvw` floats and the group's columns `g·hd..(g+1)·hd` lie inside a row.
                unsafe {
                    if pair {
                        wide::heads::<2>([o0, o1], [q0, q1], keys, values, kvw, g * hd, scale, scores);
                    } else {
                        wide::heads::<1>([o0], [q0], keys, values, kvw, g * hd, scale, scores);
                    }
                }
                continue;
            }
            tiled_heads([o0, o1], [q0, q1], keys, values, kvw, g * hd, scale, scores);
        }
    }
}

/// One head, or a pair (`q1`/`o1` not empty), with `matmul`'s dot-product tile for the scores, the
/// shared softmax and [`weighted_sum`]; the KV head's columns are `off..off + hd` of each row.
#[allow(clippy::too_many_arguments)]
fn tiled_heads(
    [o0, o1]: [&mut [f32]; 2],
    [q0, q1]: [&[f32]; 2],
    keys: &[f32],
    values: &[f32],
    kvw: usize,
    off: usize,
    scale: f32,
    scores: &mut [f32],
) {
    let (hd, pair) = (q0.len(), !q1.is_empty());
    let len = keys.len() / kvw;
    let (s0, s1) = scores[..2 * len].split_at_mut(len);
    let key = |j: usize| &keys[j * kvw + off..j * kvw + off + hd];
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
    weighted_sum(o0, o1, s0, s1, values, kvw, off);
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

/// The AVX-512 path for head sizes that are a multiple of 16, one function whose three phases
/// share a scratch row of scores that stays in L1: the scores of 8 keys at a time (one
/// accumulator per head and key, the 16 or 8 lane sums reduced together by a transpose-and-add
/// tree, as in `matmul`'s decode tile), an unnormalised softmax, and the weighted sum of values
/// with every accumulator of a block of up to 128 output columns held in registers, each
/// probability broadcast once per key. The output is divided by the softmax's sum at the end.
/// Measured for one row of a 4-head, 2-KV-head, 32-wide model against 40 cached positions (AMD
/// EPYC with AVX-512, one thread): 1.09 µs with the pair tiles and scalar softmax, 0.45 µs here
/// (`docs/r1-zero.md`, "Past 2×").
#[cfg(target_arch = "x86_64")]
mod wide {
    use std::arch::x86_64::*;

    use crate::matmul::{lanes, quad};

    /// Attention of `P` (1 or 2) query heads that share one KV head, over the `len` cached rows
    /// of `keys`/`values` (rows `stride` apart, the KV head's columns at `off..off + hd`).
    /// `scores` holds at least `P · len` floats.
    ///
    /// # Safety
    /// AVX-512F must be available; `hd = q[p].len() = out[p].len()` a multiple of 16, and every
    /// `keys`/`values` row holds columns `off..off + hd`.
    // (register arrays indexed by head, key and column block read clearest as index loops)
    #[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
    #[target_feature(enable = "avx512f")]
    pub unsafe fn heads<const P: usize>(
        mut out: [&mut [f32]; P],
        q: [&[f32]; P],
        keys: &[f32],
        values: &[f32],
        stride: usize,
        off: usize,
        scale: f32,
        scores: &mut [f32],
    ) {
        let hd = q[0].len();
        let len = keys.len() / stride;
        if len == 0 {
            out.into_iter().for_each(|o| o.fill(0.0));
            return;
        }
        assert!(hd.is_multiple_of(16) && off + hd <= stride && scores.len() >= P * len && values.len() >= len * stride);
        let (kp, vp) = (keys.as_ptr().add(off), values.as_ptr().add(off));
        let sc = scores.as_mut_ptr();
        let chunks = hd / 16;
        let scale_v = _mm512_set1_ps(scale);
        // Scores, 8 keys at a time.
        let mut j = 0;
        while j + 8 <= len {
            let mut acc = [[_mm512_setzero_ps(); 8]; P];
            for c in 0..chunks {
                let qv: [__m512; P] = std::array::from_fn(|p| _mm512_loadu_ps(q[p].as_ptr().add(16 * c)));
                for t in 0..8 {
                    let kv = _mm512_loadu_ps(kp.add((j + t) * stride + 16 * c));
                    for p in 0..P {
                        acc[p][t] = _mm512_fmadd_ps(qv[p], kv, acc[p][t]);
                    }
                }
            }
            // Lanes 0..8: the first head's 8 scores; 8..16: the second head's (when P = 2).
            let first = lanes(quad(&acc[0][..4]), quad(&acc[0][4..]));
            let second =
                if P == 2 { lanes(quad(&acc[P - 1][..4]), quad(&acc[P - 1][4..])) } else { _mm512_setzero_ps() };
            let mut sums = [0.0f32; 16];
            _mm512_storeu_ps(sums.as_mut_ptr(), _mm512_mul_ps(lanes(first, second), scale_v));
            for p in 0..P {
                std::ptr::copy_nonoverlapping(sums.as_ptr().add(8 * p), sc.add(p * len + j), 8);
            }
            j += 8;
        }
        while j < len {
            for p in 0..P {
                let mut acc = _mm512_setzero_ps();
                for c in 0..chunks {
                    let kv = _mm512_loadu_ps(kp.add(j * stride + 16 * c));
                    acc = _mm512_fmadd_ps(_mm512_loadu_ps(q[p].as_ptr().add(16 * c)), kv, acc);
                }
                *sc.add(p * len + j) = _mm512_reduce_add_ps(acc) * scale;
            }
            j += 1;
        }
        // Unnormalised softmax: e^(s − max), and each head's sum.
        let mut inv = [0.0f32; P];
        for (p, inv) in inv.iter_mut().enumerate() {
            *inv = 1.0 / crate::fast_exp::wide::exp_shifted(sc.add(p * len), len);
        }
        // Weighted sum of values, in blocks of up to 8 chunks (128 columns).
        let block = [8, 4, 2, 1].into_iter().find(|&b| chunks.is_multiple_of(b)).unwrap_or(1);
        let mut c0 = 0;
        while c0 < chunks {
            match block {
                8 => weighted::<P, 8>(&mut out, sc, len, vp, stride, c0, &inv),
                4 => weighted::<P, 4>(&mut out, sc, len, vp, stride, c0, &inv),
                2 => weighted::<P, 2>(&mut out, sc, len, vp, stride, c0, &inv),
                _ => weighted::<P, 1>(&mut out, sc, len, vp, stride, c0, &inv),
            }
            c0 += block;
        }
    }

    /// `out[p][16·c0 .. 16·(c0 + C)] = inv[p] · Σ_j e[p][j] · v_j[same columns]`.
    #[inline]
    #[allow(clippy::needless_range_loop)]
    #[target_feature(enable = "avx512f")]
    unsafe fn weighted<const P: usize, const C: usize>(
        out: &mut [&mut [f32]; P],
        e: *const f32,
        len: usize,
        vp: *const f32,
        stride: usize,
        c0: usize,
        inv: &[f32; P],
    ) {
        let mut acc = [[_mm512_setzero_ps(); C]; P];
        for j in 0..len {
            let ev: [__m512; P] = std::array::from_fn(|p| _mm512_set1_ps(*e.add(p * len + j)));
            for c in 0..C {
                let v = _mm512_loadu_ps(vp.add(j * stride + 16 * (c0 + c)));
                for p in 0..P {
                    acc[p][c] = _mm512_fmadd_ps(ev[p], v, acc[p][c]);
                }
            }
        }
        for p in 0..P {
            let s = _mm512_set1_ps(inv[p]);
            for (c, a) in acc[p].iter().enumerate() {
                let o = out[p].as_mut_ptr().add(16 * (c0 + c));
                _mm512_storeu_ps(o, _mm512_mul_ps(*a, s));
            }
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
        for (n_heads, n_kv_heads, head_dim) in
            [(4, 2, 32), (4, 4, 8), (6, 2, 16), (3, 1, 8), (8, 1, 64), (4, 2, 128), (2, 2, 48)]
        {
            let s = Heads { n_heads, n_kv_heads, head_dim };
            for len in [1, 2, 3, 4, 5, 8, 9, 16, 17, 37] {
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
