//! Reference reasoning for `mult`.
//!
//! `compact` reproduces the trace measured to train a 0.7M-parameter model to 100% on 3×3 digits
//! (docs/background/mult-feasibility.md), one number per line instead of `+`/`|` separators:
//!
//! * partial products `a·b_j` for each digit `b_j` of `b`, least-significant digit of `b` first,
//!   each written least-significant digit first, zero-padded to width `len(a)+1`;
//! * then running sums `S_k = Σ_{j≤k} a·b_j·10^j` for `k = 1..len(b)-1`, also LSD first,
//!   zero-padded to width `len(a)+1+k`. `S_k < a·10^(k+1) < 10^(len(a)+k+1)`, so the width always
//!   suffices, and the last sum has width `len(a)+len(b)`, the most digits a product can have.
//!
//! For 123*456 that is `8370 5160 2940 | 88860 880650`, answer `56088`, the reference
//! `123*456=<think>8370+5160+2940|88860|880650</think>56088`. A 1-digit `b` has no running sums.
//!
//! `cot` is the same calculation for a reader: `123*6=738`, `123*50=6150`, `123*400=49200`,
//! `738+6150=6888`, `6888+49200=56088`, `check: 3*6=18, 56088 ends in 8 ok`. Zero digits of `b`
//! are skipped (their partial product is 0). The check line compares the last digit of the
//! product of the last digits with the last digit of the answer: short, always true of the
//! right answer, and catches most slips in the final addition's units.
//!
//! `long` (in [`super::long`]) is `compact`'s arithmetic with each number also written the usual
//! way and a casting-out-nines check.
//!
//! Measured over 1000 random 3×3 problems (test `think_lengths_3x3`), the think block (between
//! `<think>\n` and `\n</think>`) averages 27.0 characters / 5 lines for `compact` and
//! 101.7 characters / 5.6 lines for `cot` (3.8× longer).

use crate::trace_style::TraceStyle;

use super::{MultProblem, COMPACT, COT, LONG};

/// Reasoning lines and answer for a style `mult` offers (anything else gets `direct`).
pub fn trace(p: &MultProblem, style: TraceStyle) -> (Vec<String>, String) {
    let lines = match style {
        COMPACT => compact_lines(p),
        COT => cot_lines(p),
        LONG => super::long::long_lines(p),
        _ => Vec::new(),
    };
    (lines, p.product().to_string())
}

/// Decimal digits, least significant first (at least one).
pub(super) fn digits_lsd(mut n: u128) -> Vec<u8> {
    let mut out = vec![(n % 10) as u8];
    n /= 10;
    while n > 0 {
        out.push((n % 10) as u8);
        n /= 10;
    }
    out
}

/// `n` written least-significant digit first, right-padded with zeros to `width`.
pub(super) fn lsd_first(n: u128, width: usize) -> String {
    let mut s: String = digits_lsd(n).iter().map(|d| char::from(b'0' + d)).collect();
    while s.len() < width {
        s.push('0');
    }
    s
}

pub(super) fn pow10(k: usize) -> u128 {
    10u128.saturating_pow(k as u32)
}

/// The `compact` lines (see the module doc).
pub fn compact_lines(p: &MultProblem) -> Vec<String> {
    let a = u128::from(p.a);
    let la = digits_lsd(a).len();
    let b_digits = digits_lsd(u128::from(p.b));
    let mut lines: Vec<String> = b_digits.iter().map(|&d| lsd_first(a * u128::from(d), la + 1)).collect();
    let mut sum = a * u128::from(b_digits[0]);
    for (k, &d) in b_digits.iter().enumerate().skip(1) {
        sum = sum.saturating_add((a * u128::from(d)).saturating_mul(pow10(k)));
        lines.push(lsd_first(sum, la + 1 + k));
    }
    lines
}

/// The `cot` lines (see the module doc).
pub fn cot_lines(p: &MultProblem) -> Vec<String> {
    let a = u128::from(p.a);
    let mut lines = Vec::new();
    let mut partials = Vec::new();
    for (j, &d) in digits_lsd(u128::from(p.b)).iter().enumerate() {
        if d == 0 && p.b != 0 {
            continue;
        }
        let m = u128::from(d).saturating_mul(pow10(j));
        let pp = a.saturating_mul(m);
        lines.push(format!("{a}*{m}={pp}"));
        partials.push(pp);
    }
    let mut sum = partials.first().copied().unwrap_or(0);
    for &pp in partials.iter().skip(1) {
        let next = sum.saturating_add(pp);
        lines.push(format!("{sum}+{pp}={next}"));
        sum = next;
    }
    let (la, lb) = (p.a % 10, p.b % 10);
    lines.push(format!("check: {la}*{lb}={}, {} ends in {} ok", la * lb, p.product(), p.product() % 10));
    lines
}
