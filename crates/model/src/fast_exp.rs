//! A branch-free `exp` for the element-wise loops of SwiGLU and the softmaxes.
//!
//! `f32::exp` is a libm call per element, which no loop around it can vectorise; it was 5–6% of a
//! GRPO step (`docs/r1-zero.md`). This is Cephes' `expf` (range reduction by ln 2 in two parts,
//! a degree-5 polynomial, the exponent built from bits) written without branches or calls, so
//! the compiler vectorises the loops that use it (the build targets the native CPU). It agrees
//! with `f64::exp` to ~2 ulp over the normal range; inputs below −87.33 give the smallest normal
//! float (≈1.2e−38) instead of a subnormal or 0, inputs above 88.37 give e^88.37, and NaN stays
//! NaN.

const HI: f32 = 88.37;
const LO: f32 = -87.336_54;

/// e^x (see the module doc for the clamped ranges).
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    // comparisons, not f32::min/max, so a NaN input passes through
    let x = if x > HI { HI } else { x };
    let x = if x < LO { LO } else { x };
    let fx = (x * std::f32::consts::LOG2_E + 0.5).floor();
    let r = x - fx * 0.693_359_4 + fx * 2.121_944_4e-4;
    let mut y = 1.987_569_1e-4;
    y = y * r + 1.398_2e-3;
    y = y * r + 8.333_452e-3;
    y = y * r + 4.166_579_6e-2;
    y = y * r + 0.166_666_65;
    y = y * r + 0.5;
    y = y * r * r + r + 1.0;
    y * f32::from_bits(((fx as i32 + 127) as u32) << 23)
}

/// The 16-lane forms, for the loops whose sum keeps the compiler from vectorising them (a
/// softmax's running sum is a reduction it may not reorder).
#[cfg(target_arch = "x86_64")]
pub(crate) mod wide {
    use std::arch::x86_64::*;

    /// `row[..len] = e^(row − max row)`; returns the sum.
    ///
    /// # Safety
    /// AVX-512F must be available and `row..row + len` writable.
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub unsafe fn exp_shifted(row: *mut f32, len: usize) -> f32 {
        let tail: __mmask16 = (1u32 << (len % 16)).wrapping_sub(1) as u16;
        let whole = len - len % 16;
        let mut m = _mm512_set1_ps(f32::NEG_INFINITY);
        for j in (0..whole).step_by(16) {
            m = _mm512_max_ps(m, _mm512_loadu_ps(row.add(j)));
        }
        m = _mm512_max_ps(m, _mm512_mask_loadu_ps(m, tail, row.add(whole)));
        let max = _mm512_set1_ps(_mm512_reduce_max_ps(m));
        let mut sum = _mm512_setzero_ps();
        for j in (0..whole).step_by(16) {
            let e = exp16(_mm512_sub_ps(_mm512_loadu_ps(row.add(j)), max));
            _mm512_storeu_ps(row.add(j), e);
            sum = _mm512_add_ps(sum, e);
        }
        let e = exp16(_mm512_sub_ps(_mm512_maskz_loadu_ps(tail, row.add(whole)), max));
        _mm512_mask_storeu_ps(row.add(whole), tail, e);
        sum = _mm512_mask_add_ps(sum, tail, sum, e);
        _mm512_reduce_add_ps(sum)
    }

    /// [`super::exp`] on 16 lanes: the same clamps, range reduction and polynomial.
    ///
    /// # Safety
    /// AVX-512F must be available.
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub unsafe fn exp16(x: __m512) -> __m512 {
        let set = _mm512_set1_ps;
        // (min/max with the bound first pass a NaN lane through, as the scalar comparisons do)
        let x = _mm512_max_ps(set(-87.336_54), _mm512_min_ps(set(88.37), x));
        let fx = _mm512_roundscale_ps::<{ _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC }>(_mm512_fmadd_ps(
            x,
            set(std::f32::consts::LOG2_E),
            set(0.5),
        ));
        let r = _mm512_fmadd_ps(fx, set(2.121_944_4e-4), _mm512_fnmadd_ps(fx, set(0.693_359_4), x));
        let mut y = set(1.987_569_1e-4);
        for c in [1.398_2e-3, 8.333_452e-3, 4.166_579_6e-2, 0.166_666_65, 0.5] {
            y = _mm512_fmadd_ps(y, r, set(c));
        }
        y = _mm512_add_ps(_mm512_fmadd_ps(_mm512_mul_ps(y, r), r, r), set(1.0));
        let pow2 = _mm512_slli_epi32::<23>(_mm512_add_epi32(_mm512_cvttps_epi32(fx), _mm512_set1_epi32(127)));
        _mm512_mul_ps(y, _mm512_castsi512_ps(pow2))
    }
}

/// `1 / (1 + e^−x)`.
#[inline(always)]
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + exp(-x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_f64_exp_over_the_normal_range() {
        let mut worst = 0.0f64;
        let mut x = -87.0f32;
        while x < 88.0 {
            let want = f64::from(x).exp();
            let rel = ((f64::from(exp(x)) - want) / want).abs();
            worst = worst.max(rel);
            x += 0.001_37;
        }
        assert!(worst < 3.0 * f64::from(f32::EPSILON), "worst relative error {worst:e}");
        assert_eq!(exp(0.0), 1.0);
        assert!(exp(f32::NAN).is_nan());
        assert!(exp(-1000.0).is_normal() && exp(-1000.0) < 1.2e-38, "{:e}", exp(-1000.0));
        assert!(exp(1000.0).is_finite() && exp(1000.0) > 1e38);
        assert!((sigmoid(0.0) - 0.5).abs() < 1e-7 && sigmoid(100.0) == 1.0 && sigmoid(-100.0) < 1e-38);
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_16_lane_exp_agrees_with_the_scalar_one() {
        use std::arch::x86_64::*;
        if !crate::matmul::avx512() {
            return;
        }
        let xs: Vec<f32> =
            (0..4096).map(|i| -90.0 + i as f32 * 0.0443).chain([0.0, -1000.0, 1000.0, f32::NAN]).collect();
        for chunk in xs.chunks(16) {
            let mut lanes = [0.0f32; 16];
            lanes[..chunk.len()].copy_from_slice(chunk);
            let mut got = [0.0f32; 16];
            // SAFETY: AVX-512F is available (checked above).
            unsafe { _mm512_storeu_ps(got.as_mut_ptr(), super::wide::exp16(_mm512_loadu_ps(lanes.as_ptr()))) };
            for (&x, &y) in lanes.iter().zip(&got) {
                let want = exp(x);
                assert!(
                    (want.is_nan() && y.is_nan()) || (y - want).abs() <= 4.0 * f32::EPSILON * want,
                    "exp({x}): {y} against {want}"
                );
            }
        }
    }
}
