//! A learnt allocation for `allocate`: how many samples a problem gets, given what its probe
//! showed, chosen on calibration problems with known answers — Snell et al.'s compute-optimal
//! rule (2024, "Scaling LLM Test-Time Compute Optimally…", §3.2: bin problems by estimated
//! difficulty, then pick the best budget per bin on held-out data).
//!
//! A probe's outcome is the leading answer's vote count k (0 when no answer is readable, `probe`
//! when it is unanimous). For each k, calibration measures how often the majority of the first
//! m samples is right, m = probe..=N, and the table gives level k the m that maximises
//! correct(m) − cost · problems · m: an extra sample is bought only while it buys more than
//! `cost` accuracy a problem. An outcome calibration never saw gets the whole N, as the fixed
//! rule would give a split probe. [`Calibration::fit`] picks the largest cost (on a grid) whose
//! calibration accuracy stays within `tolerance` of majority@N's: the cheapest table on this
//! cost frontier that matches fixed majority on problems the evaluation does not score. (A
//! table off the frontier could be cheaper still; an exact search is a small knapsack, not
//! worth it while the frontier's tables already sit at the probe size for most problems.)
//!
//! Departures from Snell et al.: difficulty is the policy's own early agreement rather than an
//! oracle's or a verifier's bins; the per-bin choice is a number of samples for one strategy
//! (majority), not a choice among strategies; and [`Calibration::fit`] fits the table once on all
//! the calibration problems. [`Calibration::fit_two_fold`] judges each cost two-fold, as Snell et
//! al. select; it is stricter, not steadier (docs/overthinking.md).

use serde::Serialize;

use crate::error::SearchError;
use crate::vote::majority;

/// Samples in all for each probe outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AllocationTable {
    /// Samples in the probe.
    pub probe: usize,
    /// `samples[k]`: samples in all for a probe whose leading answer has k votes, k = 0..=probe.
    pub samples: Vec<usize>,
}

impl AllocationTable {
    /// Samples in all for a probe whose leader has `leader` votes.
    pub fn samples_for(&self, leader: usize) -> usize {
        let last = self.samples.last().copied().unwrap_or(self.probe);
        self.samples.get(leader.min(self.probe)).copied().unwrap_or(last).max(self.probe)
    }
}

impl std::fmt::Display for AllocationTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let levels: Vec<String> =
            self.samples.iter().enumerate().rev().map(|(k, m)| format!("{k}/{} agree → {m}", self.probe)).collect();
        write!(f, "{}", levels.join(", "))
    }
}

/// One calibration problem's samples in draw order: each one's vote key, and whether its answer
/// is right.
pub type Drawn = Vec<(Option<String>, bool)>;

/// What calibration measured at one probe outcome.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Level {
    /// Calibration problems whose probe ended at this outcome.
    pub problems: usize,
    /// `correct[m - probe]`: how many of them majority over their first m samples gets right.
    pub correct: Vec<usize>,
}

/// Majority's accuracy by sample count, per probe outcome, on the calibration problems.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Calibration {
    pub probe: usize,
    /// The most samples a problem may get (the budget N).
    pub n: usize,
    /// Indexed by the probe leader's votes, 0..=probe.
    pub levels: Vec<Level>,
}

/// A fitted table and what it did on the calibration problems.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fitted {
    pub table: AllocationTable,
    /// The accuracy a sample had to buy (per problem) to be spent.
    pub cost: f64,
    pub accuracy: f64,
    pub mean_samples: f64,
    /// Fixed majority@N's accuracy on the same problems.
    pub majority_accuracy: f64,
}

/// Whether majority over `drawn` is right: the first sample carrying the winning key decides,
/// as it is the one `majority` shows.
fn majority_right(drawn: &[(Option<String>, bool)]) -> bool {
    let keys: Vec<Option<String>> = drawn.iter().map(|(k, _)| k.clone()).collect();
    majority(&keys).is_some_and(|(w, _)| {
        drawn.iter().find(|(k, _)| k.as_deref() == Some(w.as_str())).is_some_and(|(_, right)| *right)
    })
}

/// The leading answer's votes among `keys` (0 when none is readable).
pub fn leader_votes(keys: &[Option<String>]) -> usize {
    majority(keys).map_or(0, |(_, n)| n)
}

impl Calibration {
    /// Tallies `drawn` (every problem with at least `n` samples; the first `n` are used).
    pub fn new(probe: usize, n: usize, drawn: &[Drawn]) -> Result<Calibration, SearchError> {
        if probe < 2 || n < probe {
            return Err(SearchError::Config(format!(
                "calibration needs a probe of at least 2 samples within the budget, got probe {probe} of {n}"
            )));
        }
        let mut levels = vec![Level { problems: 0, correct: vec![0; n - probe + 1] }; probe + 1];
        for (i, d) in drawn.iter().enumerate() {
            if d.len() < n {
                return Err(SearchError::Config(format!(
                    "calibration problem {i} has {} samples, fewer than the budget {n}",
                    d.len()
                )));
            }
            let keys: Vec<Option<String>> = d[..probe].iter().map(|(k, _)| k.clone()).collect();
            let level = &mut levels[leader_votes(&keys)];
            level.problems += 1;
            for m in probe..=n {
                level.correct[m - probe] += usize::from(majority_right(&d[..m]));
            }
        }
        Ok(Calibration { probe, n, levels })
    }

    fn problems(&self) -> usize {
        self.levels.iter().map(|l| l.problems).sum()
    }

    /// The table that spends a sample only while it buys more than `cost` accuracy a problem.
    pub fn table(&self, cost: f64) -> AllocationTable {
        let samples = self
            .levels
            .iter()
            .map(|l| {
                if l.problems == 0 {
                    return self.n;
                }
                let value = |j: usize| l.correct[j] as f64 - cost * l.problems as f64 * (self.probe + j) as f64;
                // The first maximum: the fewest samples that reach the best value.
                let best = (0..l.correct.len()).fold(0, |b, j| if value(j) > value(b) + 1e-12 { j } else { b });
                self.probe + best
            })
            .collect();
        AllocationTable { probe: self.probe, samples }
    }

    /// Accuracy and mean samples of `table` on the calibration problems.
    pub fn score(&self, table: &AllocationTable) -> (f64, f64) {
        let total = self.problems().max(1) as f64;
        let (mut right, mut spent) = (0usize, 0usize);
        for (k, l) in self.levels.iter().enumerate() {
            let m = table.samples_for(k).clamp(self.probe, self.n);
            right += l.correct[m - self.probe];
            spent += l.problems * m;
        }
        (right as f64 / total, spent as f64 / total)
    }

    /// The cheapest table on the cost frontier (largest cost, on a grid from 10⁻⁵ to 1) whose
    /// calibration accuracy is within `tolerance` (a fraction, 0.0025 for a quarter point; a
    /// negative or NaN one counts as 0) of fixed majority@N's.
    pub fn fit(&self, tolerance: f64) -> Fitted {
        self.fit_by(tolerance, |cost| self.score(&self.table(cost)).0)
    }

    /// [`Calibration::fit`] with each cost judged two-fold, as Snell et al. select: the table
    /// fitted on one half of `drawn` (alternate problems) is scored on the other half, and both
    /// ways pooled, so a cost is kept only if its tables hold on problems they were not fitted on.
    /// The table returned is the whole set's at the chosen cost.
    pub fn fit_two_fold(probe: usize, n: usize, drawn: &[Drawn], tolerance: f64) -> Result<Fitted, SearchError> {
        let all = Calibration::new(probe, n, drawn)?;
        let half = |parity: usize| -> Vec<Drawn> {
            drawn.iter().enumerate().filter(|(i, _)| i % 2 == parity).map(|(_, d)| d.clone()).collect()
        };
        let (a, b) = (half(0), half(1));
        let (fold_a, fold_b) = (Calibration::new(probe, n, &a)?, Calibration::new(probe, n, &b)?);
        let total = drawn.len().max(1) as f64;
        Ok(all.fit_by(tolerance, |cost| {
            let on_b = fold_b.score(&fold_a.table(cost)).0 * b.len() as f64;
            let on_a = fold_a.score(&fold_b.table(cost)).0 * a.len() as f64;
            (on_a + on_b) / total
        }))
    }

    /// The largest cost on the grid whose `judged` accuracy is within `tolerance` of
    /// majority@N's, with this calibration's table at that cost.
    fn fit_by(&self, tolerance: f64, judged: impl Fn(f64) -> f64) -> Fitted {
        let tolerance = if tolerance > 0.0 { tolerance } else { 0.0 };
        let majority_accuracy =
            self.score(&AllocationTable { probe: self.probe, samples: vec![self.n; self.probe + 1] }).0;
        let costs = std::iter::once(0.0).chain((0..=100).map(|i| 10f64.powf(-5.0 + 5.0 * i as f64 / 100.0)));
        // Cost 0 is always kept: it takes each level's best m, never below majority@N in sample.
        let cost =
            costs.filter(|&c| c == 0.0 || judged(c) + 1e-12 >= majority_accuracy - tolerance).fold(0.0, f64::max);
        let table = self.table(cost);
        let (accuracy, mean_samples) = self.score(&table);
        Fitted { table, cost, accuracy, mean_samples, majority_accuracy }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drawn(answers: &[&str], right: &str) -> Drawn {
        answers.iter().map(|a| (if a.is_empty() { None } else { Some(a.to_string()) }, *a == right)).collect()
    }

    #[test]
    fn levels_count_majority_by_sample_count() {
        // Probe 2: the first problem agrees (and stays right); the second splits, and its third
        // and fourth samples bring the right answer ahead.
        let cal =
            Calibration::new(2, 4, &[drawn(&["7", "7", "8", "7"], "7"), drawn(&["1", "2", "2", "2"], "2")]).unwrap();
        assert_eq!(cal.levels[2], Level { problems: 1, correct: vec![1, 1, 1] });
        // majority of [1,2] is 1 (first to the count): wrong; of [1,2,2] and [1,2,2,2]: right.
        assert_eq!(cal.levels[1], Level { problems: 1, correct: vec![0, 1, 1] });
        assert_eq!(cal.levels[0].problems, 0);
        let t = cal.table(0.01);
        assert_eq!(
            t.samples,
            vec![4, 3, 2],
            "agreeing probes stop, the split one buys the sample it needs, an unseen outcome gets N"
        );
        assert_eq!(cal.score(&t), (1.0, 2.5));
        let f = cal.fit(0.0);
        assert_eq!((f.majority_accuracy, f.accuracy, f.table.samples[1]), (1.0, 1.0, 3));
        assert!(f.cost > 0.3, "a sample worth a whole problem is bought at any cost below 1/1");
        // Ties go to the first answer to reach the count, and the first sample carrying it is shown.
        let tie = Calibration::new(2, 2, &[vec![(Some("1".into()), false), (Some("2".into()), true)]]).unwrap();
        assert_eq!(tie.levels[1].correct, vec![0]);
    }

    #[test]
    fn a_hopeless_level_gets_no_more_samples_and_a_bad_calibration_is_refused() {
        let cal = Calibration::new(2, 6, &[drawn(&["", "", "", "", "", ""], "3")]).unwrap();
        assert_eq!(cal.fit(0.0).table.samples[0], 2, "more samples of an unreadable answer buy nothing");
        assert!(Calibration::new(1, 4, &[]).is_err());
        assert!(Calibration::new(2, 4, &[drawn(&["1", "1"], "1")]).is_err(), "too few samples");
        let t = AllocationTable { probe: 3, samples: vec![9, 5, 3, 3] };
        assert_eq!((t.samples_for(0), t.samples_for(7)), (9, 3));
        assert_eq!(t.to_string(), "3/3 agree → 3, 2/3 agree → 3, 1/3 agree → 5, 0/3 agree → 9");
    }

    #[test]
    fn two_fold_keeps_only_what_holds_on_the_other_half() {
        // Every problem: a split probe of 2 that a third sample settles right. Both halves see
        // it, so the cross-validated fit buys the third sample at a real cost, as the plain fit does.
        let d: Vec<Drawn> = (0..8).map(|_| drawn(&["1", "2", "2", "2"], "2")).collect();
        let f = Calibration::fit_two_fold(2, 4, &d, 0.0).unwrap();
        assert_eq!((f.table.samples[1], f.accuracy), (3, 1.0));
        assert!(f.cost > 0.1, "{f:?}");
        // One lucky problem: its agreeing probe is wrong and the fifth sample fixes it. The plain
        // fit pays for it at a positive cost; out of sample the half without it never gains, so
        // no positive cost holds two-fold and the fit falls back to cost 0, the safest table.
        let mut lucky: Vec<Drawn> = (0..7).map(|_| drawn(&["5", "5", "5", "5", "5", "5"], "5")).collect();
        lucky.push(drawn(&["1", "1", "2", "2", "2", "2"], "2"));
        let plain = Calibration::new(2, 6, &lucky).unwrap().fit(0.0);
        assert_eq!(plain.table.samples[2], 5);
        assert!(plain.cost > 0.01, "{plain:?}");
        let two = Calibration::fit_two_fold(2, 6, &lucky, 0.0).unwrap();
        assert_eq!((two.cost, two.table.samples[2]), (0.0, 5));
    }

    proptest::proptest! {
        #[test]
        fn the_fit_keeps_accuracy_and_never_spends_more_than_majority(
            answers in proptest::collection::vec(proptest::collection::vec(0u8..4, 8), 1..30),
            tol in 0.0f64..0.1,
        ) {
            let d: Vec<Drawn> = answers.iter().map(|a| a.iter().map(|x| (Some(x.to_string()), *x == 0)).collect()).collect();
            let cal = Calibration::new(2, 8, &d).unwrap();
            let f = cal.fit(tol);
            proptest::prop_assert!(f.accuracy + 1e-9 >= f.majority_accuracy - tol);
            proptest::prop_assert!(f.mean_samples <= 8.0 + 1e-9 && f.mean_samples >= 2.0);
            let cheaper = cal.table(f.cost * 2.0 + 0.01);
            proptest::prop_assert!(cal.score(&cheaper).1 <= f.mean_samples + 1e-9, "a higher cost never spends more");
            // No larger cost on the grid also meets the tolerance: the fit is the cheapest it scanned.
            for i in 0..=100 {
                let c = 10f64.powf(-5.0 + 5.0 * i as f64 / 100.0);
                if c > f.cost + 1e-15 {
                    proptest::prop_assert!(cal.score(&cal.table(c)).0 + 1e-12 < f.majority_accuracy - tol);
                }
            }
        }
    }
}
