//! Adaptive self-consistency (Aggarwal et al. 2023, "Let's Sample Step by Step"): sample in
//! rounds and stop a problem as soon as its leading answer is very probably the true majority —
//! the first answer to the lecture's overthinking problem, spending samples only where answers
//! disagree.
//!
//! Stopping rule (the paper's Beta criterion): with `v₁` votes for the leader and `v₂` for the
//! runner-up, stop when P(p₁ > p₂) ≥ `confidence` under a uniform prior, which for integer votes is
//! P(Binomial(v₁+v₂+1, ½) ≤ v₁). Sample `j` of problem `i` has the seed `majority` would give it,
//! so at equal N the two strategies draw the same samples and only the stopping differs.
//!
//! The other rule ([`StopRule::Window`], strategy `esc`) is Early-Stopping Self-Consistency's
//! (Li et al. 2024, ICLR): sample in windows of `w` and stop as soon as every answer in the
//! latest window agrees (the window's answer entropy is zero). Departure from ESC: the window is
//! also the round, and a window with an unreadable answer never counts as agreeing.

use std::collections::HashMap;

use deepthink_tasks::{Problem, PromptStyle, Task};

use crate::candidates::{sample_candidates, shown, Candidate};
use crate::error::SearchError;
use crate::generator::{Generator, Request};
use crate::majority::vote_winner;
use crate::spend::Spend;
use crate::strategy::{questions, sample_seed, Budget, Solution, Strategy};

/// When a problem has enough samples.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StopRule {
    /// Adaptive-Consistency's Beta criterion at `AdaptiveMajority::confidence`.
    Beta,
    /// ESC: the latest window of `round` samples all agree.
    Window,
}

pub struct AdaptiveMajority {
    pub prompt: PromptStyle,
    pub temperature: f32,
    pub seed: u64,
    /// Samples drawn per problem per round (the window, under [`StopRule::Window`]).
    pub round: usize,
    /// Stop once the leader is the true majority with at least this probability.
    pub confidence: f64,
    pub rule: StopRule,
}

impl Default for AdaptiveMajority {
    fn default() -> Self {
        AdaptiveMajority {
            prompt: PromptStyle::Plain,
            temperature: 1.0,
            seed: 0,
            round: 2,
            confidence: 0.95,
            rule: StopRule::Beta,
        }
    }
}

/// The last `w` samples exist and share one readable answer.
fn window_agrees(cands: &[Candidate], w: usize) -> bool {
    let Some(last) = cands.len().checked_sub(w).map(|from| &cands[from..]) else { return false };
    let first = last.first().and_then(|c| c.key.as_deref());
    first.is_some() && last.iter().all(|c| c.key.as_deref() == first)
}

/// P(Binomial(n, ½) ≤ k) for n = leader + runner_up + 1, k = leader: the Beta criterion.
pub fn leader_confidence(leader: usize, runner_up: usize) -> f64 {
    let n = leader + runner_up + 1;
    // Sum C(n, j) / 2ⁿ for j ≤ leader, in logs so large n stays finite.
    let ln_half_n = -(n as f64) * std::f64::consts::LN_2;
    let mut ln_c = 0.0f64; // ln C(n, 0)
    let mut total = 0.0;
    for j in 0..=leader.min(n) {
        if j > 0 {
            ln_c += ((n - j + 1) as f64).ln() - (j as f64).ln();
        }
        total += (ln_c + ln_half_n).exp();
    }
    total.min(1.0)
}

/// Votes of the leading and the second answer.
pub(crate) fn top_two(cands: &[Candidate]) -> (usize, usize) {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for k in cands.iter().filter_map(|c| c.key.as_deref()) {
        *counts.entry(k).or_insert(0) += 1;
    }
    let mut v: Vec<usize> = counts.into_values().collect();
    v.sort_unstable_by(|a, b| b.cmp(a));
    (v.first().copied().unwrap_or(0), v.get(1).copied().unwrap_or(0))
}

impl Strategy for AdaptiveMajority {
    fn name(&self) -> &'static str {
        match self.rule {
            StopRule::Beta => "adaptive-majority",
            StopRule::Window => "esc",
        }
    }

    fn solve(
        &self,
        task: &dyn Task,
        problems: &[Problem],
        gen: &dyn Generator,
        budget: Budget,
    ) -> Result<Vec<Solution>, SearchError> {
        budget.validate()?;
        if self.round == 0 {
            return Err(SearchError::Config("`round` must be at least 1, got 0".into()));
        }
        if !(self.confidence > 0.5 && self.confidence <= 1.0) {
            return Err(SearchError::Config(format!("`confidence` must be in (0.5, 1], got {}", self.confidence)));
        }
        let n = budget.samples;
        let qs = questions(task, problems, self.prompt);
        let mut cands: Vec<Vec<Candidate>> = vec![Vec::new(); problems.len()];
        let mut spend = vec![Spend::default(); problems.len()];
        let mut open: Vec<usize> = (0..problems.len()).collect();
        while !open.is_empty() {
            let mut requests = Vec::new();
            let mut per = Vec::new();
            for &i in &open {
                let have = cands[i].len();
                let take = self.round.min(n - have);
                for j in have..have + take {
                    let seed = sample_seed(self.seed, i, n, j);
                    requests.push(Request::sampled(qs[i].clone(), "", self.temperature, budget.max_new_tokens, seed));
                }
                per.push(take);
            }
            let refs: Vec<&Problem> = open.iter().map(|&i| &problems[i]).collect();
            let q: Vec<&str> = open.iter().map(|&i| qs[i].as_str()).collect();
            let groups = sample_candidates(task, &refs, &q, &requests, &per, gen, None)?;
            for (&i, (new, s)) in open.iter().zip(groups) {
                cands[i].extend(new);
                spend[i].add(&s);
            }
            open.retain(|&i| {
                let settled = match self.rule {
                    StopRule::Beta => {
                        let (v1, v2) = top_two(&cands[i]);
                        leader_confidence(v1, v2) >= self.confidence
                    }
                    StopRule::Window => window_agrees(&cands[i], self.round),
                };
                cands[i].len() < n && !settled
            });
        }
        Ok(cands.iter().zip(&spend).map(|(c, s)| shown(gen, s, vote_winner(c), c)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn confidence_matches_the_beta_criterion() {
        // 4 votes to 0: P(Bin(5, ½) ≤ 4) = 31/32.
        assert!((leader_confidence(4, 0) - 31.0 / 32.0).abs() < 1e-12);
        assert!((leader_confidence(0, 0) - 0.5).abs() < 1e-12);
        assert!(leader_confidence(3, 0) < 0.95 && leader_confidence(5, 0) > 0.95);
        assert!(leader_confidence(400, 390).is_finite());
    }

    use crate::candidates::with_key as cand;

    #[test]
    fn a_window_agrees_only_when_every_answer_in_it_is_the_same() {
        let c = [cand(Some("1")), cand(Some("2")), cand(Some("2")), cand(Some("2"))];
        assert!(window_agrees(&c, 3));
        assert!(!window_agrees(&c, 4));
        assert!(!window_agrees(&c[..2], 3), "too few samples");
        assert!(!window_agrees(&[cand(None), cand(None)], 2), "unreadable answers never agree");
    }

    proptest! {
        #[test]
        fn more_agreement_means_more_confidence(a in 0usize..60, b in 0usize..60) {
            let c = leader_confidence(a, b);
            prop_assert!((0.0..=1.0).contains(&c));
            prop_assert!(leader_confidence(a + 1, b) >= c - 1e-12);
            prop_assert!(leader_confidence(a, b + 1) <= c + 1e-12);
        }
    }
}
