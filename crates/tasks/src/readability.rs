//! How readable a trace is, as one number the pipeline's report can track from stage to stage.
//!
//! DeepSeek-R1 made R1-Zero's traces readable in two ways: a language-consistency reward, and
//! cold-start data filtered and polished by people ("a readable pattern"). Our readability score
//! counts what those fix in our traces: a reasoning line is *readable* when it is written in the
//! target notation only (no letter numerals: [`crate::notation`]) and does not repeat an earlier
//! line of the same trace. The score of a trace is the share of its reasoning lines that are
//! readable; a trace with no reasoning has none (`None`), so answering without thinking neither
//! helps nor hurts it.
//!
//! It does not judge whether the reasoning is *right* (the verifier does), nor the compact mult
//! trace's right-to-left digits, which are readable only with a gloss (`ask --explain`).

use std::collections::HashSet;

use crate::notation::numerals;
use crate::text::think_lines;

/// The share of `completion`'s reasoning lines that are readable; `None` without reasoning.
pub fn readability(completion: &str) -> Option<f64> {
    let lines = think_lines(completion);
    if lines.is_empty() {
        return None;
    }
    let mut seen = HashSet::new();
    let readable = lines.iter().filter(|l| seen.insert(**l) && numerals(l).letters == 0).count();
    Some(readable as f64 / lines.len() as f64)
}

/// Language consistency as R1 rewards it: the share of the reasoning's numerals written in the
/// target notation (digits); 1 when the reasoning has no numerals.
pub fn notation_consistency(completion: &str) -> f64 {
    numerals(crate::text::think_block(completion)).digit_share().unwrap_or(1.0)
}

/// Whether the reasoning mixes notations.
pub fn mixes_notation(completion: &str) -> bool {
    numerals(crate::text::think_block(completion)).mixed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readable_lines_are_in_digits_and_new() {
        let clean = "<think>\n123*6=738\n123*5=615\n</think>\n\n1353";
        assert_eq!(readability(clean), Some(1.0));
        let repeated = "<think>\n123*6=738\n123*6=738\n</think>\n\n738";
        assert_eq!(readability(repeated), Some(0.5));
        let mixed = "<think>\n123*6=738\nbcd*f=gbf\n</think>\n\n1353";
        assert_eq!(readability(mixed), Some(0.5));
        assert!(mixes_notation(mixed) && !mixes_notation(clean));
        assert!((notation_consistency(mixed) - 0.5).abs() < 1e-12);
        assert_eq!(readability("<think>\n\n</think>\n\n2"), None);
        assert_eq!(notation_consistency("<think>\n\n</think>\n\n2"), 1.0, "the answer is not reasoning");
    }
}
