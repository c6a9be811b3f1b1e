//! Two ways to write numbers in reasoning — DeepSeek-R1's *language mixing*, in miniature.
//!
//! R1-Zero's reasoning switched between English and Chinese inside one trace; R1 added a
//! language-consistency reward, the fraction of the reasoning written in the target language.
//! Here the "languages" are two notations for numerals: **digits** (`738`, the target) and
//! **letters** (`hdi`: 0–9 written a–j). A base corpus can switch notation inside a trace
//! (`train pretrain --notation-switch RATE`), so an RL policy grown from it mixes them.
//!
//! A numeral is a maximal run of digits, or a whole word made only of the letters a–j (so `check`,
//! `mod`, `sum`, `ok`, `again` are words, not numerals; traces must not use words such as `bad`).

/// The numerals of a text, by notation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Numerals {
    pub digits: usize,
    pub letters: usize,
}

impl Numerals {
    /// The share written in digits (the target notation); `None` without numerals.
    pub fn digit_share(&self) -> Option<f64> {
        let all = self.digits + self.letters;
        (all > 0).then(|| self.digits as f64 / all as f64)
    }

    /// Both notations appear.
    pub fn mixed(&self) -> bool {
        self.digits > 0 && self.letters > 0
    }
}

fn is_letter_numeral(word: &str) -> bool {
    !word.is_empty() && word.bytes().all(|b| (b'a'..=b'j').contains(&b))
}

/// Split `text` into maximal runs of ASCII letters, digits, and everything else.
fn runs(text: &str) -> impl Iterator<Item = &str> {
    let class = |c: char| {
        if c.is_ascii_digit() {
            0
        } else if c.is_ascii_alphabetic() {
            1
        } else {
            2
        }
    };
    let mut rest = text;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let end = rest.find(|c: char| class(c) != class(first)).unwrap_or(rest.len());
        let (run, tail) = rest.split_at(end);
        rest = tail;
        Some(run)
    })
}

/// Count the numerals of `text` in each notation.
pub fn numerals(text: &str) -> Numerals {
    let mut n = Numerals::default();
    for run in runs(text) {
        if run.bytes().all(|b| b.is_ascii_digit()) && !run.is_empty() {
            n.digits += 1;
        } else if is_letter_numeral(run) {
            n.letters += 1;
        }
    }
    n
}

/// `text` with every digit written as a letter (0 → a … 9 → j).
pub fn to_letters(text: &str) -> String {
    text.chars().map(|c| if let Some(d) = c.to_digit(10) { char::from(b'a' + d as u8) } else { c }).collect()
}

/// `text` with every letter numeral written in digits; other words are kept.
pub fn to_digits(text: &str) -> String {
    runs(text)
        .map(|run| {
            if is_letter_numeral(run) {
                run.bytes().map(|b| char::from(b'0' + (b - b'a'))).collect()
            } else {
                run.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numerals_are_counted_per_notation_and_words_are_not_numerals() {
        let line = "123*6: 8370 = 738";
        assert_eq!(numerals(line), Numerals { digits: 4, letters: 0 });
        let mixed = format!("{line}\n{}", to_letters("sum: 880650 = 56088"));
        assert_eq!(to_letters("sum: 880650 = 56088"), "sum: iiagfa = fgaii");
        assert_eq!(numerals(&mixed), Numerals { digits: 4, letters: 2 });
        assert!(numerals(&mixed).mixed());
        assert_eq!(numerals("check mod 9: ok, again").digits, 1);
        assert_eq!(numerals("check mod 9: ok, again").letters, 0);
        assert_eq!(numerals("no numbers here").digit_share(), None);
        assert_eq!(to_digits("check mod j: gfa is a, ok"), "check mod 9: 650 is 0, ok");
    }

    proptest! {
        #[test]
        fn letters_and_back_is_the_identity_on_arithmetic_lines(a in 0u64..1_000_000, b in 0u64..1000) {
            let line = format!("{a}*{b}: {} = {}", a * b, a + b);
            prop_assert_eq!(to_digits(&to_letters(&line)), line.clone());
            let n = numerals(&line);
            prop_assert_eq!(numerals(&to_letters(&line)), Numerals { digits: 0, letters: n.digits });
        }
    }
}
