//! One attempt per problem: `greedy` (temperature 0) and `sample` (temperature T). The baselines
//! every other strategy is measured against; prompts follow the task's prompt style, so the
//! lecture's method 1 (direct, CoT, few-shot, "supervised CoT" prompts) runs through here.

use deepthink_tasks::{Problem, PromptStyle, Task};

use crate::error::SearchError;
use crate::generator::Generator;
use crate::strategy::{completion_text, cost, sampled_requests, Budget, Solution, Strategy};

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
        let outs = gen.generate(&requests)?;
        Ok(problems
            .iter()
            .zip(&outs)
            .map(|(p, c)| {
                let completion = completion_text(c);
                let (generated_tokens, prompt_tokens, flops) = cost(gen, &[c]);
                Solution {
                    answer: task.verify(p, &completion).answer,
                    completion,
                    generated_tokens,
                    prompt_tokens,
                    flops,
                }
            })
            .collect())
    }
}
