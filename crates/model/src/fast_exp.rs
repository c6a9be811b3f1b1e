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
}
