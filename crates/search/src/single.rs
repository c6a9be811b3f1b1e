//! One attempt per problem: `greedy` (temperature 0) and `sample` (temperature T). The baselines
//! every other strategy is measured against; prompts follow the task's prompt style, so the
//! lecture's method 1 (direct, CoT, few-shot, "supervised CoT" prompts) runs through here.

use deepthink_tasks::{Problem, PromptStyle, Task};

use crate::candidates::sample_candidates;
use crate::error::SearchError;
use crate::generator::Generator;
use crate::strategy::{questions, sampled_requests, Budget, Solution, Strategy};

/// One attempt with the given temperature (0 = greedy) and seed.
pub struct Single {
    pub prompt: PromptStyle,
    pub temperature: f32,
    pub seed: u64,
}

impl Strategy for Single {
    fn name(&self) -> &'static str {
        if self.temperature == 0.0 {
            "greedy"
        } else {
            "sample"
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
        let requests =
            sampled_requests(task, problems, self.prompt, self.temperature, self.seed, 1, budget.max_new_tokens);
        let qs = questions(task, problems, self.prompt);
        let refs: Vec<&Problem> = problems.iter().collect();
        let q: Vec<&str> = qs.iter().map(String::as_str).collect();
        let groups = sample_candidates(task, &refs, &q, &requests, &vec![1; problems.len()], gen, None)?;
        Ok(groups
            .into_iter()
            .map(|(mut cands, spend)| {
                let c = cands.remove(0);
                spend.solution(c.answer, c.completion)
            })
            .collect())
    }
}
