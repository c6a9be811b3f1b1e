//! `long`: long multiplication a person can read, computed the way a small model can learn it,
//! with a check that fails when a line is wrong.
//!
//! Each line does its arithmetic least-significant digit first — the `compact` trace's digits,
//! which a 0.7M-parameter model learns to 100% (docs/results.md §2) — and then says the number
//! the usual way, so a reader never needs a decoder. For 123*456:
//!
//! ```text
//! 123*6: 8370 = 738
//! 123*5: 5160 = 615
//! 123*4: 2940 = 492
//! sum: 88860 = 6888
//! sum: 880650 = 56088
//! check mod 9: 1+2=3+3=6 is 6, 4+5=9+6=15 is 6, 6*6=36 is 0, 5+6=11+0=11+8=19+8=27 is 0, ok
//! ```
//!
//! Partial products come one per digit of `b` from the right (zero digits included, as in
//! `compact`), each as `a*d`, its digits right to left padded to `len(a)+1`, then the number;
//! as on paper, the k-th row counts k places to the left. Running sums add the next row,
//! digits right to left padded to `len(a)+1+k`. Rows and sums do not restate their operands:
//! every token is paid for in training time, and the doubled numbers and the worked check make the
//! trace about 6.6× longer than `compact` (test `long_is_readable_at_a_measured_cost`). The check is
//! casting out nines: `(a mod 9)·(b mod 9)` reduced mod 9 must equal the result's residue. Every
//! residue is worked out on the line from written digits, one addition at a time
//! (`5+6=11+0=11+8=19+8=27 is 0`). It catches any
//! single wrong digit that is not a 0↔9 swap, which is why a forced mistake makes it fail (test
//! `a_wrong_line_fails_the_check`). An earlier form wrote the result's residue in one token
//! (`56088 is 0`): the first generalist, trained with 2% slips, learnt to copy the expected
//! residue there and passed 50 of 50 forced slips (docs/results.md §12). The second wrote the
//! result's digits as one sum (`5+6+0+8+8=27`) but each operand's residue in one token
//! (`7*0=0` for 7·336): it misjudged right products as wrong and its redo broke them (87.4% on
//! products, against 99.96%). So every residue is now worked out, and digit sums are chains of
//! the one-digit additions the model does everywhere else.
//!
//! With `mistake_rate` (a `MultConfig` key; the mix and the recovery traces of issue 14 use it) a
//! trace can carry one deliberate slip: one digit of one partial product or sum is changed (never
//! by 9, so the residue moves), the later sums carry it on, the check says `wrong`, and the trace
//! starts `again:` and redoes the calculation cleanly — "a mistake noticed and corrected".
//!
//! A 1×1 product has no sums; its trace is one line and the check.

use rand::{Rng, RngCore};

use super::trace::{digits_lsd, lsd_first, pow10};
use super::MultProblem;

/// The word a passing check ends with.
pub const CHECK_OK: &str = "ok";
/// The word a failing check ends with.
pub const CHECK_WRONG: &str = "wrong";
/// The line that starts the clean redo after a failed check.
pub const AGAIN: &str = "again:";

/// One computed line: the numbers it shows and the value it claims.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Line {
    /// `a * digit`, claiming `value`, with `width` digits of scratch, counting `shift` places left.
    Partial { digit: u8, value: u128, width: usize, shift: usize },
    /// The next running sum, claiming `value`, with `width` digits of scratch.
    Sum { value: u128, width: usize },
}

impl Line {
    fn render(self, a: u128) -> String {
        match self {
            Line::Partial { digit, value, width, .. } => format!("{a}*{digit}: {} = {value}", lsd_first(value, width)),
            Line::Sum { value, width } => format!("sum: {} = {value}", lsd_first(value, width)),
        }
    }

    /// The number this line contributes downstream (a partial product shifted into place).
    fn shown(self) -> u128 {
        match self {
            Line::Partial { value, shift, .. } => value.saturating_mul(pow10(shift)),
            Line::Sum { value, .. } => value,
        }
    }
}

/// The clean `long` lines (see the module doc).
pub fn long_lines(p: &MultProblem) -> Vec<String> {
    let a = u128::from(p.a);
    let mut lines: Vec<String> = computed(p, None).iter().map(|l| l.render(a)).collect();
    lines.push(check_line(p, p.product()));
    lines
}

/// `long` lines with one deliberate slip, its failed check, `again:` and the clean redo.
/// `rng` picks the line, the digit and the wrong digit.
pub fn long_lines_with_mistake(p: &MultProblem, rng: &mut dyn RngCore) -> Vec<String> {
    let a = u128::from(p.a);
    let clean = computed(p, None);
    let at = rng.gen_range(0..clean.len());
    let (width, value) = match clean[at] {
        Line::Partial { value, width, .. } | Line::Sum { value, width, .. } => (width, value),
    };
    let slipped = slip(value, width, rng);
    let wrong = computed(p, Some((at, slipped)));
    let result = wrong.last().map_or(0, |l| l.shown());
    let mut lines: Vec<String> = wrong.iter().map(|l| l.render(a)).collect();
    lines.push(check_line(p, result));
    lines.push(AGAIN.to_string());
    lines.extend(long_lines(p));
    lines
}

/// The lines of the calculation; `slip = Some((i, v))` makes line `i` claim `v`, and every later
/// sum is computed from what the earlier lines claim.
fn computed(p: &MultProblem, slip: Option<(usize, u128)>) -> Vec<Line> {
    let a = u128::from(p.a);
    let la = digits_lsd(a).len();
    let b_digits = digits_lsd(u128::from(p.b));
    let claim = |i: usize, right: u128| match slip {
        Some((at, v)) if at == i => v,
        _ => right,
    };
    let mut lines = Vec::new();
    for (j, &d) in b_digits.iter().enumerate() {
        let value = claim(lines.len(), a * u128::from(d));
        lines.push(Line::Partial { digit: d, value, width: la + 1, shift: j });
    }
    let mut sum = lines[0].shown();
    for k in 1..b_digits.len() {
        let right = lines[k].shown();
        let value = claim(lines.len(), sum.saturating_add(right));
        lines.push(Line::Sum { value, width: la + 1 + k });
        sum = value;
    }
    lines
}

/// `value` with one digit among its first `width` (LSD first) changed by 1..=8, so its residue
/// mod 9 changes; never negative.
fn slip(value: u128, width: usize, rng: &mut dyn RngCore) -> u128 {
    let pos = rng.gen_range(0..width.max(1));
    let place = pow10(pos);
    let digit = (value / place) % 10;
    let choices: Vec<u128> = (0..10u128).filter(|&d| d != digit && d.abs_diff(digit) != 9).collect();
    let new = choices[rng.gen_range(0..choices.len())];
    value - digit * place + new * place
}

/// `check mod 9: 1+2=3+3=6 is 6, 4+5=9+6=15 is 6, 6*6=36 is 0, 5+6=11+0=11+8=19+8=27 is 0, ok`
/// for a calculation of `p` that ended at `result`: each operand's residue and the result's
/// worked out from its written digits, as a chain of one-digit additions, then compared.
pub fn check_line(p: &MultProblem, result: u128) -> String {
    let (a, ra) = digit_chain(u128::from(p.a));
    let (b, rb) = digit_chain(u128::from(p.b));
    let (r, got) = digit_chain(result);
    let want = (ra * rb) % 9;
    let verdict = if want == got { CHECK_OK } else { CHECK_WRONG };
    format!("check mod 9: {a} is {ra}, {b} is {rb}, {ra}*{rb}={} is {want}, {r} is {got}, {verdict}", ra * rb)
}

/// `n`'s digits added one at a time, most significant first (`5+6=11+0=11+8=19+8=27`; a single
/// digit alone), and the residue mod 9 of their sum.
fn digit_chain(n: u128) -> (String, u128) {
    let digits: Vec<u128> = n.to_string().bytes().map(|b| u128::from(b - b'0')).collect();
    let mut text = digits[0].to_string();
    let mut sum = digits[0];
    for &d in &digits[1..] {
        sum += d;
        text.push_str(&format!("+{d}={sum}"));
    }
    (text, sum % 9)
}

/// Whether a written check line says its check passed (ends in `ok`); `None` if `line` is not a
/// check line.
pub fn check_passes(line: &str) -> Option<bool> {
    let rest = line.trim().strip_prefix("check mod 9:")?;
    Some(rest.trim_end().ends_with(CHECK_OK))
}
