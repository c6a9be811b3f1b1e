//! One attempt per problem: `greedy` (temperature 0) and `sample` (temperature T). The baselines
//! every other strategy is measured against; prompts follow the task's prompt style, so the
//! lecture's method 1 (direct, CoT, few-shot, "supervised CoT" prompts) runs through here.

use deepthink_model::SamplingParams;
use deepthink_tasks::{Problem, PromptStyle, Task};

use crate::error::SearchError;
use crate::generator::Generator;
use crate::strategy::{completion_text, cost, request, Budget, Solution, Strategy};

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
        let requests: Vec<_> = problems
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let params = SamplingParams {
                    temperature: self.temperature,
                    max_new_tokens: budget.max_new_tokens,
                    seed: self.seed.wrapping_add(i as u64),
                    ..SamplingParams::default()
                };
                request(task, p, self.prompt, params)
            })
            .collect();
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
