//! Comparing answers to free-text questions, under one of three modes, through a normal form
//! that is also the `answer_key` votes and searches group answers by:
//!
//! - `numeric`: signs, thousands separators (`1,234`), decimals (`2.50`) and fractions (`3/4`),
//!   compared exactly as rationals — `2.5`, `5/2` and `+2.50` are one answer. Numbers of more
//!   than 36 significant digits are not read (no answer), so a 10,000-digit string cannot pass
//!   for a number or cost time.
//! - `exact`: the trimmed text, byte for byte.
//! - `text`: case, runs of whitespace and trailing punctuation ignored (`Paris.` = `paris`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::TaskError;

/// How a reference answer and the model's answer are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnswerMode {
    Numeric,
    Exact,
    Text,
}

impl AnswerMode {
    /// Every mode, by name.
    pub const ALL: &'static [AnswerMode] = &[AnswerMode::Numeric, AnswerMode::Exact, AnswerMode::Text];

    pub fn name(self) -> &'static str {
        match self {
            AnswerMode::Numeric => "numeric",
            AnswerMode::Exact => "exact",
            AnswerMode::Text => "text",
        }
    }

    /// `numeric` when the reference reads as a number, else `text`.
    pub fn guess(reference: &str) -> AnswerMode {
        if numeric_key(reference).is_some() {
            AnswerMode::Numeric
        } else {
            AnswerMode::Text
        }
    }

    /// The normal form of an answer under this mode; `None` if it has none (not a number, empty).
    pub fn key(self, answer: &str) -> Option<String> {
        match self {
            AnswerMode::Numeric => numeric_key(answer),
            AnswerMode::Exact => Some(answer.trim().to_string()).filter(|a| !a.is_empty()),
            AnswerMode::Text => text_key(answer),
        }
    }
}

impl fmt::Display for AnswerMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for AnswerMode {
    type Err = TaskError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        AnswerMode::ALL.iter().copied().find(|m| m.name() == wanted).ok_or_else(|| TaskError::UnknownName {
            kind: "answer mode",
            value: s.to_string(),
            expected: "numeric, exact, text".to_string(),
        })
    }
}

/// Most significant digits a numeric answer may have.
const MAX_DIGITS: usize = 36;

/// Lower-case, whitespace collapsed, trailing `.,;:!?` and surrounding quotes removed.
fn text_key(answer: &str) -> Option<String> {
    let words: Vec<String> = answer.split_whitespace().map(str::to_lowercase).collect();
    let joined = words.join(" ");
    let trimmed = joined.trim_end_matches(['.', ',', ';', ':', '!', '?']).trim_matches(['"', '\'', '`']).trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

/// `n` or `n/d` in lowest terms (`d > 1`), with a leading `-` for negatives; `None` if the text is
/// not one number.
fn numeric_key(answer: &str) -> Option<String> {
    let s: String = answer.trim().chars().filter(|c| !c.is_whitespace()).collect();
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(&s)),
    };
    let (num, den) = match body.split_once('/') {
        Some((a, b)) => {
            let (an, ad) = decimal(a)?;
            let (bn, bd) = decimal(b)?;
            if bn == 0 {
                return None;
            }
            (an.checked_mul(bd)?, ad.checked_mul(bn)?)
        }
        None => decimal(body)?,
    };
    let g = gcd(num, den).max(1);
    let (num, den) = (num / g, den / g);
    let sign = if neg && num != 0 { "-" } else { "" };
    Some(if den == 1 { format!("{sign}{num}") } else { format!("{sign}{num}/{den}") })
}

/// An unsigned decimal with optional thousands separators and fraction digits, as `num/den`.
fn decimal(text: &str) -> Option<(u128, u128)> {
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, f),
        None => (text, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let int = strip_separators(int)?;
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = format!("{int}{frac}");
    let significant = digits.trim_start_matches('0');
    if significant.len() > MAX_DIGITS || frac.len() > MAX_DIGITS {
        return None;
    }
    let num: u128 = if significant.is_empty() { 0 } else { significant.parse().ok()? };
    Some((num, 10u128.checked_pow(frac.len() as u32)?))
}

/// Digits, with `,` allowed only as a thousands separator (`1,234,567`).
fn strip_separators(int: &str) -> Option<String> {
    if !int.contains(',') {
        return int.bytes().all(|b| b.is_ascii_digit()).then(|| int.to_string());
    }
    let groups: Vec<&str> = int.split(',').collect();
    let first_ok = (1..=3).contains(&groups[0].len());
    let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
    let digits = groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
    (first_ok && rest_ok && digits).then(|| groups.concat())
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::AnswerMode::{self, Exact, Numeric, Text};

    #[test]
    fn numbers_compare_as_rationals() {
        let same = ["2.5", "5/2", "+2.50", "10/4", " 2.5 ", "2.500"];
        for s in same {
            assert_eq!(Numeric.key(s).as_deref(), Some("5/2"), "{s}");
        }
        assert_eq!(Numeric.key("1,234,567").as_deref(), Some("1234567"));
        assert_eq!(Numeric.key("-0").as_deref(), Some("0"));
        assert_eq!(Numeric.key("-3/6").as_deref(), Some("-1/2"));
        assert_eq!(Numeric.key(".5").as_deref(), Some("1/2"));
        for bad in ["12,34", "1,2345", "1/0", "abc", "", "1.2.3", "--1", "1e5", "42 or 43", "41, 42", "5/"] {
            assert_eq!(Numeric.key(bad), None, "{bad}");
        }
        assert_eq!(Numeric.key(&"9".repeat(10_000)), None, "a 10,000-digit number is not read");
        assert_eq!(Numeric.key(&format!("0.{}", "0".repeat(10_000))), None);
    }

    #[test]
    fn text_and_exact_modes() {
        assert_eq!(Text.key("  The   Eiffel Tower. "), Text.key("the eiffel tower"));
        assert_ne!(Text.key("paris"), Text.key("rome"));
        assert_eq!(Text.key(" ?! "), None);
        assert_eq!(Exact.key(" Paris "), Some("Paris".into()));
        assert_ne!(Exact.key("Paris"), Exact.key("paris"));
        assert_eq!(AnswerMode::guess("1,000"), Numeric);
        assert_eq!(AnswerMode::guess("olleh"), Text);
        assert_eq!("TEXT".parse::<AnswerMode>().unwrap(), Text);
        assert!("fuzzy".parse::<AnswerMode>().unwrap_err().to_string().contains("numeric, exact, text"));
    }
}
