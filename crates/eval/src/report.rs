//! Summaries of a list of predictions: the three outcome rates, reasoning length, throughput,
//! and the same per difficulty group (operand digit counts for `mult`).

use std::collections::BTreeMap;

use deepthink_tasks::Verdict;
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
    /// With k > 1 whole solutions sampled per problem (as DeepSeek-R1's tables report them):
    /// the share with at least one right sample, the mean share of right samples, and the share
    /// whose majority answer is right (cons@k). `None` otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub samples: Option<SampledStats>,
}

/// pass@k, pass@1 and maj@k over the problems' samples.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SampledStats {
    /// Samples per problem (the smallest, when problems differ).
    pub k: usize,
    pub pass_at_k: f64,
    pub pass_at_1: f64,
    pub maj_at_k: f64,
}

impl SampledStats {
    fn of(preds: &[Prediction]) -> Option<SampledStats> {
        let k = preds.iter().map(|p| p.samples).min()?;
        if k < 2 {
            return None;
        }
        let n = preds.len() as f64;
        Some(SampledStats {
            k,
            pass_at_k: preds.iter().filter(|p| p.samples_correct > 0).count() as f64 / n,
            pass_at_1: preds.iter().map(|p| p.samples_correct as f64 / p.samples as f64).sum::<f64>() / n,
            maj_at_k: preds.iter().filter(|p| p.majority_correct).count() as f64 / n,
        })
    }
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
            samples: SampledStats::of(preds),
        }
    }

    /// A short human summary, one line.
    pub fn summary(&self) -> String {
        let line = format!(
            "accuracy {:.1}% ({}/{}) · wrong {:.1}% · no answer {:.1}% · mean reasoning {:.1} tokens · {:.0} tok/s",
            100.0 * self.overall.accuracy,
            self.overall.correct,
            self.overall.n,
            100.0 * self.wrong_rate,
            100.0 * self.no_answer_rate,
            self.mean_reasoning_tokens,
            self.tokens_per_s
        );
        match &self.samples {
            Some(s) => format!(
                "{line} · pass@{k} {:.1}% · pass@1 {:.1}% · maj@{k} {:.1}%",
                100.0 * s.pass_at_k,
                100.0 * s.pass_at_1,
                100.0 * s.maj_at_k,
                k = s.k
            ),
            None => line,
        }
    }
}
