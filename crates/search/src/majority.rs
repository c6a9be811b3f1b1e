//! Self-consistency (Wang et al. 2023): sample N completions per problem and answer with the
//! most common final answer under the task's `answer_key`. The lecture's strong, hard-to-beat
//! baseline. All N × problems samples go to the generator in one batch.

use deepthink_tasks::{Problem, PromptStyle, Task};

use crate::candidates::{sample_and_choose, Candidate, Sampling};
use crate::error::SearchError;
use crate::generator::Generator;
use crate::strategy::{Budget, Solution, Strategy};
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

/// The candidate that carries the most common answer (the first one that gave it), if any.
pub fn vote_winner(cands: &[Candidate]) -> Option<&Candidate> {
    let keys: Vec<Option<String>> = cands.iter().map(|c| c.key.clone()).collect();
    let (w, _) = majority(&keys)?;
    cands.iter().find(|c| c.key.as_deref() == Some(w.as_str()))
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
        let how = Sampling { prompt: self.prompt, temperature: self.temperature, seed: self.seed };
        sample_and_choose(task, problems, gen, budget, how, None, vote_winner)
    }
}
