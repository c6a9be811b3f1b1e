//! A trained verifier (ORM or PRM, see `deepthink train verifier`): one of deepthink's own models
//! whose logits at each step's readout position, restricted to `+` and `-`, give
//! P(good) = softmax([l₊, l₋])₀ — the yes/no-token readout of Math-Shepherd (Wang et al. 2024)
//! rather than a separate scalar head, so a verifier is an ordinary checkpoint that loads, saves
//! and fine-tunes like any other.
//!
//! Solutions are read in one ragged prefill through the KV-cache forward pass, asking for logits
//! only at readout positions (no padding, no full-vocabulary logits elsewhere), in chunks that
//! bound the cache's memory.

use deepthink_model::{ChatTokenizer, Model};
use deepthink_tasks::Task;

use crate::error::SearchError;
use crate::scorer::{ScoreItem, Scorer, Scores};
use crate::verifier_input::{label_ids, read_logits, verifier_input};

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
            let logits = read_logits(&self.model, &inputs, |v, i| v.readouts.binary_search(&i).is_ok(), "verifier")?;
            let mut rows = logits.chunks(self.model.cfg.vocab_size);
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
