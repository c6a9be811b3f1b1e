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

use deepthink_model::{ChatTokenizer, KvCache, Model, StepToken};
use deepthink_tasks::Task;

use crate::error::SearchError;
use crate::scorer::{ScoreItem, Scorer, Scores};
use crate::verifier_input::verifier_input;

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
            let mut inputs = Vec::with_capacity(chunk.len());
            for it in chunk {
                let prompt_len = self
                    .tokenizer
                    .encode(&self.tokenizer.render(&[deepthink_model::Message::user(it.question)], true, true)?)?
                    .len();
                let v = verifier_input(&self.tokenizer, it.question, it.completion, it.complete)?;
                inputs.push((prompt_len, v));
            }
            let longest = inputs.iter().map(|(_, v)| v.tokens.len()).max().unwrap_or(1);
            if longest > self.model.cfg.max_seq_len {
                return Err(SearchError::Verifier(format!(
                    "a solution of {longest} tokens is longer than the scorer's context ({})",
                    self.model.cfg.max_seq_len
                )));
            }
            // Logits after every token from the last prompt token on predict the written tokens.
            let mut steps = Vec::new();
            for (slot, (p, v)) in inputs.iter().enumerate() {
                let n = v.tokens.len();
                for (i, &token) in v.tokens.iter().enumerate() {
                    steps.push(StepToken { slot, token, want_logits: i + 1 >= *p && i + 1 < n });
                }
            }
            let mut cache = KvCache::new(&self.model, inputs.len(), longest);
            let logits = self.model.forward_step(&mut cache, &steps)?;
            let mut rows = logits.chunks(vocab);
            for (p, v) in &inputs {
                let n = v.tokens.len();
                // prob[j]: probability of token p + j given everything before it.
                let probs: Vec<f32> =
                    (*p..n).map(|i| rows.next().map_or(f32::NAN, |row| token_prob(row, v.tokens[i]))).collect();
                let mut scores = Vec::with_capacity(v.readouts.len());
                let mut start = *p;
                for (k, &r) in v.readouts.iter().enumerate() {
                    let last_is_answer = k + 1 == v.readouts.len() && v.tokens[r] == self.tokenizer.eos_id();
                    let from = if last_is_answer { *p } else { start };
                    let min = probs[from - p..=r - p].iter().copied().fold(1.0f32, f32::min);
                    scores.push(min);
                    start = r + 1;
                }
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
