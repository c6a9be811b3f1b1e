//! Best-of-N (Cobbe et al. 2021; Lightman et al. 2023): sample N complete solutions and answer
//! with the one the outcome verifier scores highest. Scores that are not finite rank lowest.

use deepthink_tasks::{Problem, PromptStyle, Task};

use crate::candidates::sample_candidates;
use crate::error::SearchError;
use crate::generator::Generator;
use crate::scorer::{rank, Scorer};
use crate::strategy::{questions, sampled_requests, Budget, Solution, Strategy};

pub struct BestOfN<'s> {
    pub scorer: &'s dyn Scorer,
    pub prompt: PromptStyle,
    pub temperature: f32,
    pub seed: u64,
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
        budget.validate()?;
        let n = budget.samples;
        let requests =
            sampled_requests(task, problems, self.prompt, self.temperature, self.seed, n, budget.max_new_tokens);
        let qs = questions(task, problems, self.prompt);
        let refs: Vec<&Problem> = problems.iter().collect();
        let q: Vec<&str> = qs.iter().map(String::as_str).collect();
        let groups = sample_candidates(task, &refs, &q, &requests, &vec![n; problems.len()], gen, Some(self.scorer))?;
        Ok(groups
            .into_iter()
            .map(|(cands, spend)| {
                // First of the best on ties, so the choice is deterministic.
                let best = cands.iter().reduce(|a, b| if rank(b.score) > rank(a.score) { b } else { a });
                match best {
                    Some(c) => spend.solution(c.answer.clone(), c.completion.clone()),
                    None => spend.solution(None, String::new()),
                }
            })
            .collect())
    }
}
