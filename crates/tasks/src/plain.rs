//! Questions as a person types them — "what is 12 times 34?", "1 + 1", "make 80 from 25, 5
//! and 4" — rewritten into the canonical forms the tasks parse (`12*34`, `1+1`, `25 5 4 -> 80`).
//!
//! A small model trained on canonical questions never sees these words; `ask` rewrites first and
//! then parses, so the model gets the question in the form it was trained on, and anything that
//! is still not a question form is refused with the forms that are. The rewriting is a fixed list
//! of phrases, not a parser of English: what it does not know it leaves alone. Canonical questions
//! pass through unchanged (property-tested for every task's generated questions).

/// Leading phrases dropped, longest first.
const OPENERS: &[&str] = &[
    "can you tell me what",
    "can you work out",
    "please calculate",
    "please compute",
    "how much is",
    "what is",
    "what's",
    "whats",
    "calculate",
    "compute",
    "work out",
    "solve",
];

/// Operator words and the symbol each becomes.
const OPERATORS: &[(&str, &str)] = &[
    ("multiplied by", "*"),
    ("times", "*"),
    ("×", "*"),
    ("·", "*"),
    ("plus", "+"),
    ("added to", "+"),
    ("minus", "-"),
    ("take away", "-"),
    ("−", "-"),
];

/// The canonical form of a typed question, or the text trimmed if no rule applies.
///
/// ```
/// use deepthink_tasks::plain::canonical_question;
/// assert_eq!(canonical_question("What is 12 times 34?"), "12*34");
/// assert_eq!(canonical_question("1 + 1"), "1+1");
/// assert_eq!(canonical_question("make 80 from 25, 5 and 4"), "25 5 4 -> 80");
/// assert_eq!(canonical_question("25 5 4 -> 80"), "25 5 4 -> 80");
/// ```
pub fn canonical_question(text: &str) -> String {
    let mut s = text.trim().to_lowercase();
    for opener in OPENERS {
        if let Some(rest) = s.strip_prefix(opener) {
            if rest.is_empty() || rest.starts_with(' ') {
                s = rest.trim().to_string();
                break;
            }
        }
    }
    let s = s.trim_end_matches(['?', '.', '!', ' ']).trim_end_matches("=").trim();
    if let Some(countdown) = countdown_phrase(s) {
        return countdown;
    }
    if s.contains("->") {
        return s.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    let mut out = format!(" {s} ");
    for (word, symbol) in OPERATORS {
        out = out.replace(&format!(" {word} "), &format!(" {symbol} "));
        if !word.is_ascii() {
            out = out.replace(word, symbol);
        }
    }
    let out: String = out.split_whitespace().collect();
    if is_arithmetic(&out) {
        out
    } else {
        text.trim().to_string()
    }
}

/// `make|reach|get T from|with|using N, N and N` → `N N N -> T`.
fn countdown_phrase(s: &str) -> Option<String> {
    let rest = ["make ", "reach ", "get "].iter().find_map(|v| s.strip_prefix(v))?;
    let (target, numbers) = ["from", "with", "using"].iter().find_map(|p| rest.split_once(&format!(" {p} ")))?;
    let target = target.trim();
    let numbers: Vec<&str> =
        numbers.split(|c: char| c == ',' || c.is_whitespace()).filter(|w| !w.is_empty() && *w != "and").collect();
    let all_numbers = |ws: &[&str]| ws.iter().all(|w| w.bytes().all(|b| b.is_ascii_digit()));
    (all_numbers(&[target]) && numbers.len() >= 2 && all_numbers(&numbers))
        .then(|| format!("{} -> {target}", numbers.join(" ")))
}

/// Digits around exactly one of `+ - *` (a leading `-` on the first operand allowed).
fn is_arithmetic(s: &str) -> bool {
    let body = s.strip_prefix('-').unwrap_or(s);
    let ops = body.chars().filter(|c| matches!(c, '+' | '-' | '*')).count();
    ops == 1 && body.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '*'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{entries, task_by_name};
    use crate::TaskConfig;

    #[test]
    fn typed_forms_become_canonical() {
        for (typed, canonical) in [
            ("what is 12 times 34?", "12*34"),
            ("What's 7 plus 8", "7+8"),
            ("12 x 34", "12 x 34"), // mult's own parser reads `x`
            ("12 × 34", "12*34"),
            ("1 + 1", "1+1"),
            ("1+1=", "1+1"),
            ("how much is 100 minus 250?", "100-250"),
            ("calculate 503 − 68", "503-68"),
            ("reach 24 using 4, 6, 1 and 1", "4 6 1 1 -> 24"),
            ("25  5 4 ->  80", "25 5 4 -> 80"),
            ("what is the capital of france?", "what is the capital of france?"),
        ] {
            assert_eq!(canonical_question(typed), canonical, "{typed}");
        }
    }

    #[test]
    fn generated_questions_pass_through_unchanged() {
        let mut rng = crate::seeded::SplitMix64::new(9);
        for e in entries().iter().filter(|e| e.name != "qa") {
            let cfg = TaskConfig::default().with("min_digits", 1).with("max_digits", 6);
            let task = task_by_name(e.name, &cfg).unwrap();
            for _ in 0..200 {
                let q = task.generate(&mut rng, crate::Split::Train).question();
                assert_eq!(canonical_question(&q), q, "{}", e.name);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = canonical_question(&s);
        }
    }
}
