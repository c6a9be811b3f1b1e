//! Summaries of a list of predictions: the three outcome rates, reasoning length, throughput,
//! and the same per difficulty group (operand digit counts for `mult`).

use std::collections::BTreeMap;

use deepthink_tasks::{Problem, Verdict};
use serde::Serialize;

use crate::prediction::Prediction;

/// Outcome counts of one group of problems.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct GroupStats {
    pub n: usize,
    pub correct: usize,
    pub wrong: usize,
    pub no_answer: usize,
    pub accuracy: f64,
}

impl GroupStats {
    fn add(&mut self, v: Verdict) {
        self.n += 1;
        match v {
            Verdict::Correct => self.correct += 1,
            Verdict::Wrong => self.wrong += 1,
            Verdict::NoAnswer => self.no_answer += 1,
        }
        self.accuracy = self.correct as f64 / self.n as f64;
    }
}

/// What an evaluation found.
#[derive(Clone, Debug, Serialize)]
pub struct EvalReport {
    #[serde(flatten)]
    pub overall: GroupStats,
    pub no_answer_rate: f64,
    pub wrong_rate: f64,
    pub mean_tokens: f64,
    pub mean_reasoning_tokens: f64,
    pub generated_tokens: usize,
    pub seconds: f64,
    pub tokens_per_s: f64,
    pub groups: BTreeMap<String, GroupStats>,
}

impl EvalReport {
    pub fn from_predictions(preds: &[Prediction], seconds: f64) -> Self {
        let mut overall = GroupStats::default();
        let mut groups: BTreeMap<String, GroupStats> = BTreeMap::new();
        for p in preds {
            overall.add(p.verdict);
            groups.entry(p.group.clone()).or_default().add(p.verdict);
        }
        let n = preds.len().max(1) as f64;
        let generated: usize = preds.iter().map(|p| p.tokens).sum();
        EvalReport {
            no_answer_rate: overall.no_answer as f64 / n,
            wrong_rate: overall.wrong as f64 / n,
            overall,
            mean_tokens: generated as f64 / n,
            mean_reasoning_tokens: preds.iter().map(|p| p.reasoning_tokens).sum::<usize>() as f64 / n,
            generated_tokens: generated,
            seconds,
            tokens_per_s: generated as f64 / seconds.max(1e-9),
            groups,
        }
    }

    /// A short human summary, one line.
    pub fn summary(&self) -> String {
        format!(
            "accuracy {:.1}% ({}/{}) · wrong {:.1}% · no answer {:.1}% · mean reasoning {:.1} tokens · {:.0} tok/s",
            100.0 * self.overall.accuracy,
            self.overall.correct,
            self.overall.n,
            100.0 * self.wrong_rate,
            100.0 * self.no_answer_rate,
            self.mean_reasoning_tokens,
            self.tokens_per_s
        )
    }
}

/// The difficulty group of a problem (the task's own: `3x3` for a 3-digit × 3-digit product,
/// `3 numbers` for countdown).
pub fn group_of(p: &Problem) -> String {
    p.difficulty()
}
