//! The policy side of a GRPO step: per-token log-probabilities of sampled completions from one
//! batched training forward pass, and the way back — from d loss / d logp to d loss / d logits
//! (through the log-softmax), then the model's own backward pass.
//!
//! A completion token at position `p` is predicted by the logits at `p − 1`, so each sequence
//! names where its completion starts (`CompletionSpan`); prompt and padding positions carry no
//! gradient.

use deepthink_model::train_pass::Tape;
use deepthink_model::{Model, ModelError};

/// Where one sequence's completion lies in the padded `(batch × seq)` token grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompletionSpan {
    /// Position of the completion's first token within its row.
    pub start: usize,
    /// Completion tokens (all inside the row).
    pub len: usize,
}

/// `log softmax(row)[token]`, with the softmax left in `probs` for the backward pass.
fn logp_and_probs(row: &[f32], token: u32, probs: &mut Vec<f32>) -> f32 {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    probs.clear();
    probs.extend(row.iter().map(|&x| (x - max).exp()));
    let sum: f32 = probs.iter().sum();
    probs.iter_mut().for_each(|p| *p /= sum);
    row[token as usize] - max - sum.ln()
}

/// Log-probabilities of every completion token, and the logits they came from (for backward).
pub fn completion_logps(
    model: &Model,
    tokens: &[u32],
    batch: usize,
    seq: usize,
    spans: &[CompletionSpan],
    tape: &mut Tape,
) -> Result<(Vec<Vec<f32>>, Vec<f32>), ModelError> {
    check_spans(spans, batch, seq)?;
    let logits = model.forward_train_with(tokens, batch, seq, tape)?;
    let v = model.cfg.vocab_size;
    let mut probs = Vec::with_capacity(v);
    let logps = spans
        .iter()
        .enumerate()
        .map(|(b, s)| {
            (s.start..s.start + s.len)
                .map(|p| {
                    let row = &logits[(b * seq + p - 1) * v..(b * seq + p) * v];
                    logp_and_probs(row, tokens[b * seq + p], &mut probs)
                })
                .collect()
        })
        .collect();
    Ok((logps, logits))
}

/// Add d loss / d params to `grads`, given d loss / d logp of every completion token.
/// `logits` is consumed as the buffer for d loss / d logits.
#[allow(clippy::too_many_arguments)]
pub fn backward_logps(
    model: &Model,
    tape: &mut Tape,
    mut logits: Vec<f32>,
    tokens: &[u32],
    seq: usize,
    spans: &[CompletionSpan],
    dlogps: &[Vec<f32>],
    grads: &mut [f32],
) {
    let v = model.cfg.vocab_size;
    let mut dlogits = vec![0.0f32; logits.len()];
    let mut probs = Vec::with_capacity(v);
    for (b, (s, d)) in spans.iter().zip(dlogps).enumerate() {
        for (k, &g) in d.iter().enumerate().take(s.len) {
            let p = s.start + k;
            let at = (b * seq + p - 1) * v;
            let tok = tokens[b * seq + p] as usize;
            logp_and_probs(&logits[at..at + v], tok as u32, &mut probs);
            // d logp / d logit_j = 1[j = token] − softmax_j
            for (j, (dl, &pj)) in dlogits[at..at + v].iter_mut().zip(&probs).enumerate() {
                *dl = g * (f32::from(u8::from(j == tok)) - pj);
            }
        }
    }
    std::mem::swap(&mut logits, &mut dlogits);
    model.backward(tape, &logits, grads);
}

fn check_spans(spans: &[CompletionSpan], batch: usize, seq: usize) -> Result<(), ModelError> {
    if spans.len() != batch {
        return Err(ModelError::Input(format!("{} completion spans for a batch of {batch}", spans.len())));
    }
    if let Some(s) = spans.iter().find(|s| s.start == 0 || s.start + s.len > seq) {
        return Err(ModelError::Input(format!(
            "a completion span at {}..{} does not fit a row of {seq} after a non-empty prompt",
            s.start,
            s.start + s.len
        )));
    }
    Ok(())
}
