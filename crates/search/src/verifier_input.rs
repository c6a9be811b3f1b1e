//! How a verifier reads a solution: the question's chat prompt, then the reasoning one line at a
//! time, with a *readout position* at the end of every step (Math-Shepherd's step tag, Wang et al.
//! 2024). The verifier's logits at a readout position, restricted to the tokens `+` and `-`, give
//! the probability that the solution is still on track there.
//!
//! Steps are the non-blank reasoning lines (as `text::think_lines` counts them), each read at its
//! closing newline, and — once the solution is complete — the answer, read at an appended
//! end-of-sequence token. So a solution with `k` reasoning lines has `k` readouts while partial
//! and `k + 1` when complete; step labels from `Task::step_labels` line up with the first `k`.
//! Segments are encoded separately and concatenated, so the positions are exact for any tokenizer.

use deepthink_model::{ChatTokenizer, KvCache, Message, Model, ModelError, StepToken};

use crate::error::SearchError;

/// The token that means "on track" / "correct".
pub const GOOD: &str = "+";
/// The token that means "off track" / "wrong".
pub const BAD: &str = "-";

/// A solution ready for the verifier.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifierInput {
    pub tokens: Vec<u32>,
    /// Positions whose logits score a step, in step order.
    pub readouts: Vec<usize>,
    /// Tokens of the prompt (question and the pre-filled `<think>\n`); step 0 starts here.
    pub prompt_len: usize,
}

impl VerifierInput {
    /// Positions of step `k`: from just after the previous readout to its own readout.
    pub fn step_span(&self, k: usize) -> std::ops::RangeInclusive<usize> {
        let start = if k == 0 { self.prompt_len } else { self.readouts[k - 1] + 1 };
        start..=self.readouts[k]
    }
}

/// Encode `question` and `completion` (the assistant turn, starting with the pre-filled
/// `<think>\n`); `complete` adds the answer's readout at an end-of-sequence token.
pub fn verifier_input(
    tok: &ChatTokenizer,
    question: &str,
    completion: &str,
    complete: bool,
) -> Result<VerifierInput, ModelError> {
    let mut tokens = tok.encode(&tok.render(&[Message::user(question)], true, true)?)?;
    let prompt_len = tokens.len();
    let body = completion.strip_prefix(tok.generation_prefill(true)).unwrap_or(completion);
    let (reasoning, answer) = match body.find("</think>") {
        Some(i) => (&body[..i], Some(&body[i..])),
        None => (body, None),
    };
    let mut readouts = Vec::new();
    for segment in reasoning.split_inclusive('\n') {
        tokens.extend(tok.encode(segment)?);
        if segment.ends_with('\n') && !segment.trim().is_empty() {
            readouts.push(tokens.len() - 1);
        }
    }
    if let Some(answer) = answer {
        tokens.extend(tok.encode(answer)?);
    }
    if complete {
        tokens.push(tok.eos_id());
        readouts.push(tokens.len() - 1);
    }
    Ok(VerifierInput { tokens, readouts, prompt_len })
}

/// Read `inputs` teacher-forced through `model` in one ragged prefill, returning the logits of
/// the positions `want(input, position)` selects, input after input, in position order. `reader`
/// names the model in the error for a solution longer than its context.
pub fn read_logits(
    model: &Model,
    inputs: &[VerifierInput],
    want: impl Fn(&VerifierInput, usize) -> bool,
    reader: &str,
) -> Result<Vec<f32>, SearchError> {
    let longest = inputs.iter().map(|v| v.tokens.len()).max().unwrap_or(0);
    if longest > model.cfg.max_seq_len {
        return Err(SearchError::Verifier(format!(
            "a solution of {longest} tokens is longer than the {reader}'s context ({})",
            model.cfg.max_seq_len
        )));
    }
    let mut steps = Vec::new();
    for (slot, v) in inputs.iter().enumerate() {
        steps.extend(v.tokens.iter().enumerate().map(|(i, &token)| StepToken { slot, token, want_logits: want(v, i) }));
    }
    let mut cache = KvCache::new(model, inputs.len(), longest.max(1));
    Ok(model.forward_step(&mut cache, &steps)?.to_vec())
}

/// The ids of the `+` and `-` readout tokens.
pub fn label_ids(tok: &ChatTokenizer) -> Result<(u32, u32), ModelError> {
    let id = |s: &str| {
        tok.token_id(s)
            .ok_or_else(|| ModelError::Input(format!("the verifier's tokenizer has no `{s}` token for its readout")))
    };
    Ok((id(GOOD)?, id(BAD)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use deepthink_tasks::text::think_lines;

    #[test]
    fn one_readout_per_reasoning_line_plus_the_answer() {
        let tok = ChatTokenizer::char_level().unwrap();
        let done = "<think>\n123*6=738\n\n123*50=6150\n</think>\n\n6888";
        let v = verifier_input(&tok, "123*56", done, true).unwrap();
        assert_eq!(v.readouts.len(), think_lines(done).len() + 1);
        let nl = tok.encode("\n").unwrap()[0];
        for &r in &v.readouts[..2] {
            assert_eq!(v.tokens[r], nl);
        }
        assert_eq!(v.tokens[*v.readouts.last().unwrap()], tok.eos_id());
        assert_eq!(*v.readouts.last().unwrap(), v.tokens.len() - 1);
        // a partial solution: the unfinished last line has no readout yet
        let partial = verifier_input(&tok, "123*56", "<think>\n123*6=738\n123*5", false).unwrap();
        assert_eq!(partial.readouts.len(), 1);
        assert_eq!(&partial.tokens[..v.readouts[0] + 1], &v.tokens[..v.readouts[0] + 1]);
    }
}
