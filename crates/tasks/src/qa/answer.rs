//! Reading the model's answer out of a completion for free-text questions: the text after the
//! only `</think>`; inside it the content of `\boxed{…}` when there is one (several boxes must
//! agree), else the last non-empty line.
//!
//! Everything here is total (any string gives `None` or an answer, never a panic), and closes the
//! known reward hacks: an answer only inside the think block, a missing or repeated `</think>`,
//! an empty box, and two boxes with different answers are all *no answer*.

use crate::text::{THINK_CLOSE, THINK_OPEN};

/// The answer text of a completion, or `None` when it has none (see the module doc).
pub fn read_answer(completion: &str) -> Option<String> {
    if completion.matches(THINK_CLOSE).count() != 1 {
        return None;
    }
    let close = completion.find(THINK_CLOSE)?;
    match completion.match_indices(THINK_OPEN).map(|(i, _)| i).collect::<Vec<_>>().as_slice() {
        [] => {}
        [open] if *open < close => {}
        _ => return None,
    }
    let after = completion[close + THINK_CLOSE.len()..].trim();
    if after.is_empty() {
        return None;
    }
    match boxed_contents(after) {
        Some(boxes) if boxes.is_empty() => last_line(after),
        Some(boxes) => {
            let first = boxes[0].trim();
            if first.is_empty() || boxes.iter().any(|b| b.trim() != first) {
                return None;
            }
            Some(first.to_string())
        }
        None => None,
    }
}

/// The last non-empty line, trimmed.
fn last_line(text: &str) -> Option<String> {
    text.lines().map(str::trim).rfind(|l| !l.is_empty()).map(str::to_string)
}

/// The contents of every `\boxed{…}` (braces balanced inside); `None` if a box is never closed.
fn boxed_contents(text: &str) -> Option<Vec<&str>> {
    const OPEN: &str = "\\boxed{";
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(OPEN) {
        let body = &rest[at + OPEN.len()..];
        let mut depth = 1usize;
        let mut end = None;
        for (i, c) in body.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let end = end?;
        out.push(&body[..end]);
        rest = &body[end + 1..];
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::read_answer;

    #[test]
    fn the_box_wins_else_the_last_line() {
        assert_eq!(read_answer("<think>\nhm\n</think>\n\nso it is \\boxed{42}.").as_deref(), Some("42"));
        assert_eq!(read_answer("</think>\nworking\n\n 17 \n").as_deref(), Some("17"));
        assert_eq!(read_answer("</think>\\boxed{\\frac{1}{2}}").as_deref(), Some("\\frac{1}{2}"));
        assert_eq!(read_answer("</think>\\boxed{7} and again \\boxed{ 7 }").as_deref(), Some("7"));
    }

    #[test]
    fn reward_hacks_are_no_answer() {
        for hack in [
            "<think>\nthe answer is 42\n",        // no </think>: the answer only inside the think block
            "<think>\n42\n</think>\n\n",          // nothing after </think>
            "</think>\\boxed{}",                  // an empty box
            "</think>\\boxed{41} or \\boxed{42}", // two different answers
            "</think>\\boxed{42",                 // an unclosed box
            "<think>a</think>b</think>42",        // two </think>
            "</think><think>42",                  // <think> after </think>
        ] {
            assert_eq!(read_answer(hack), None, "{hack:?}");
        }
    }
}
