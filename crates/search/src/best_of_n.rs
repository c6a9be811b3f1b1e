//! Best-of-N (Cobbe et al. 2021; Lightman et al. 2023): sample N complete solutions and answer
//! with the one the outcome verifier scores highest. Scores that are not finite rank lowest.

use deepthink_tasks::{Problem, PromptStyle, Task};

use crate::candidates::{sample_and_choose, Candidate, Sampling};
use crate::error::SearchError;
use crate::generator::Generator;
use crate::scorer::{rank, Scorer};
use crate::strategy::{Budget, Solution, Strategy};

pub struct BestOfN<'s> {
    pub scorer: &'s dyn Scorer,
    pub prompt: PromptStyle,
    pub temperature: f32,
    pub seed: u64,
}

/// The highest-scored candidate (the first of equals, so the choice is deterministic).
pub fn best_scored(cands: &[Candidate]) -> Option<&Candidate> {
    cands.iter().reduce(|a, b| if rank(b.score) > rank(a.score) { b } else { a })
}

impl Strategy for BestOfN<'_> {
    fn name(&self) -> &'static str {
        "best-of-n"
    }

    fn solve(
        &self,
        task: &dyn Task,
        problems: &[Problem],
        gen: &dyn Generator,
        budget: Budget,
    ) -> Result<Vec<Solution>, SearchError> {
        let how = Sampling { prompt: self.prompt, temperature: self.temperature, seed: self.seed };
        sample_and_choose(task, problems, gen, budget, how, Some(self.scorer), best_scored)
    }
}
