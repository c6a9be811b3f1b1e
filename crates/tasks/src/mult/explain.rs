//! A reader's gloss of a `compact` multiplication trace, for `deepthink ask --explain`.
//!
//! The compact format is what a tiny model learns fastest (numbers least-significant digit first,
//! see [`super::trace`]) but it is opaque to a person. This turns each line the *model* wrote back
//! into normal notation, says which step it is meant to be, and checks it:
//! `8370  → 738 = 123×6 ✓`, `88860 → 6888 = 738 + 6150 ✓`.

use super::MultProblem;

/// The number a compact line denotes (its digits reversed), if it is all digits.
fn read_lsd_first(line: &str) -> Option<u128> {
    let line = line.trim();
    if line.is_empty() || line.len() > 38 || !line.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    line.chars().rev().collect::<String>().parse().ok()
}

/// One gloss per reasoning line of a compact trace of `p`.
pub fn explain_compact(p: &MultProblem, lines: &[&str]) -> Vec<String> {
    let a = u128::from(p.a);
    let b_digits: Vec<u128> = p.b.to_string().bytes().rev().map(|d| u128::from(d - b'0')).collect();
    let partial = |j: usize| a * b_digits[j] * 10u128.pow(j as u32);
    let mut sum = 0u128;
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let value = read_lsd_first(line);
            let (what, want) = if i < b_digits.len() {
                (format!("{a}×{}", b_digits[i]), a * b_digits[i])
            } else if i < 2 * b_digits.len() - 1 {
                let k = i - b_digits.len() + 1;
                let prev = if k == 1 { partial(0) } else { sum };
                sum = prev + partial(k);
                (format!("{prev} + {}", partial(k)), sum)
            } else {
                return format!("{line:<12} (an extra line)");
            };
            match value {
                Some(v) => format!("{line:<12} → {v} = {what} {}", if v == want { "✓" } else { "✗" }),
                None => format!("{line:<12} (not a number; expected {what} = {want})"),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glosses_the_reference_trace_and_flags_a_slip() {
        let p = MultProblem { a: 123, b: 456 };
        let lines = ["8370", "5160", "2940", "88860", "880650"];
        let g = explain_compact(&p, &lines);
        assert_eq!(g[0], "8370         → 738 = 123×6 ✓");
        assert_eq!(g[3], "88860        → 6888 = 738 + 6150 ✓");
        assert_eq!(g[4], "880650       → 56088 = 6888 + 49200 ✓");
        let g = explain_compact(&p, &["8371", "x"]);
        assert!(g[0].ends_with('✗') && g[1].contains("not a number"));
    }
}
