//! A training-free verifier: the policy's own confidence in what was written (the idea behind
//! DeepConf, Fu et al. 2025, "Deep Think with Confidence", which filters and weights sampled
//! traces by the model's token confidence).
//!
//! The solution is read teacher-forced by a model (normally the policy itself). A step's score
//! is the lowest probability the model gave any token of the step (DeepConf's "lowest group
//! confidence", with one line as the group); the answer step's score is the lowest over the whole
//! solution. A sampled slip — a digit drawn from the tail of the distribution — shows up as a
//! low-probability token, which a discriminative verifier reading only at the line's end must
//! instead learn to recompute. Departure from DeepConf: probabilities rather than the mean
//! negative log-probability of the top-k tokens, so scores are in [0, 1] like every `Scorer`.

use deepthink_model::{ChatTokenizer, Model};
use deepthink_tasks::Task;

use crate::error::SearchError;
use crate::scorer::{ScoreItem, Scorer, Scores};
use crate::verifier_input::{read_logits, verifier_input, VerifierInput};

const CHUNK: usize = 64;

pub struct ConfidenceScorer {
    pub model: Model,
    pub tokenizer: ChatTokenizer,
    pub label: String,
}

impl Scorer for ConfidenceScorer {
    fn name(&self) -> String {
        self.label.clone()
    }

    fn score(&self, _task: &dyn Task, items: &[ScoreItem]) -> Result<Vec<Scores>, SearchError> {
        let mut out = Vec::with_capacity(items.len());
        let vocab = self.model.cfg.vocab_size;
        for chunk in items.chunks(CHUNK) {
            let inputs = chunk
                .iter()
                .map(|it| verifier_input(&self.tokenizer, it.question, it.completion, it.complete))
                .collect::<Result<Vec<_>, _>>()?;
            // The logits after every token from the last prompt token on predict the written ones.
            let want = |v: &VerifierInput, i: usize| i + 1 >= v.prompt_len && i + 1 < v.tokens.len();
            let logits = read_logits(&self.model, &inputs, want, "scorer")?;
            let mut rows = logits.chunks(vocab);
            for v in &inputs {
                let (p, n) = (v.prompt_len, v.tokens.len());
                // probs[j]: probability of token p + j given everything before it.
                let probs: Vec<f32> =
                    (p..n).map(|i| rows.next().map_or(f32::NAN, |row| token_prob(row, v.tokens[i]))).collect();
                let lowest = |span: std::ops::RangeInclusive<usize>| {
                    probs[span.start() - p..=span.end() - p].iter().copied().fold(1.0f32, f32::min)
                };
                let scores = (0..v.readouts.len())
                    .map(|k| {
                        let r = v.readouts[k];
                        let answer = k + 1 == v.readouts.len() && v.tokens[r] == self.tokenizer.eos_id();
                        // The answer step scores the whole solution; a reasoning line, itself.
                        lowest(if answer { p..=r } else { v.step_span(k) })
                    })
                    .collect();
                out.push(Scores { steps: scores, tokens_read: n, flops: self.model.cfg.flops_per_token(n) * n as f64 });
            }
        }
        Ok(out)
    }
}

/// softmax(row)[token].
fn token_prob(row: &[f32], token: u32) -> f32 {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f32 = row.iter().map(|&x| (x - max).exp()).sum();
    (row[token as usize] - max).exp() / sum
}
