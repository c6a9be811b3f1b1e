//! The learning half of a GRPO step: choose which completions go through the update, freeze the
//! sampling policy's (and the reference's) log-probs, then μ AdamW updates on the clipped
//! surrogate, micro-batch by micro-batch, with the gradient of the whole batch accumulated before
//! each optimizer step.
//!
//! Each micro-batch is a prefix batch (`deepthink_model::prefix_batch`): the completions of one
//! prompt follow a single copy of it, packed without padding, so neither the prompt's `G − 1`
//! repeats nor padding run through the forward and backward. A departure from TRL, which pads the
//! whole batch to its longest completion and repeats each prompt G times; the gradient is the
//! same (`crates/model/tests/prefix_batch.rs`).

use std::time::Instant;

use deepthink_model::ops::log_prob_and_entropy;
use deepthink_model::prefix_batch::PrefixBatch;
use deepthink_model::train_pass::Tape;
use deepthink_model::Model;

use crate::error::TrainError;
use crate::grpo::config::{GrpoConfig, StepMetrics};
use crate::grpo::loss::{grpo_loss_part, Completion};
use crate::grpo::policy::{backward_logps, completion_logps};
use crate::grpo::rollout::Rollout;
use crate::optim::{clip_grad_norm, AdamW};

/// One sampled completion, ready for the update.
pub struct Sample {
    tokens: Vec<u32>,
    prompt_len: usize,
    advantage: f32,
    old_logps: Vec<f32>,
    ref_logps: Option<Vec<f32>>,
    /// Leading completion tokens that were forced (see `Completion::forced`).
    forced: usize,
}

impl Sample {
    /// Prompt and completion tokens together.
    pub fn positions(&self) -> usize {
        self.tokens.len()
    }
}

/// The completions that go through the update: all of them (the same work as TRL), less whole
/// groups with zero advantage under `skip_zero_advantage`, less truncated ones under
/// `mask_truncated`. Counts skipped groups in `m`.
pub fn select_samples(rollout: &Rollout, advantages: &[f32], cfg: &GrpoConfig, m: &mut StepMetrics) -> Vec<Sample> {
    let mut samples = Vec::new();
    for (g, chunk) in advantages.chunks(cfg.group).enumerate() {
        if cfg.skip_zero_advantage && chunk.iter().all(|&a| a == 0.0) {
            m.skipped_groups += 1;
            continue;
        }
        for (j, &a) in chunk.iter().enumerate() {
            let k = g * cfg.group + j;
            if cfg.mask_truncated && rollout.is_truncated(k) {
                continue;
            }
            samples.push(Sample {
                tokens: rollout.sequence(k),
                prompt_len: rollout.prompts[k].len(),
                advantage: a,
                old_logps: Vec::new(),
                ref_logps: None,
                forced: rollout.forced[k],
            });
        }
    }
    samples
}

/// What the update needs besides the samples.
pub struct Learner<'a> {
    pub model: &'a mut Model,
    pub reference: Option<&'a Model>,
    pub opt: &'a mut AdamW,
    pub grads: &'a mut [f32],
    pub tape: &'a mut Tape,
    pub lr: f32,
}

/// Run the μ updates on `samples`; records KL, clip fraction, entropy, the forward and
/// backward time and the positions each kind of pass ran over in `m` (NaN — `null` in metrics.jsonl — when no sample went through). A
/// non-finite gradient norm stops the run before the weights change.
pub fn update(
    l: &mut Learner,
    samples: &mut [Sample],
    cfg: &GrpoConfig,
    step: u64,
    m: &mut StepMetrics,
) -> Result<(), TrainError> {
    if samples.is_empty() {
        (m.kl, m.clip_fraction, m.entropy) = (f64::NAN, f64::NAN, f64::NAN);
        return Ok(());
    }
    // With one update per batch the sampling policy *is* the current one: its log-probs come from
    // the update's own forward (ratio 1, as TRL does), and only the reference needs a pass.
    let single = cfg.inner_steps == 1;
    // Micro-batches are packed once; the frozen passes and every inner step reuse them.
    let packed: Vec<PrefixBatch> = samples.chunks(cfg.micro_batch).map(pack).collect();
    let positions: usize = packed.iter().map(PrefixBatch::rows).sum();
    m.update_tokens = positions * cfg.inner_steps;
    m.frozen_tokens = positions * (usize::from(!single) + usize::from(l.reference.is_some()));
    if !single || l.reference.is_some() {
        let t = Instant::now();
        for (part, batch) in samples.chunks_mut(cfg.micro_batch).zip(&packed) {
            // (the logits are dropped at once: only the log-probs are kept)
            let old = (!single).then(|| completion_logps(l.model, batch, l.tape).map(|(lp, _)| lp)).transpose()?;
            let reference = l.reference.map(|r| completion_logps(r, batch, l.tape).map(|(lp, _)| lp)).transpose()?;
            for (k, s) in part.iter_mut().enumerate() {
                if let Some(lp) = &old {
                    s.old_logps = lp[k].clone();
                }
                s.ref_logps = reference.as_ref().map(|r| r[k].clone());
            }
        }
        m.forward_s += t.elapsed().as_secs_f64();
    }
    let total_tokens: usize = samples.iter().map(|s| s.tokens.len() - s.prompt_len).sum();
    let denom = total_tokens.max(1) as f64;
    for _ in 0..cfg.inner_steps {
        l.grads.fill(0.0);
        let (mut kl, mut clip, mut ent) = (0.0, 0.0, 0.0);
        for (part, batch) in samples.chunks(cfg.micro_batch).zip(&packed) {
            let t = Instant::now();
            let (lp, logits) = completion_logps(l.model, batch, l.tape)?;
            ent += entropy_sum(&logits, batch, l.model.cfg.vocab_size);
            let comps: Vec<Completion> = part
                .iter()
                .zip(&lp)
                .map(|(s, lp)| Completion {
                    logps: lp,
                    old_logps: if single { lp } else { &s.old_logps },
                    ref_logps: s.ref_logps.as_deref(),
                    advantage: s.advantage,
                    forced: s.forced,
                })
                .collect();
            let out = grpo_loss_part(&comps, &cfg.surrogate, samples.len(), total_tokens);
            let part_tokens: usize = lp.iter().map(Vec::len).sum();
            kl += out.kl * part_tokens as f64;
            clip += out.clip_fraction * part_tokens as f64;
            m.forward_s += t.elapsed().as_secs_f64();
            let t = Instant::now();
            backward_logps(l.model, l.tape, logits, batch, &out.dlogps, l.grads);
            m.backward_s += t.elapsed().as_secs_f64();
        }
        let norm = clip_grad_norm(l.grads, cfg.clip);
        if !norm.is_finite() {
            return Err(TrainError::Config(format!(
                "step {step}: gradient norm {norm}; the last checkpoint was kept (try a lower --lr)"
            )));
        }
        l.opt.update(&mut l.model.params, l.grads, l.lr);
        m.kl = kl / denom;
        m.clip_fraction = clip / denom;
        m.entropy = ent / denom;
    }
    Ok(())
}

/// A micro-batch as a prefix batch: consecutive samples with the same prompt (a group's
/// completions, as `select_samples` keeps them) share one copy of it.
fn pack(samples: &[Sample]) -> PrefixBatch {
    let mut groups: Vec<(&[u32], Vec<&[u32]>)> = Vec::new();
    for s in samples {
        let (prompt, completion) = s.tokens.split_at(s.prompt_len);
        match groups.last_mut() {
            Some((p, completions)) if *p == prompt => completions.push(completion),
            _ => groups.push((prompt, vec![completion])),
        }
    }
    PrefixBatch::new(groups)
}

/// Summed entropy (nats) of the policy at every completion position.
fn entropy_sum(logits: &[f32], batch: &PrefixBatch, v: usize) -> f64 {
    batch
        .scored_tokens()
        .flatten()
        .map(|(row, _)| f64::from(log_prob_and_entropy(&logits[row * v..(row + 1) * v], 0).1))
        .sum()
}
