//! Turning conversations into token sequences with a completion-only loss mask, and packing
//! them into padded batches.

use deepthink_model::{ChatTokenizer, Message, ModelError};

/// One training example: prompt tokens (no loss) and completion tokens (loss), the latter
/// ending with end-of-sequence.
#[derive(Clone, Debug, PartialEq)]
pub struct Example {
    pub prompt: Vec<u32>,
    pub completion: Vec<u32>,
    /// Verifier examples: `(position, label token)` pairs. When present, the loss is taken only
    /// at these positions of `prompt ++ completion` (the logits *at* the position predict the
    /// label, as in Math-Shepherd), and every token is an input.
    pub readouts: Vec<(usize, u32)>,
}

impl Example {
    pub fn len(&self) -> usize {
        self.prompt.len() + self.completion.len()
    }
    /// Positions fed to the model: all but the last token for next-token examples (the last is
    /// only a target), every token for readout examples.
    pub fn input_len(&self) -> usize {
        if self.readouts.is_empty() {
            self.len().saturating_sub(1)
        } else {
            self.len()
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Encode `messages` (ending with the user turn) and the assistant's reply.
///
/// The prompt is the chat template's generation prompt; when the reply begins with the
/// pre-filled `<think>\n` (as every deepthink trace does) that prefix belongs to the prompt, so
/// training sees exactly what inference will: the model writes from inside the think block.
pub fn encode_example(tok: &ChatTokenizer, messages: &[Message], reply: &str) -> Result<Example, ModelError> {
    let (prompt_text, body) = match reply.strip_prefix("<think>\n") {
        Some(rest) => (tok.render(messages, true, true)?, rest),
        None => {
            let mut p = tok.render(messages, false, true)?;
            p.push_str("<|assistant|>");
            (p, reply)
        }
    };
    let prompt = tok.encode(&prompt_text)?;
    let mut completion = tok.encode(body)?;
    completion.push(tok.eos_id());
    Ok(Example { prompt, completion, readouts: Vec::new() })
}

/// A padded batch: `tokens (batch × seq)` and next-token targets, `None` where no loss is taken.
pub struct Batch {
    pub tokens: Vec<u32>,
    pub targets: Vec<Option<u32>>,
    pub batch: usize,
    pub seq: usize,
    /// Positions that carry loss.
    pub loss_tokens: usize,
    /// Positions holding real tokens (not padding).
    pub real_tokens: usize,
}

/// Right-pad examples to the longest (inputs are the sequence without its last token; targets
/// are the next tokens of the completion part only, or the readout labels of a verifier
/// example). Examples longer than `max_len` are cut.
pub fn make_batch(examples: &[&Example], pad: u32, max_len: usize) -> Batch {
    let seq = examples.iter().map(|e| e.input_len()).max().unwrap_or(0).min(max_len).max(1);
    let mut tokens = vec![pad; examples.len() * seq];
    let mut targets = vec![None; examples.len() * seq];
    let (mut loss_tokens, mut real_tokens) = (0, 0);
    for (b, e) in examples.iter().enumerate() {
        let full: Vec<u32> = e.prompt.iter().chain(&e.completion).copied().collect();
        let n = e.input_len().min(seq);
        real_tokens += n;
        tokens[b * seq..b * seq + n].copy_from_slice(&full[..n]);
        if e.readouts.is_empty() {
            for i in e.prompt.len().saturating_sub(1)..n {
                targets[b * seq + i] = Some(full[i + 1]);
                loss_tokens += 1;
            }
        } else {
            for &(pos, label) in e.readouts.iter().filter(|(pos, _)| *pos < n) {
                targets[b * seq + pos] = Some(label);
                loss_tokens += 1;
            }
        }
    }
    Batch { tokens, targets, batch: examples.len(), seq, loss_tokens, real_tokens }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loss_covers_exactly_the_completion() {
        let tok = ChatTokenizer::char_level().unwrap();
        let e = encode_example(&tok, &[Message::user("2*3")], "<think>\n\n</think>\n\n6").unwrap();
        assert_eq!(tok.decode(&e.prompt), "2*3<think>\n");
        assert_eq!(e.completion.len(), "\n</think>\n\n6".len() - "</think>".len() + 1 + 1);
        let b = make_batch(&[&e], tok.eos_id(), 100);
        assert_eq!(b.loss_tokens, e.completion.len());
        // the first target is the first completion token, predicted from the last prompt token
        let first = e.prompt.len() - 1;
        assert_eq!(b.targets[first], Some(e.completion[0]));
        assert_eq!(b.targets[first - 1], None);
    }

    #[test]
    fn readout_examples_take_loss_only_at_their_readouts() {
        let e = Example { prompt: vec![], completion: vec![5, 6, 7, 8], readouts: vec![(1, 40), (3, 41)] };
        let b = make_batch(&[&e], 0, 100);
        assert_eq!(b.seq, 4, "every token is an input, the last one included");
        assert_eq!(b.tokens, vec![5, 6, 7, 8]);
        assert_eq!(b.targets, vec![None, Some(40), None, Some(41)]);
        assert_eq!(b.loss_tokens, 2);
    }
}
