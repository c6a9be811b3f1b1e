//! A trained verifier (ORM or PRM, see `deepthink train verifier`): one of deepthink's own models
//! whose logits at each step's readout position, restricted to `+` and `-`, give
//! P(good) = softmax([l₊, l₋])₀ — the yes/no-token readout of Math-Shepherd (Wang et al. 2024)
//! rather than a separate scalar head, so a verifier is an ordinary checkpoint that loads, saves
//! and fine-tunes like any other.
//!
//! Solutions are read in one ragged prefill through the KV-cache forward pass, asking for logits
//! only at readout positions (no padding, no full-vocabulary logits elsewhere), in chunks that
//! bound the cache's memory.

use deepthink_model::{ChatTokenizer, KvCache, Model, StepToken};
use deepthink_tasks::Task;

use crate::error::SearchError;
use crate::scorer::{ScoreItem, Scorer, Scores};
use crate::verifier_input::{label_ids, verifier_input};

/// Sequences read together (bounds the KV cache to chunk × context × layers).
const CHUNK: usize = 128;

pub struct ModelScorer {
    pub model: Model,
    pub tokenizer: ChatTokenizer,
    /// Shown in reports (e.g. the checkpoint's path).
    pub label: String,
}

impl Scorer for ModelScorer {
    fn name(&self) -> String {
        self.label.clone()
    }

    fn score(&self, _task: &dyn Task, items: &[ScoreItem]) -> Result<Vec<Scores>, SearchError> {
        let (good, bad) = label_ids(&self.tokenizer)?;
        let mut out = Vec::with_capacity(items.len());
        for chunk in items.chunks(CHUNK) {
            let inputs = chunk
                .iter()
                .map(|it| verifier_input(&self.tokenizer, it.question, it.completion, it.complete))
                .collect::<Result<Vec<_>, _>>()?;
            let longest = inputs.iter().map(|v| v.tokens.len()).max().unwrap_or(0);
            if longest > self.model.cfg.max_seq_len {
                return Err(SearchError::Verifier(format!(
                    "a solution of {longest} tokens is longer than the verifier's context ({})",
                    self.model.cfg.max_seq_len
                )));
            }
            let mut steps = Vec::new();
            for (slot, v) in inputs.iter().enumerate() {
                let mut r = v.readouts.iter().peekable();
                for (i, &token) in v.tokens.iter().enumerate() {
                    let want_logits = r.next_if(|&&p| p == i).is_some();
                    steps.push(StepToken { slot, token, want_logits });
                }
            }
            let mut cache = KvCache::new(&self.model, inputs.len(), longest.max(1));
            let logits = self.model.forward_step(&mut cache, &steps)?;
            let vocab = self.model.cfg.vocab_size;
            let mut rows = logits.chunks(vocab);
            for v in &inputs {
                let steps: Vec<f32> = rows.by_ref().take(v.readouts.len()).map(|row| p_good(row, good, bad)).collect();
                let n = v.tokens.len();
                out.push(Scores { steps, tokens_read: n, flops: self.model.cfg.flops_per_token(n) * n as f64 });
            }
        }
        Ok(out)
    }
}

/// softmax over the two readout logits, first component.
fn p_good(row: &[f32], good: u32, bad: u32) -> f32 {
    let (g, b) = (row[good as usize], row[bad as usize]);
    1.0 / (1.0 + (b - g).exp())
}
