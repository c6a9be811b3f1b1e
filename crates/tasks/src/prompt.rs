//! Chain-of-thought prompting without fine-tuning: the four user-message styles
//! (plain, zero-shot CoT "think step by step" (Kojima et al. 2022), few-shot CoT (Wei et al. 2022),
//! and a long "supervised" instruction). Every prompt uses only the character-level vocabulary:
//! lowercase letters, digits, `+-*/=()[],.:|<>?!`, space and newline.

use crate::style::PromptStyle;

/// The generic part of the supervised instruction, after the task's own paragraph.
const SUPERVISED_TAIL: &str = "work like this: analyse the problem, make a plan, compute step by \
step with one step per line, and check the result before you answer. write all of your reasoning \
between <think> and </think>. after </think> give only the final answer, alone on one line.";

/// What a task contributes to its prompts.
pub(crate) struct PromptParts<'a> {
    /// The canonical question.
    pub question: &'a str,
    /// The task's paragraph of the supervised instruction.
    pub instruction: &'a str,
}

/// Renders the user message. `examples` (question, full assistant completion) is only
/// computed for `FewShot`.
pub(crate) fn render(
    style: PromptStyle,
    parts: &PromptParts<'_>,
    examples: impl FnOnce() -> Vec<(String, String)>,
) -> String {
    let q = parts.question;
    match style {
        PromptStyle::Plain => q.to_string(),
        PromptStyle::Cot => format!("{q}\nthink step by step."),
        PromptStyle::FewShot => {
            let mut out = String::new();
            for (question, completion) in examples() {
                out.push_str(&format!("{question}\n{completion}\n\n"));
            }
            out.push_str(q);
            out
        }
        PromptStyle::Supervised => {
            format!("{}\n{SUPERVISED_TAIL}\n\n{q}", parts.instruction)
        }
    }
}

/// Whether every character is in the character-level vocabulary.
pub fn in_vocabulary(text: &str) -> bool {
    text.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+-*/=()[],.:|<>?! \n".contains(c))
}
