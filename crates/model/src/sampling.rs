//! Choosing the next token: greedy, or sampling with temperature, top-k and top-p (nucleus,
//! Holtzman et al. 2020), from an explicit seeded RNG.
//!
//! The reported log-probability is that of the chosen token under the temperature-scaled
//! distribution *before* top-k/top-p truncation — the quantity GRPO's importance ratio uses
//! (TRL computes it the same way). For greedy decoding the temperature is 1.

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::error::ModelError;
use crate::thinking::ThinkingBudget;

/// Per-request sampling parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SamplingParams {
    /// 0 means greedy.
    pub temperature: f32,
    /// 0 means no top-k truncation.
    pub top_k: usize,
    /// 1 means no nucleus truncation.
    pub top_p: f32,
    pub max_new_tokens: usize,
    pub seed: u64,
    /// Bounds on the think block, enforced in the decode loop ([`crate::thinking`]).
    #[serde(default)]
    pub thinking: ThinkingBudget,
}

impl Default for SamplingParams {
    fn default() -> Self {
        SamplingParams {
            temperature: 0.0,
            top_k: 0,
            top_p: 1.0,
            max_new_tokens: 256,
            seed: 0,
            thinking: ThinkingBudget::default(),
        }
    }
}

impl SamplingParams {
    /// Check ranges; the error names the field and value.
    pub fn validate(&self) -> Result<(), ModelError> {
        if !(self.temperature >= 0.0 && self.temperature.is_finite()) {
            return Err(ModelError::Input(format!("`temperature` must be >= 0, got {}", self.temperature)));
        }
        if self.max_new_tokens == 0 {
            return Err(ModelError::Input("`max_new_tokens` must be at least 1, got 0".into()));
        }
        if !(self.top_p > 0.0 && self.top_p <= 1.0) {
            return Err(ModelError::Input(format!("`top_p` must be in (0, 1], got {}", self.top_p)));
        }
        self.thinking.validate()
    }
}

/// Pick a token from `logits`; returns `(token, log-probability)`.
pub fn sample(logits: &[f32], p: &SamplingParams, rng: &mut impl Rng) -> (u32, f32) {
    Sampler::default().sample(logits, p, rng)
}

/// Reusable buffers for [`sample`], so a decode loop does not allocate per token.
#[derive(Default)]
pub struct Sampler {
    probs: Vec<f32>,
    order: Vec<usize>,
}

impl Sampler {
    /// As [`sample`].
    pub fn sample(&mut self, logits: &[f32], p: &SamplingParams, rng: &mut impl Rng) -> (u32, f32) {
        let max = logits.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b));
        if p.temperature == 0.0 {
            let token = argmax(logits);
            let lse = max + logits.iter().map(|&l| (l - max).exp()).sum::<f32>().ln();
            return (token as u32, logits[token] - lse);
        }
        let temp = p.temperature;
        self.probs.clear();
        self.probs.extend(logits.iter().map(|&l| ((l - max) / temp).exp()));
        let sum: f32 = self.probs.iter().sum();
        self.probs.iter_mut().for_each(|x| *x /= sum);
        let token = draw(&self.probs, &mut self.order, p, rng);
        (token as u32, self.probs[token].max(f32::MIN_POSITIVE).ln())
    }

    /// The log-probability [`Sampler::sample`] would report for `token` (a token the decode
    /// loop writes instead of sampling, such as a forced `</think>`).
    pub fn logprob(&self, logits: &[f32], token: u32, p: &SamplingParams) -> f32 {
        let temp = if p.temperature == 0.0 { 1.0 } else { p.temperature };
        let max = logits.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b));
        let lse = logits.iter().map(|&l| ((l - max) / temp).exp()).sum::<f32>().ln();
        logits.get(token as usize).map_or(f32::NEG_INFINITY, |&l| (l - max) / temp - lse)
    }
}

fn argmax(x: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in x.iter().enumerate() {
        if v > x[best] {
            best = i;
        }
    }
    best
}

/// Draw from `probs` after top-k and top-p truncation.
fn draw(probs: &[f32], order: &mut Vec<usize>, p: &SamplingParams, rng: &mut impl Rng) -> usize {
    order.clear();
    order.extend(0..probs.len());
    order.sort_by(|&a, &b| probs[b].total_cmp(&probs[a]).then(a.cmp(&b)));
    let mut keep = if p.top_k > 0 { p.top_k.min(order.len()) } else { order.len() };
    if p.top_p < 1.0 {
        let mut acc = 0.0;
        for (i, &t) in order.iter().enumerate().take(keep) {
            acc += probs[t];
            if acc >= p.top_p {
                keep = i + 1;
                break;
            }
        }
    }
    let kept = &order[..keep.max(1)];
    let total: f32 = kept.iter().map(|&t| probs[t]).sum();
    let mut u = rng.gen::<f32>() * total;
    for &t in kept {
        u -= probs[t];
        if u <= 0.0 {
            return t;
        }
    }
    kept[kept.len() - 1]
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn greedy_takes_the_argmax_and_reports_its_log_prob() {
        let logits = [0.0, 2.0, 1.0];
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        let (t, lp) = sample(&logits, &SamplingParams::default(), &mut rng);
        assert_eq!(t, 1);
        let z: f32 = logits.iter().map(|x: &f32| x.exp()).sum();
        assert!((lp - (2.0f32.exp() / z).ln()).abs() < 1e-6);
    }

    #[test]
    fn top_k_one_is_greedy_and_frequencies_follow_probabilities() {
        let logits = [0.0, 1.0, 0.5, -1.0];
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let p1 = SamplingParams { temperature: 1.0, top_k: 1, ..Default::default() };
        for _ in 0..20 {
            assert_eq!(sample(&logits, &p1, &mut rng).0, 1);
        }
        let p = SamplingParams { temperature: 1.0, ..Default::default() };
        let mut counts = [0usize; 4];
        for _ in 0..20_000 {
            counts[sample(&logits, &p, &mut rng).0 as usize] += 1;
        }
        let z: f32 = logits.iter().map(|x: &f32| x.exp()).sum();
        for (i, &c) in counts.iter().enumerate() {
            let want = logits[i].exp() / z;
            assert!((c as f32 / 20_000.0 - want).abs() < 0.015, "token {i}: {c}");
        }
    }

    #[test]
    fn top_p_keeps_only_the_nucleus() {
        let logits = [3.0, 0.0, 0.0, 0.0];
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let p = SamplingParams { temperature: 1.0, top_p: 0.5, ..Default::default() };
        for _ in 0..100 {
            assert_eq!(sample(&logits, &p, &mut rng).0, 0);
        }
    }

    #[test]
    fn bad_parameters_name_the_field() {
        let e = SamplingParams { top_p: 1.5, ..Default::default() }.validate().unwrap_err();
        assert!(e.to_string().contains("`top_p` must be in (0, 1], got 1.5"));
    }
}
