//! A learnt allocation for `allocate`: how many samples a problem gets, given what its probe
//! showed, chosen on calibration problems with known answers — Snell et al.'s compute-optimal
//! rule (2024, "Scaling LLM Test-Time Compute Optimally…", §3.2: bin problems by estimated
//! difficulty, then pick the best budget per bin on held-out data).
//!
//! A probe's outcome is the leading answer's vote count k (0 when no answer is readable, `probe`
//! when it is unanimous) and, when the table has confidence cut points, the level the probe's
//! confidence reaches: the lowest probability the policy gave any token of the leader's samples
//! (DeepConf, Fu et al. 2025, read from the log-probabilities generation already computes, so it
//! costs nothing; one sample can then be a probe). For each outcome, calibration measures how
//! often the majority of the first m samples is right, m = probe..=N, and the table gives the
//! outcome the m that maximises correct(m) − cost · problems · m: an extra sample is bought only
//! while it buys more than `cost` accuracy a problem. An outcome calibration never saw gets the
//! whole N, as the fixed rule would give a split probe. [`Calibration::fit`] picks the largest
//! cost (on a grid) whose calibration accuracy stays within `tolerance` of majority@N's: the
//! cheapest table on this cost frontier that matches fixed majority on problems the evaluation
//! does not score. (A table off the frontier could be cheaper still; an exact search is a small
//! knapsack, not worth it while the frontier's tables already sit at the probe size for most
//! problems.)
//!
//! Departures from Snell et al.: difficulty is the policy's own early agreement and token
//! confidence rather than an oracle's or a trained verifier's bins; the per-bin choice is a
//! number of samples for one strategy (majority), not a choice among strategies; and
//! [`Calibration::fit`] fits the table once on all the calibration problems.
//! [`Calibration::fit_two_fold`] judges each cost two-fold, as Snell et al. select; it is
//! stricter, not steadier (docs/overthinking.md). Departure from DeepConf: the confidence picks
//! how many samples to draw, not which traces vote, and it is whatever probability the generator
//! reports for each token it wrote: deepthink's own generator reports the distribution it sampled
//! from (at the run's temperature); a remote server may report the model's at T = 1. Calibration
//! and evaluation read the same generator, so a table is consistent with itself, but cut points
//! mean different things on different backends.

use serde::Serialize;

use crate::error::SearchError;
use crate::vote::majority;

/// What a probe showed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProbeOutcome {
    /// The leading answer's votes (0 when no answer is readable).
    pub votes: usize,
    /// How many confidence cut points the probe's confidence reaches (0 without cut points).
    pub level: usize,
}

impl ProbeOutcome {
    /// The outcome of a probe whose samples have vote keys `keys` and confidences `confidences`
    /// (in the same order). The probe's confidence is the lowest of the leading answer's samples
    /// (of every sample when none is readable); a NaN confidence (none was reported) reaches no
    /// cut point.
    pub fn of(keys: &[Option<String>], confidences: &[f32], cuts: &[f32]) -> ProbeOutcome {
        let leader = majority(keys);
        let lowest = keys
            .iter()
            .zip(confidences)
            .filter(|(k, _)| leader.as_ref().is_none_or(|(w, _)| k.as_deref() == Some(w.as_str())))
            .fold(f32::INFINITY, |low, (_, &c)| if c.is_nan() { f32::NEG_INFINITY } else { low.min(c) });
        ProbeOutcome { votes: leader.map_or(0, |(_, n)| n), level: cuts.iter().filter(|&&cut| lowest >= cut).count() }
    }
}

/// Refuses cut points that are not finite, not within (0, 1), or not rising.
pub fn check_cuts(cuts: &[f32]) -> Result<(), SearchError> {
    let inside = cuts.iter().all(|c| c.is_finite() && *c > 0.0 && *c < 1.0);
    if !inside || cuts.windows(2).any(|w| w[0] >= w[1]) {
        let shown: Vec<String> = cuts.iter().map(f32::to_string).collect();
        return Err(SearchError::Config(format!(
            "confidence cut points must rise strictly within (0, 1), got {}",
            shown.join(",")
        )));
    }
    Ok(())
}

/// The smallest probe that can show a difficulty: agreement needs 2 samples, confidence 1.
pub fn least_probe(cuts: &[f32]) -> usize {
    if cuts.is_empty() {
        2
    } else {
        1
    }
}

/// Refuses a probe smaller than [`least_probe`].
pub fn check_probe(probe: usize, cuts: &[f32]) -> Result<(), SearchError> {
    let least = least_probe(cuts);
    if probe < least {
        return Err(SearchError::Config(format!(
            "the probe needs at least {least} sample{} ({}), got {probe}",
            if least == 1 { "" } else { "s" },
            if cuts.is_empty() {
                "to agree; a calibrated table with confidence cut points can probe with 1"
            } else {
                "to read a confidence"
            }
        )));
    }
    Ok(())
}

/// Samples in all for each probe outcome.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AllocationTable {
    /// Samples in the probe.
    pub probe: usize,
    /// Confidence cut points, rising, within (0, 1); empty when agreement alone decides.
    pub cuts: Vec<f32>,
    /// `samples[votes · (cuts + 1) + level]`: samples in all for a probe whose leading answer has
    /// that many votes (0..=probe) and whose confidence reaches that level (0..=cuts).
    pub samples: Vec<usize>,
}

impl AllocationTable {
    /// Outcomes a probe of `probe` samples can show with `cuts` cut points.
    pub fn outcomes(probe: usize, cuts: usize) -> usize {
        (probe + 1) * (cuts + 1)
    }

    fn index(&self, o: ProbeOutcome) -> usize {
        o.votes.min(self.probe) * (self.cuts.len() + 1) + o.level.min(self.cuts.len())
    }

    /// Samples in all for a probe that showed `o`.
    pub fn samples_for(&self, o: ProbeOutcome) -> usize {
        self.samples_at(self.index(o))
    }

    /// Samples in all for outcome index `i` (the last entry's past the end; never below the probe).
    fn samples_at(&self, i: usize) -> usize {
        let last = self.samples.last().copied().unwrap_or(self.probe);
        self.samples.get(i).copied().unwrap_or(last).max(self.probe)
    }

    /// The confidence range of `level`, as the table prints it.
    fn level_name(&self, level: usize) -> String {
        match (level.checked_sub(1).map(|l| self.cuts[l]), self.cuts.get(level)) {
            (None, Some(hi)) => format!("confidence < {hi}"),
            (Some(lo), Some(hi)) => format!("confidence {lo}–{hi}"),
            (Some(lo), None) => format!("confidence ≥ {lo}"),
            (None, None) => String::new(),
        }
    }
}

impl std::fmt::Display for AllocationTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let per = self.cuts.len() + 1;
        let levels: Vec<String> = self
            .samples
            .iter()
            .enumerate()
            .rev()
            .map(|(i, m)| {
                let agree = format!("{}/{} agree", i / per, self.probe);
                if self.cuts.is_empty() {
                    format!("{agree} → {m}")
                } else {
                    format!("{agree}, {} → {m}", self.level_name(i % per))
                }
            })
            .collect();
        write!(f, "{}", levels.join(", "))
    }
}

/// One calibration sample: its vote key, whether its answer is right, and the policy's
/// confidence in it (NaN when none was read).
#[derive(Clone, Debug, PartialEq)]
pub struct DrawnSample {
    pub key: Option<String>,
    pub right: bool,
    pub confidence: f32,
}

/// One calibration problem's samples in draw order.
pub type Drawn = Vec<DrawnSample>;

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
    /// The confidence cut points outcomes are split by.
    pub cuts: Vec<f32>,
    /// Indexed as [`AllocationTable::samples`] is.
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
fn majority_right(drawn: &[DrawnSample]) -> bool {
    let keys: Vec<Option<String>> = drawn.iter().map(|d| d.key.clone()).collect();
    majority(&keys)
        .is_some_and(|(w, _)| drawn.iter().find(|d| d.key.as_deref() == Some(w.as_str())).is_some_and(|d| d.right))
}

impl Calibration {
    /// Tallies `drawn` (every problem with at least `n` samples; the first `n` are used), with
    /// probe outcomes split by the confidence cut points `cuts` (none: agreement alone).
    pub fn new(probe: usize, n: usize, cuts: &[f32], drawn: &[Drawn]) -> Result<Calibration, SearchError> {
        check_cuts(cuts)?;
        check_probe(probe, cuts)?;
        if n < probe {
            return Err(SearchError::Config(format!("a probe of {probe} samples is over the budget of {n}")));
        }
        let table = AllocationTable { probe, cuts: cuts.to_vec(), samples: Vec::new() };
        let outcomes = AllocationTable::outcomes(probe, cuts.len());
        let mut levels = vec![Level { problems: 0, correct: vec![0; n - probe + 1] }; outcomes];
        for (i, d) in drawn.iter().enumerate() {
            if d.len() < n {
                return Err(SearchError::Config(format!(
                    "calibration problem {i} has {} samples, fewer than the budget {n}",
                    d.len()
                )));
            }
            let keys: Vec<Option<String>> = d[..probe].iter().map(|s| s.key.clone()).collect();
            let confidences: Vec<f32> = d[..probe].iter().map(|s| s.confidence).collect();
            let level = &mut levels[table.index(ProbeOutcome::of(&keys, &confidences, cuts))];
            level.problems += 1;
            for m in probe..=n {
                level.correct[m - probe] += usize::from(majority_right(&d[..m]));
            }
        }
        Ok(Calibration { probe, n, cuts: cuts.to_vec(), levels })
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
        AllocationTable { probe: self.probe, cuts: self.cuts.clone(), samples }
    }

    /// Accuracy and mean samples of `table` on the calibration problems.
    pub fn score(&self, table: &AllocationTable) -> (f64, f64) {
        let total = self.problems().max(1) as f64;
        let (mut right, mut spent) = (0usize, 0usize);
        for (i, l) in self.levels.iter().enumerate() {
            let m = table.samples_at(i).min(self.n);
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
    pub fn fit_two_fold(
        probe: usize,
        n: usize,
        cuts: &[f32],
        drawn: &[Drawn],
        tolerance: f64,
    ) -> Result<Fitted, SearchError> {
        let all = Calibration::new(probe, n, cuts, drawn)?;
        let half = |parity: usize| -> Vec<Drawn> {
            drawn.iter().enumerate().filter(|(i, _)| i % 2 == parity).map(|(_, d)| d.clone()).collect()
        };
        let (a, b) = (half(0), half(1));
        let (fold_a, fold_b) = (Calibration::new(probe, n, cuts, &a)?, Calibration::new(probe, n, cuts, &b)?);
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
        let majority_accuracy = self
            .score(&AllocationTable {
                probe: self.probe,
                cuts: self.cuts.clone(),
                samples: vec![self.n; self.levels.len()],
            })
            .0;
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

    fn sample(key: Option<String>, right: bool, confidence: f32) -> DrawnSample {
        DrawnSample { key, right, confidence }
    }

    fn drawn(answers: &[&str], right: &str) -> Drawn {
        answers.iter().map(|a| sample((!a.is_empty()).then(|| a.to_string()), *a == right, f32::NAN)).collect()
    }

    #[test]
    fn levels_count_majority_by_sample_count() {
        // Probe 2: the first problem agrees (and stays right); the second splits, and its third
        // and fourth samples bring the right answer ahead.
        let cal = Calibration::new(2, 4, &[], &[drawn(&["7", "7", "8", "7"], "7"), drawn(&["1", "2", "2", "2"], "2")])
            .unwrap();
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
        let tie = Calibration::new(
            2,
            2,
            &[],
            &[vec![sample(Some("1".into()), false, 1.0), sample(Some("2".into()), true, 1.0)]],
        )
        .unwrap();
        assert_eq!(tie.levels[1].correct, vec![0]);
    }

    #[test]
    fn a_hopeless_level_gets_no_more_samples_and_a_bad_calibration_is_refused() {
        let cal = Calibration::new(2, 6, &[], &[drawn(&["", "", "", "", "", ""], "3")]).unwrap();
        assert_eq!(cal.fit(0.0).table.samples[0], 2, "more samples of an unreadable answer buy nothing");
        assert!(Calibration::new(1, 4, &[], &[]).is_err(), "agreement needs two samples");
        assert!(Calibration::new(2, 4, &[], &[drawn(&["1", "1"], "1")]).is_err(), "too few samples");
        for bad in [vec![0.5, 0.5], vec![0.0], vec![1.0], vec![f32::NAN], vec![0.9, 0.5]] {
            assert!(Calibration::new(2, 4, &bad, &[]).is_err(), "{bad:?}");
        }
        let t = AllocationTable { probe: 3, cuts: vec![], samples: vec![9, 5, 3, 3] };
        let agree = |votes| ProbeOutcome { votes, level: 0 };
        assert_eq!((t.samples_for(agree(0)), t.samples_for(agree(7))), (9, 3));
        assert_eq!(t.to_string(), "3/3 agree → 3, 2/3 agree → 3, 1/3 agree → 5, 0/3 agree → 9");
    }

    #[test]
    fn confidence_lets_one_sample_probe_and_splits_agreeing_probes() {
        // Probe 1, cut at 0.5: a confident first sample is right and stops; an unsure one is
        // wrong and the next two samples outvote it.
        let sure = vec![sample(Some("4".into()), true, 0.9); 3];
        let unsure = vec![
            sample(Some("5".into()), false, 0.2),
            sample(Some("4".into()), true, 0.9),
            sample(Some("4".into()), true, 0.8),
        ];
        let cal = Calibration::new(1, 3, &[0.5], &[sure.clone(), sure, unsure]).unwrap();
        // Outcomes: votes 0 or 1, each below or above 0.5.
        assert_eq!(cal.levels.len(), 4);
        assert_eq!((cal.levels[3].problems, cal.levels[2].problems), (2, 1));
        let f = cal.fit(0.0);
        assert_eq!(f.table.samples, vec![3, 3, 3, 1], "unseen outcomes get N; the unsure probe buys two");
        assert_eq!((f.accuracy, f.mean_samples), (1.0, 5.0 / 3.0));
        assert_eq!(f.table.to_string(), "1/1 agree, confidence ≥ 0.5 → 1, 1/1 agree, confidence < 0.5 → 3, 0/1 agree, confidence ≥ 0.5 → 3, 0/1 agree, confidence < 0.5 → 3");
        // The probe's confidence is its leader's lowest; a missing one reaches no level.
        let keys = [Some("4".to_string()), Some("4".to_string()), Some("5".to_string())];
        assert_eq!(ProbeOutcome::of(&keys, &[0.95, 0.6, 0.99], &[0.5, 0.9]), ProbeOutcome { votes: 2, level: 1 });
        assert_eq!(ProbeOutcome::of(&keys, &[0.95, f32::NAN, 0.99], &[0.5, 0.9]).level, 0);
        assert_eq!(ProbeOutcome::of(&[None, None], &[0.7, 0.3], &[0.5]), ProbeOutcome { votes: 0, level: 0 });
        assert_eq!(ProbeOutcome::of(&keys, &[0.1, 0.1, 0.1], &[]), ProbeOutcome { votes: 2, level: 0 });
        assert!(check_probe(1, &[0.5]).is_ok() && check_probe(1, &[]).is_err());
    }

    #[test]
    fn two_fold_keeps_only_what_holds_on_the_other_half() {
        // Every problem: a split probe of 2 that a third sample settles right. Both halves see
        // it, so the cross-validated fit buys the third sample at a real cost, as the plain fit does.
        let d: Vec<Drawn> = (0..8).map(|_| drawn(&["1", "2", "2", "2"], "2")).collect();
        let f = Calibration::fit_two_fold(2, 4, &[], &d, 0.0).unwrap();
        assert_eq!((f.table.samples[1], f.accuracy), (3, 1.0));
        assert!(f.cost > 0.1, "{f:?}");
        // One lucky problem: its agreeing probe is wrong and the fifth sample fixes it. The plain
        // fit pays for it at a positive cost; out of sample the half without it never gains, so
        // no positive cost holds two-fold and the fit falls back to cost 0, the safest table.
        let mut lucky: Vec<Drawn> = (0..7).map(|_| drawn(&["5", "5", "5", "5", "5", "5"], "5")).collect();
        lucky.push(drawn(&["1", "1", "2", "2", "2", "2"], "2"));
        let plain = Calibration::new(2, 6, &[], &lucky).unwrap().fit(0.0);
        assert_eq!(plain.table.samples[2], 5);
        assert!(plain.cost > 0.01, "{plain:?}");
        let two = Calibration::fit_two_fold(2, 6, &[], &lucky, 0.0).unwrap();
        assert_eq!((two.cost, two.table.samples[2]), (0.0, 5));
    }

    proptest::proptest! {
        #[test]
        fn the_fit_keeps_accuracy_and_never_spends_more_than_majority(
            answers in proptest::collection::vec(proptest::collection::vec(0u8..4, 8), 1..30),
            tol in 0.0f64..0.1,
            one in proptest::bool::ANY,
        ) {
            let d: Vec<Drawn> = answers
                .iter()
                .map(|a| a.iter().map(|x| sample(Some(x.to_string()), *x == 0, 1.0 / (1.0 + *x as f32))).collect())
                .collect();
            let cuts: &[f32] = if one { &[0.4, 0.9] } else { &[] };
            let cal = Calibration::new(if one { 1 } else { 2 }, 8, cuts, &d).unwrap();
            let f = cal.fit(tol);
            proptest::prop_assert!(f.accuracy + 1e-9 >= f.majority_accuracy - tol);
            proptest::prop_assert!(f.mean_samples <= 8.0 + 1e-9 && f.mean_samples >= cal.probe as f64);
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
