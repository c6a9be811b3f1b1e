//! How good a verifier is, measured against the task's ground truth on held-out solutions:
//! step-level accuracy against the oracle's process labels (the "PRM quality"), split by
//! class since most steps of a decent policy are good, and outcome accuracy at the answer.

use deepthink_search::{ScoreItem, Scorer};
use deepthink_tasks::{Problem, Task};
use serde::Serialize;

use crate::error::TrainError;
use crate::step_records::StepRecord;

#[derive(Clone, Debug, Default, Serialize)]
pub struct VerifierQuality {
    pub solutions: usize,
    /// Reasoning steps judged (answer steps excluded).
    pub steps: usize,
    pub good_steps: usize,
    /// Score > 0.5 agrees with the oracle's step label.
    pub step_accuracy: f64,
    /// Accuracy on steps the oracle calls good / bad.
    pub good_step_accuracy: f64,
    pub bad_step_accuracy: f64,
    /// Mean of the two (robust to the imbalance).
    pub balanced_step_accuracy: f64,
    /// Finished solutions judged at the answer.
    pub outcomes: usize,
    pub outcome_accuracy: f64,
    /// Threshold-free: the probability that a good step scores above a bad one (ROC AUC).
    /// Search only ranks scores, so this is the figure that predicts its use.
    pub step_auc: f64,
    /// The same for finished solutions: right above wrong.
    pub outcome_auc: f64,
    /// Outcome AUC over pairs of solutions to the *same* problem only — what best-of-N needs
    /// (it ranks one problem's candidates). A verifier can score high on `outcome_auc` by knowing
    /// which problems are hard and still rank a problem's own candidates by chance.
    pub outcome_auc_within_problem: f64,
}

impl VerifierQuality {
    /// One line: "N held-out solutions: step …, outcome …" (the step part only when there were
    /// reasoning steps to judge).
    pub fn summary(&self) -> String {
        let steps = if self.steps == 0 {
            String::new()
        } else {
            format!(
                "step accuracy {:.1}% ({} steps; good {:.1}%, bad {:.1}%, balanced {:.1}%; AUC {:.3}), ",
                100.0 * self.step_accuracy,
                self.steps,
                100.0 * self.good_step_accuracy,
                100.0 * self.bad_step_accuracy,
                100.0 * self.balanced_step_accuracy,
                self.step_auc
            )
        };
        format!(
            "{} held-out solutions: {steps}outcome accuracy {:.1}% ({} answers; AUC {:.3}, within a problem {:.3})",
            self.solutions,
            100.0 * self.outcome_accuracy,
            self.outcomes,
            self.outcome_auc,
            self.outcome_auc_within_problem
        )
    }
}

/// ROC AUC of `(score, positive)` pairs (ties count half); NaN without both classes.
pub fn auc(pairs: &mut [(f32, bool)]) -> f64 {
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut rank_sum, mut pos) = (0.0f64, 0usize);
    let mut i = 0;
    while i < pairs.len() {
        let mut j = i;
        while j < pairs.len() && pairs[j].0 == pairs[i].0 {
            j += 1;
        }
        let mid = (i + j + 1) as f64 / 2.0; // average 1-based rank of the tie group
        for p in &pairs[i..j] {
            if p.1 {
                rank_sum += mid;
                pos += 1;
            }
        }
        i = j;
    }
    let neg = pairs.len() - pos;
    if pos == 0 || neg == 0 {
        return f64::NAN;
    }
    (rank_sum - (pos * (pos + 1)) as f64 / 2.0) / (pos as f64 * neg as f64)
}

/// Score `records` (oracle-labelled, with their problems) with `scorer` and compare.
pub fn verifier_quality(
    scorer: &dyn Scorer,
    task: &dyn Task,
    problems: &[Problem],
    records: &[StepRecord],
) -> Result<VerifierQuality, TrainError> {
    let completions: Vec<String> = records.iter().map(StepRecord::completion).collect();
    let items: Vec<ScoreItem> = records
        .iter()
        .zip(problems)
        .zip(&completions)
        .map(|((r, p), c)| ScoreItem { problem: p, question: &r.prompt, completion: c, complete: r.complete() })
        .collect();
    let scores = scorer.score(task, &items)?;
    let (mut hit, mut good, mut good_hit, mut bad_hit, mut steps) = (0usize, 0usize, 0usize, 0usize, 0usize);
    let (mut outcomes, mut outcome_hit) = (0usize, 0usize);
    let (mut step_pairs, mut outcome_pairs) = (Vec::new(), Vec::new());
    let mut by_problem: std::collections::HashMap<&str, Vec<(f32, bool)>> = std::collections::HashMap::new();
    for (r, s) in records.iter().zip(&scores) {
        let reasoning = if r.complete() { r.labels.len() - 1 } else { r.labels.len() };
        for (&label, &score) in r.labels[..reasoning].iter().zip(&s.steps) {
            let said = score > 0.5;
            step_pairs.push((score, label));
            steps += 1;
            hit += usize::from(said == label);
            if label {
                good += 1;
                good_hit += usize::from(said);
            } else {
                bad_hit += usize::from(!said);
            }
        }
        if r.complete() {
            outcomes += 1;
            outcome_hit += usize::from((s.last() > 0.5) == r.outcome);
            outcome_pairs.push((s.last(), r.outcome));
            by_problem.entry(r.prompt.as_str()).or_default().push((s.last(), r.outcome));
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { f64::NAN } else { a as f64 / b as f64 };
    let (ga, ba) = (ratio(good_hit, good), ratio(bad_hit, steps - good));
    Ok(VerifierQuality {
        solutions: records.len(),
        steps,
        good_steps: good,
        step_accuracy: ratio(hit, steps),
        good_step_accuracy: ga,
        bad_step_accuracy: ba,
        balanced_step_accuracy: (ga + ba) / 2.0,
        outcomes,
        outcome_accuracy: ratio(outcome_hit, outcomes),
        step_auc: auc(&mut step_pairs),
        outcome_auc: auc(&mut outcome_pairs),
        outcome_auc_within_problem: auc_within(by_problem.values()),
    })
}

/// ROC AUC over pairs drawn from the same group only (ties count half); NaN when no group has
/// both classes.
pub fn auc_within<'a>(groups: impl Iterator<Item = &'a Vec<(f32, bool)>>) -> f64 {
    let (mut wins, mut pairs) = (0.0f64, 0usize);
    for g in groups {
        for &(p, _) in g.iter().filter(|x| x.1) {
            for &(n, _) in g.iter().filter(|x| !x.1) {
                pairs += 1;
                wins += if p > n {
                    1.0
                } else if p == n {
                    0.5
                } else {
                    0.0
                };
            }
        }
    }
    if pairs == 0 {
        f64::NAN
    } else {
        wins / pairs as f64
    }
}

#[cfg(test)]
mod tests {
    use super::{auc, auc_within};

    #[test]
    fn auc_within_ignores_pairs_across_groups() {
        // A verifier that knows which problem is easy but not which answer is right: pooled, it
        // ranks 3/4 of right–wrong pairs correctly; within each problem, half.
        let easy = vec![(0.9, true), (0.9, true), (0.9, true), (0.91, false)];
        let hard = vec![(0.1, false), (0.1, false), (0.1, false), (0.11, true)];
        assert_eq!(auc(&mut [easy.clone(), hard.clone()].concat()), 0.75);
        assert_eq!(auc_within([easy, hard].iter()), 0.5);
        assert!(auc_within([vec![(0.5, true)]].iter()).is_nan());
    }

    #[test]
    fn auc_counts_ordered_pairs_and_half_ties() {
        assert_eq!(auc(&mut [(0.9, true), (0.1, false)]), 1.0);
        assert_eq!(auc(&mut [(0.1, true), (0.9, false)]), 0.0);
        assert_eq!(auc(&mut [(0.5, true), (0.5, false)]), 0.5);
        // 2 positives × 2 negatives: pairs (0.8>0.3), (0.8>0.6), (0.4>0.3), (0.4<0.6) → 3/4
        assert_eq!(auc(&mut [(0.8, true), (0.4, true), (0.3, false), (0.6, false)]), 0.75);
        assert!(auc(&mut [(0.8, true)]).is_nan());
    }
}
