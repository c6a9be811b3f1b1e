//! One attempt per problem: `greedy` (temperature 0) and `sample` (temperature T). The baselines
//! every other strategy is measured against; prompts follow the task's prompt style, so the
//! lecture's method 1 (direct, CoT, few-shot, "supervised CoT" prompts) runs through here.

use deepthink_tasks::{Problem, PromptStyle, Task};

use crate::candidates::{sample_and_choose, Sampling};
use crate::error::SearchError;
use crate::generator::Generator;
use crate::strategy::{Budget, Solution, Strategy};

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
        let how = Sampling { prompt: self.prompt, temperature: self.temperature, seed: self.seed };
        sample_and_choose(task, problems, gen, Budget { samples: 1, ..budget }, how, None, |c| c.first())
    }
}
