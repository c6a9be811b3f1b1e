//! Verifier-weighted majority (Li et al. 2023, "weighted voting"; search-and-learn's
//! `weighted` selection): sample N solutions, and each answer collects the sum of its solutions'
//! outcome scores; the answer with the largest total wins. It interpolates between majority
//! voting (all scores equal) and best-of-N (one solution dominates). Non-finite scores count 0.

use std::collections::HashMap;

use deepthink_tasks::{Problem, PromptStyle, Task};

use crate::candidates::{sample_and_choose, Candidate, Sampling};
use crate::error::SearchError;
use crate::generator::Generator;
use crate::scorer::{rank, Scorer};
use crate::strategy::{Budget, Solution, Strategy};

pub struct WeightedMajority<'s> {
    pub scorer: &'s dyn Scorer,
    pub prompt: PromptStyle,
    pub temperature: f32,
    pub seed: u64,
}

/// The best-scored candidate of the answer with the highest summed score (ties: the answer that
/// appeared first). `None` if no candidate has a readable answer.
pub fn weighted_winner(cands: &[Candidate]) -> Option<&Candidate> {
    let mut totals: HashMap<&str, (f64, usize)> = HashMap::new();
    for (i, c) in cands.iter().enumerate() {
        if let Some(k) = c.key.as_deref() {
            let w = if c.score.is_finite() { f64::from(c.score.max(0.0)) } else { 0.0 };
            let e = totals.entry(k).or_insert((0.0, i));
            e.0 += w;
        }
    }
    let (key, _) = totals.into_iter().max_by(|a, b| a.1 .0.total_cmp(&b.1 .0).then(b.1 .1.cmp(&a.1 .1)))?;
    cands.iter().filter(|c| c.key.as_deref() == Some(key)).reduce(
        |a, b| {
            if rank(b.score) > rank(a.score) {
                b
            } else {
                a
            }
        },
    )
}

impl Strategy for WeightedMajority<'_> {
    fn name(&self) -> &'static str {
        "weighted-majority"
    }

    fn solve(
        &self,
        task: &dyn Task,
        problems: &[Problem],
        gen: &dyn Generator,
        budget: Budget,
    ) -> Result<Vec<Solution>, SearchError> {
        let how = Sampling { prompt: self.prompt, temperature: self.temperature, seed: self.seed };
        sample_and_choose(task, problems, gen, budget, how, Some(self.scorer), weighted_winner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cand(key: Option<u8>, score: f32) -> Candidate {
        Candidate {
            completion: String::new(),
            answer: key.map(|k| k.to_string()),
            key: key.map(|k| k.to_string()),
            score,
            confidence: f32::NAN,
            finish: deepthink_model::FinishReason::Stop,
        }
    }

    #[test]
    fn scores_outweigh_counts() {
        let c = [cand(Some(1), 0.1), cand(Some(1), 0.1), cand(Some(2), 0.9), cand(None, 1.0)];
        assert_eq!(weighted_winner(&c).and_then(|c| c.key.clone()).as_deref(), Some("2"));
        let nan = [cand(Some(1), f32::NAN), cand(Some(2), 0.2)];
        assert_eq!(weighted_winner(&nan).and_then(|c| c.key.clone()).as_deref(), Some("2"));
    }

    proptest! {
        #[test]
        fn equal_scores_reduce_to_majority(keys in proptest::collection::vec(proptest::option::of(0u8..4), 1..30)) {
            let c: Vec<Candidate> = keys.iter().map(|&k| cand(k, 0.5)).collect();
            let w = weighted_winner(&c).and_then(|c| c.key.clone());
            let m = crate::majority::vote_winner(&c).and_then(|c| c.key.clone());
            let count = |k: &Option<String>| c.iter().filter(|x| x.key == *k).count();
            // same vote count (ties may break differently)
            prop_assert_eq!(w.as_ref().map(|_| count(&w)), m.as_ref().map(|_| count(&m)));
        }
    }
}
