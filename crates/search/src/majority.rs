//! Self-consistency (Wang et al. 2023): sample N completions per problem and answer with the
//! most common final answer under the task's `answer_key`. The lecture's strong, hard-to-beat
//! baseline. All N × problems samples go to the generator in one batch.

use deepthink_tasks::{Problem, PromptStyle, Task};

use crate::error::SearchError;
use crate::generator::Generator;
use crate::strategy::{completion_text, cost, sampled_requests, Budget, Solution, Strategy};
use crate::vote::majority;

pub struct Majority {
    pub prompt: PromptStyle,
    pub temperature: f32,
    pub seed: u64,
}

impl Default for Majority {
    fn default() -> Self {
        Majority { prompt: PromptStyle::Plain, temperature: 1.0, seed: 0 }
    }
}

impl Strategy for Majority {
    fn name(&self) -> &'static str {
        "majority"
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
        let outs = gen.generate(&requests)?;
        Ok(problems
            .iter()
            .zip(outs.chunks(n))
            .map(|(p, group)| {
                let completions: Vec<String> = group.iter().map(completion_text).collect();
                let answers: Vec<Option<String>> = completions.iter().map(|c| task.verify(p, c).answer).collect();
                let keys: Vec<Option<String>> =
                    answers.iter().map(|a| a.as_deref().and_then(|a| task.answer_key(p, a))).collect();
                let winner = majority(&keys);
                // Show the first completion that gave the winning answer.
                let pick =
                    winner.as_ref().and_then(|(w, _)| keys.iter().position(|k| k.as_deref() == Some(w.as_str())));
                let (generated_tokens, prompt_tokens, flops) = cost(gen, &group.iter().collect::<Vec<_>>());
                Solution {
                    answer: pick.and_then(|i| answers[i].clone()),
                    completion: pick.map(|i| completions[i].clone()).unwrap_or_default(),
                    generated_tokens,
                    prompt_tokens,
                    flops,
                }
            })
            .collect())
    }
}
