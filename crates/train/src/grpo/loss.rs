//! The GRPO objective and its gradient with respect to each completion token's log-probability
//! (the trainer turns that into logit gradients through the log-softmax).
//!
//! Per token (TRL's `GRPOTrainer._compute_loss`): ratio r = exp(logp − logp_old); surrogate
//! −min(r·A, clip(r, 1−ε_low, 1+ε_high)·A) (PPO, Schulman et al. 2017); plus β times the k3 KL
//! estimate exp(ref − logp) − (ref − logp) − 1 (Schulman 2020) when a frozen reference is given.
//! How per-token losses become one number is [`Aggregation`]: this choice is where GRPO and its
//! successors differ, and what decides whether long wrong answers are punished less than short ones.

use serde::{Deserialize, Serialize};

/// How per-token losses are averaged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Aggregation {
    /// DeepSeekMath's GRPO: mean over each completion's tokens, then over completions. Each
    /// completion weighs the same, so a token of a long completion counts less — the length bias
    /// Dr. GRPO points out (long wrong answers are punished less per token).
    Grpo,
    /// Dr. GRPO (Liu et al. 2025, "Understanding R1-Zero-Like Training"): sum over all tokens,
    /// divided by a constant (completions × the maximum completion length), so every token weighs
    /// the same whatever its completion's length. Pair with unscaled advantages.
    DrGrpo,
    /// DAPO (Yu et al. 2025): token-level mean over every token of the batch.
    Dapo,
}

impl std::str::FromStr for Aggregation {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "grpo" => Ok(Aggregation::Grpo),
            "dr-grpo" => Ok(Aggregation::DrGrpo),
            "dapo" => Ok(Aggregation::Dapo),
            other => Err(format!("unknown loss aggregation `{other}`; known: grpo, dr-grpo, dapo")),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SurrogateConfig {
    pub epsilon_low: f32,
    pub epsilon_high: f32,
    /// KL weight (0: no reference model needed).
    pub beta: f32,
    pub aggregation: Aggregation,
    /// The generation cap (Dr. GRPO's constant normaliser).
    pub max_completion_len: usize,
}

impl Default for SurrogateConfig {
    fn default() -> Self {
        SurrogateConfig {
            epsilon_low: 0.2,
            epsilon_high: 0.2,
            beta: 0.0,
            aggregation: Aggregation::Grpo,
            max_completion_len: 256,
        }
    }
}

/// One completion's inputs: log-probabilities of its tokens under the current policy, under the
/// policy that sampled it, and (if β > 0) under the reference; and its advantage.
pub struct Completion<'a> {
    pub logps: &'a [f32],
    pub old_logps: &'a [f32],
    pub ref_logps: Option<&'a [f32]>,
    pub advantage: f32,
    /// Leading tokens that were forced, not sampled (an empty think block written for the policy):
    /// they get the surrogate but no KL term. k3 estimates the KL only on the policy's own
    /// samples; on a token the policy finds unlikely, exp(ref − logp) explodes as soon as the
    /// update lowers it further, and its gradient swamps the rest.
    pub forced: usize,
}

/// The loss, d loss / d logp for every token, and what the progress bar shows.
#[derive(Clone, Debug, Default)]
pub struct SurrogateOut {
    pub loss: f64,
    pub dlogps: Vec<Vec<f32>>,
    /// Mean k3 KL per token (0 without a reference).
    pub kl: f64,
    /// Fraction of tokens whose ratio was clipped (their gradient is zero).
    pub clip_fraction: f64,
}

pub fn grpo_loss(batch: &[Completion], cfg: &SurrogateConfig) -> SurrogateOut {
    let tokens: usize = batch.iter().map(|c| c.logps.len()).sum();
    grpo_loss_part(batch, cfg, batch.len(), tokens)
}

/// [`grpo_loss`] for one micro-batch of a larger batch of `completions` completions and `tokens`
/// tokens: the weights are the whole batch's, so the parts' losses and gradients add up to it.
pub fn grpo_loss_part(batch: &[Completion], cfg: &SurrogateConfig, completions: usize, tokens: usize) -> SurrogateOut {
    let part_tokens: usize = batch.iter().map(|c| c.logps.len()).sum();
    let mut out = SurrogateOut { dlogps: Vec::with_capacity(batch.len()), ..SurrogateOut::default() };
    let (mut kl_sum, mut clipped) = (0.0f64, 0usize);
    for c in batch {
        let weight = match cfg.aggregation {
            Aggregation::Grpo => 1.0 / (c.logps.len().max(1) as f64 * completions.max(1) as f64),
            Aggregation::DrGrpo => 1.0 / (completions.max(1) as f64 * cfg.max_completion_len.max(1) as f64),
            Aggregation::Dapo => 1.0 / tokens.max(1) as f64,
        };
        let a = f64::from(c.advantage);
        let mut d = Vec::with_capacity(c.logps.len());
        for (t, (&lp, &old)) in c.logps.iter().zip(c.old_logps).enumerate() {
            let ratio = (f64::from(lp) - f64::from(old)).exp();
            let clipped_ratio = ratio.clamp(1.0 - f64::from(cfg.epsilon_low), 1.0 + f64::from(cfg.epsilon_high));
            let (unclipped, clip) = (ratio * a, clipped_ratio * a);
            // −min(r·A, clip(r)·A): the gradient flows through r only where the unclipped term is
            // the smaller one (or the two agree, inside the clip range).
            let mut loss = -unclipped.min(clip);
            let mut grad = if unclipped <= clip { -a * ratio } else { 0.0 };
            if unclipped > clip {
                clipped += 1;
            }
            if cfg.beta != 0.0 && t >= c.forced {
                if let Some(r) = c.ref_logps {
                    let diff = f64::from(r[t]) - f64::from(lp);
                    let kl = diff.exp() - diff - 1.0;
                    kl_sum += kl;
                    loss += f64::from(cfg.beta) * kl;
                    grad += f64::from(cfg.beta) * (1.0 - diff.exp());
                }
            }
            out.loss += weight * loss;
            d.push((weight * grad) as f32);
        }
        out.dlogps.push(d);
    }
    out.kl = kl_sum / part_tokens.max(1) as f64;
    out.clip_fraction = clipped as f64 / part_tokens.max(1) as f64;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forced_tokens_get_the_surrogate_but_no_kl() {
        let (logps, reference) = ([-9.0f32, -8.0, -0.1, -0.2], [-1.0f32, -1.0, -0.1, -0.3]);
        let cfg = SurrogateConfig { beta: 0.1, ..SurrogateConfig::default() };
        let run = |forced| {
            let c =
                Completion { logps: &logps, old_logps: &logps, ref_logps: Some(&reference), advantage: 1.0, forced };
            grpo_loss(&[c], &cfg)
        };
        let (all, skipped) = (run(0), run(2));
        let k3 = |r: f32, lp: f32| f64::from(r - lp).exp() - f64::from(r - lp) - 1.0;
        let tail = (k3(-0.1, -0.1) + k3(-0.3, -0.2)) / 4.0;
        assert!((skipped.kl - tail).abs() < 1e-9, "{} vs {tail}", skipped.kl);
        assert!(all.kl > 100.0 * skipped.kl.max(1e-6), "the unlikely forced tokens dominate the full KL");
        // The surrogate's gradient on a forced token is −A/len, as for a sampled one.
        assert!((skipped.dlogps[0][0] + 0.25).abs() < 1e-6, "{:?}", skipped.dlogps);
    }
}
