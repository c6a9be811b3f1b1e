//! The text contract shared by every task (see docs/architecture.md, "The text contract"):
//! an assistant turn is `<think>\n` + reasoning lines + `\n</think>\n\n` + answer, one step per line.
//!
//! Everything here is total: any string, including arbitrary unicode, gives a result, never a panic.

/// Opening think marker.
pub const THINK_OPEN: &str = "<think>";
/// Closing think marker.
pub const THINK_CLOSE: &str = "</think>";

/// Renders a full assistant turn. No lines gives the empty think block used by `direct`.
///
/// ```
/// use deepthink_tasks::text::render_completion;
/// assert_eq!(render_completion(&[], "7"), "<think>\n\n</think>\n\n7");
/// assert_eq!(render_completion(&["a".into(), "b".into()], "7"), "<think>\na\nb\n</think>\n\n7");
/// ```
pub fn render_completion(lines: &[String], answer: &str) -> String {
    if lines.is_empty() {
        format!("{THINK_OPEN}\n\n{THINK_CLOSE}\n\n{answer}")
    } else {
        format!("{THINK_OPEN}\n{}\n{THINK_CLOSE}\n\n{answer}", lines.join("\n"))
    }
}

/// The reasoning text: after the first `<think>` (or from the start, when the prompt pre-filled it)
/// up to the first `</think>` (or to the end, when the completion was cut off).
pub fn think_block(completion: &str) -> &str {
    let start = completion.find(THINK_OPEN).map_or(0, |i| i + THINK_OPEN.len());
    let rest = &completion[start..];
    match rest.find(THINK_CLOSE) {
        Some(end) => &rest[..end],
        None => rest,
    }
}

/// The reasoning lines, trimmed, blank lines skipped. Step labels are one per element of this.
pub fn think_lines(completion: &str) -> Vec<&str> {
    think_block(completion).lines().map(str::trim).filter(|l| !l.is_empty()).collect()
}

/// Whether a completion answers without thinking: its think block holds no reasoning line (the
/// empty block `<think>\n\n</think>`, which the facts of `mix` are trained on).
pub fn answers_without_thinking(completion: &str) -> bool {
    think_lines(completion).is_empty()
}

/// The raw answer text: everything after the last `</think>`, trimmed; `None` if absent or empty.
pub fn raw_answer(completion: &str) -> Option<&str> {
    let end = completion.rfind(THINK_CLOSE)?;
    let answer = completion[end + THINK_CLOSE.len()..].trim();
    (!answer.is_empty()).then_some(answer)
}

/// The final answer if the completion is well formed: exactly one `</think>`, at most one
/// `<think>` and that one before it, and a non-empty single-line answer after it.
pub fn final_answer(completion: &str) -> Option<&str> {
    if completion.matches(THINK_CLOSE).count() != 1 {
        return None;
    }
    let opens: Vec<usize> = completion.match_indices(THINK_OPEN).map(|(i, _)| i).collect();
    let close = completion.find(THINK_CLOSE)?;
    match opens.as_slice() {
        [] => {}
        [open] if *open < close => {}
        _ => return None,
    }
    let answer = raw_answer(completion)?;
    (!answer.contains('\n')).then_some(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_lines_and_answer() {
        let c = "<think>\n12\n\n 34 \n</think>\n\n56\n";
        assert_eq!(think_lines(c), vec!["12", "34"]);
        assert_eq!(final_answer(c), Some("56"));
    }

    #[test]
    fn prefilled_and_truncated_completions() {
        assert_eq!(think_lines("1\n2\n</think>\n\n3"), vec!["1", "2"]);
        assert_eq!(final_answer("1\n2\n</think>\n\n3"), Some("3"));
        assert_eq!(think_lines("<think>\n1\n2"), vec!["1", "2"]);
        assert_eq!(final_answer("<think>\n1\n2"), None);
    }

    #[test]
    fn malformed_answers_are_none() {
        assert_eq!(final_answer("<think>\n</think>\n\n"), None);
        assert_eq!(final_answer("<think>\n</think>\n\n1\n2"), None);
        assert_eq!(final_answer("<think></think>1</think>1"), None);
        assert_eq!(final_answer("<think><think></think>1"), None);
        assert_eq!(final_answer("</think><think>1"), None);
        assert_eq!(raw_answer("<think></think> 5 "), Some("5"));
    }
}
