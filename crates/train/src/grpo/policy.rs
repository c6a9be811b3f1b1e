//! The policy side of a GRPO step: per-token log-probabilities of sampled completions from one
//! batched training forward pass, and the way back — from d loss / d logp to d loss / d logits
//! (through the log-softmax), then the model's own backward pass.
//!
//! The completions go through as a [`PrefixBatch`]: a group's prompt once, its completions after
//! it. Completion token `k` is predicted by the logits of the row before it, which for `k = 0` is
//! the prompt's last row, shared by every completion of the group (its d loss / d logits is the
//! sum of theirs). Prompt rows carry no gradient of their own.

use deepthink_model::prefix_batch::PrefixBatch;
use deepthink_model::train_pass::Tape;
use deepthink_model::{Model, ModelError};

/// `log softmax(row)[token]`, with the softmax left in `probs` for the backward pass.
fn logp_and_probs(row: &[f32], token: u32, probs: &mut Vec<f32>) -> f32 {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    probs.clear();
    probs.extend(row.iter().map(|&x| (x - max).exp()));
    let sum: f32 = probs.iter().sum();
    probs.iter_mut().for_each(|p| *p /= sum);
    row[token as usize] - max - sum.ln()
}

/// Log-probabilities of every completion token, group by group and completion by completion,
/// and the logits they came from (for backward).
pub fn completion_logps(
    model: &Model,
    batch: &PrefixBatch,
    tape: &mut Tape,
) -> Result<(Vec<Vec<f32>>, Vec<f32>), ModelError> {
    let logits = model.forward_train_prefix(batch, tape)?;
    let v = model.cfg.vocab_size;
    let mut probs = Vec::with_capacity(v);
    let logps = batch
        .scored_tokens()
        .map(|completion| {
            completion.map(|(row, tok)| logp_and_probs(&logits[row * v..(row + 1) * v], tok, &mut probs)).collect()
        })
        .collect();
    Ok((logps, logits))
}

/// Add d loss / d params to `grads`, given d loss / d logp of every completion token (in
/// [`completion_logps`]' order). `logits` is consumed as the buffer for d loss / d logits.
pub fn backward_logps(
    model: &Model,
    tape: &mut Tape,
    mut logits: Vec<f32>,
    batch: &PrefixBatch,
    dlogps: &[Vec<f32>],
    grads: &mut [f32],
) {
    let v = model.cfg.vocab_size;
    let mut dlogits = vec![0.0f32; logits.len()];
    let mut probs = Vec::with_capacity(v);
    for (completion, dc) in batch.scored_tokens().zip(dlogps) {
        for ((row, tok), &grad) in completion.zip(dc) {
            let at = row * v;
            logp_and_probs(&logits[at..at + v], tok, &mut probs);
            // d logp / d logit_j = 1[j = token] − softmax_j; the prompt's last row sums the
            // contributions of every completion it starts.
            for (j, (dl, &pj)) in dlogits[at..at + v].iter_mut().zip(&probs).enumerate() {
                *dl += grad * (f32::from(u8::from(j == tok as usize)) - pj);
            }
        }
    }
    std::mem::swap(&mut logits, &mut dlogits);
    model.backward(tape, &logits, grads);
}
