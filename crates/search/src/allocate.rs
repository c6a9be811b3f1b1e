//! Difficulty-allocated self-consistency: spend samples by how hard a problem looks, Snell et
//! al.'s compute-optimal idea (2024, "Scaling LLM Test-Time Compute Optimally…") in its simplest
//! form — estimate difficulty cheaply, then give hard problems the budget easy ones do not need.
//!
//! Two phases. A probe of `probe` samples per problem estimates its difficulty by early
//! agreement: d = 1 − (votes of the leading answer) / probe (0 when the probe is unanimous, and
//! an unreadable answer never agrees). A unanimous probe settles the problem; the others get
//! `probe + ⌈(N − probe)·d / d_max⌉` samples in all, where d_max = 1 − 1/probe is the most
//! disagreement a probe can show, so a split probe gets the whole budget N. The answer is the
//! majority of every sample drawn.
//!
//! That is the default, a fixed rule. With an [`AllocationTable`] (`eval --calibrate K`) a learnt
//! one replaces it: the samples each probe outcome gets are chosen on K calibration problems the
//! evaluation does not score ([`calibrate`]), the cheapest allocation found that matches
//! majority@N there — Snell et al.'s best budget per difficulty bin. A table with confidence cut
//! points (`--confidence-cuts`) also reads the policy's confidence in its probe (the lowest
//! token probability of the leader's samples, from the log-probabilities generation returns), so
//! a probe of one sample can settle a problem.
//!
//! Departures from Snell et al.: difficulty comes from the policy's own agreement and confidence,
//! not from a trained verifier's score bins or an oracle. Sample `j` of problem `i` has the seed `majority` gives
//! it, so at equal N the strategies draw the same samples and differ only in how many.

use deepthink_tasks::{check_batch, Attempt, Problem, PromptStyle, Task, Verdict, Verifier};

use crate::adaptive_majority::top_two;
use crate::allocation_table::{check_cuts, check_probe, AllocationTable, Drawn, DrawnSample, ProbeOutcome};
use crate::candidates::{sample_candidates, shown, Candidate, Sampling};
use crate::error::SearchError;
use crate::generator::{Generator, Request};
use crate::majority::vote_winner;
use crate::spend::Spend;
use crate::strategy::{questions, sample_seed, sampled_requests, Budget, Solution, Strategy};

pub struct Allocate {
    pub prompt: PromptStyle,
    pub temperature: f32,
    pub seed: u64,
    /// Samples per problem in the probe.
    pub probe: usize,
    /// A learnt allocation (its own probe size replaces `probe`); `None` for the fixed rule.
    pub table: Option<AllocationTable>,
}

/// The early-agreement difficulty of a probe: 1 − leader share (1 when no answer is readable).
pub fn probe_difficulty(cands: &[Candidate]) -> f64 {
    let (leader, _) = top_two(cands);
    1.0 - leader as f64 / cands.len().max(1) as f64
}

/// Samples in all for a problem of difficulty `d` after a probe of `probe`, within budget `n`.
pub fn allocation(d: f64, probe: usize, n: usize) -> usize {
    if n <= probe || d <= 0.0 {
        return probe.min(n);
    }
    let d_max = 1.0 - 1.0 / probe as f64;
    let extra = ((n - probe) as f64 * (d / d_max).min(1.0)).ceil() as usize;
    (probe + extra).min(n)
}

impl Strategy for Allocate {
    fn name(&self) -> &'static str {
        "allocate"
    }

    fn solve(
        &self,
        task: &dyn Task,
        problems: &[Problem],
        gen: &dyn Generator,
        budget: Budget,
    ) -> Result<Vec<Solution>, SearchError> {
        budget.validate()?;
        let probe = self.table.as_ref().map_or(self.probe, |t| t.probe);
        let cuts = self.table.as_ref().map_or(&[][..], |t| t.cuts.as_slice());
        check_probe(probe, cuts)?;
        // Confidence is read from the log-probabilities of what was drawn.
        let confidence = !cuts.is_empty();
        let n = budget.samples;
        let qs = questions(task, problems, self.prompt);
        let mut cands: Vec<Vec<Candidate>> = vec![Vec::new(); problems.len()];
        let mut spend = vec![Spend::default(); problems.len()];
        let mut want: Vec<usize> = vec![probe.min(n); problems.len()];
        for phase in 0..2 {
            let open: Vec<usize> = (0..problems.len()).filter(|&i| cands[i].len() < want[i]).collect();
            if open.is_empty() {
                break;
            }
            let mut requests = Vec::new();
            let mut per = Vec::new();
            for &i in &open {
                for j in cands[i].len()..want[i] {
                    let seed = sample_seed(self.seed, i, n, j);
                    let mut r = Request::sampled(qs[i].clone(), "", self.temperature, budget.max_new_tokens, seed);
                    // Only the probe's confidence is read.
                    r.logprobs = confidence && phase == 0;
                    requests.push(r);
                }
                per.push(want[i] - cands[i].len());
            }
            let refs: Vec<&Problem> = open.iter().map(|&i| &problems[i]).collect();
            let q: Vec<&str> = open.iter().map(|&i| qs[i].as_str()).collect();
            for (&i, (new, s)) in open.iter().zip(sample_candidates(task, &refs, &q, &requests, &per, gen, None)?) {
                cands[i].extend(new);
                spend[i].add(&s);
            }
            if phase == 0 {
                for (i, c) in cands.iter().enumerate() {
                    want[i] = match &self.table {
                        Some(t) => t.samples_for(outcome(c, &t.cuts)).min(n),
                        None => allocation(probe_difficulty(c), probe, n),
                    };
                }
            }
        }
        Ok(cands.iter().zip(&spend).map(|(c, s)| shown(gen, s, vote_winner(c), c)).collect())
    }
}

/// What a probe of `cands` showed, split by the confidence cut points `cuts`.
pub fn outcome(cands: &[Candidate], cuts: &[f32]) -> ProbeOutcome {
    let keys: Vec<Option<String>> = cands.iter().map(|c| c.key.clone()).collect();
    let confidences: Vec<f32> = cands.iter().map(|c| c.confidence).collect();
    ProbeOutcome::of(&keys, &confidences, cuts)
}

/// Draws `budget.samples` samples for each calibration problem (about 64 sequences a batch, with
/// seeds from `how.seed` on, numbered across all the calibration problems), judges each with
/// `verifier` (the one the evaluation uses), and returns each problem's samples, for
/// `Calibration::new` or `Calibration::fit_two_fold` with a `probe`-sample probe and the
/// confidence cut points `cuts` (both checked here, before anything is sampled; with cut points
/// each sample's confidence is read too — all N, though only the probe's are used, so that a
/// remote server still gets one call with `n` per problem). `progress` gets the problems done.
#[allow(clippy::too_many_arguments)]
pub fn calibrate(
    task: &dyn Task,
    problems: &[Problem],
    gen: &dyn Generator,
    verifier: &dyn Verifier,
    how: Sampling,
    probe: usize,
    cuts: &[f32],
    budget: Budget,
    progress: &mut dyn FnMut(usize),
) -> Result<Vec<Drawn>, SearchError> {
    budget.validate()?;
    let n = budget.samples;
    check_cuts(cuts)?;
    check_probe(probe, cuts)?;
    if probe > n {
        return Err(SearchError::Config(format!("a calibration probe of {probe} samples is over the budget of {n}")));
    }
    let chunk = (64 / n).max(1);
    let mut drawn: Vec<Drawn> = Vec::with_capacity(problems.len());
    for (c, part) in problems.chunks(chunk).enumerate() {
        let qs = questions(task, part, how.prompt);
        // Problem i of the whole set is seeded as `sampled_requests` seeds problem i of one batch.
        let seed = how.seed.wrapping_add((c * chunk * n) as u64);
        let mut requests = sampled_requests(task, part, how.prompt, how.temperature, seed, n, budget.max_new_tokens);
        requests.iter_mut().for_each(|r| r.logprobs = !cuts.is_empty());
        let refs: Vec<&Problem> = part.iter().collect();
        let q: Vec<&str> = qs.iter().map(String::as_str).collect();
        let per = vec![n; part.len()];
        let sampled = sample_candidates(task, &refs, &q, &requests, &per, gen, None)?;
        let attempts: Vec<Attempt> = part
            .iter()
            .zip(&sampled)
            .flat_map(|(p, (cands, _))| cands.iter().map(move |c| Attempt { problem: p, completion: &c.completion }))
            .collect();
        let checked = check_batch(verifier, &attempts).map_err(|e| SearchError::Verifier(e.to_string()))?;
        let mut verdicts = checked.iter().map(|c| c.verdict == Verdict::Correct);
        for (cands, _) in &sampled {
            drawn.push(
                cands
                    .iter()
                    .map(|c| DrawnSample {
                        key: c.key.clone(),
                        right: verdicts.next().unwrap_or(false),
                        confidence: c.confidence,
                    })
                    .collect(),
            );
        }
        progress(drawn.len());
    }
    Ok(drawn)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::candidates::with_key as cand;

    #[test]
    fn unanimous_probes_stop_and_split_ones_get_the_budget() {
        let same = [cand(Some("7")), cand(Some("7")), cand(Some("7")), cand(Some("7"))];
        assert_eq!(probe_difficulty(&same), 0.0);
        assert_eq!(allocation(0.0, 4, 32), 4);
        let three_one = [cand(Some("7")), cand(Some("7")), cand(Some("7")), cand(Some("8"))];
        assert_eq!(probe_difficulty(&three_one), 0.25);
        assert_eq!(allocation(0.25, 4, 32), 4 + 10); // ⌈28 · 0.25 / 0.75⌉
        let split = [cand(Some("7")), cand(Some("8")), cand(Some("9")), cand(None)];
        assert_eq!(allocation(probe_difficulty(&split), 4, 32), 32);
        assert_eq!(probe_difficulty(&[cand(None), cand(None)]), 1.0, "unreadable answers never agree");
        assert_eq!(allocation(0.5, 4, 3), 3, "never above N");
    }

    proptest::proptest! {
        #[test]
        fn allocation_grows_with_difficulty_within_the_budget(d in 0.0f64..1.0, e in 0.0f64..1.0, probe in 2usize..8, n in 1usize..64) {
            let (a, b) = (allocation(d.min(e), probe, n), allocation(d.max(e), probe, n));
            proptest::prop_assert!(a <= b && b <= n.max(probe.min(n)) && a >= probe.min(n));
        }
    }
}
