//! Who writes the solutions a student imitates. A teacher proposes candidate completions for a
//! batch of problems; [`super::distill`] keeps the verified ones.
//!
//! - [`TraceTeacher`]: the task's own symbolic trace (several per problem where the task has
//!   several solutions, as countdown does). Right by construction for every style but countdown's
//!   `found`, which rejects a search that fails (no candidate), and `stream`, which keeps it and
//!   answers `none` (a candidate that verification drops);
//! - [`SearchTeacher`]: any test-time strategy over any generator — a bigger or RL-trained local
//!   model, beam or majority with a verifier, or a remote model behind an OpenAI-compatible
//!   server (`search::RemoteGenerator`). Its candidates are every whole solution the strategy
//!   sampled (majority's N samples), or the one it chose where it samples none (greedy, beam,
//!   dvts, mcts).

use deepthink_search::{by_name, Budget, Generator, Scorer, StrategyOptions};
use deepthink_tasks::{Problem, Task, TaskError, TraceStyle};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::error::TrainError;

/// A source of candidate solutions.
pub trait Teacher {
    /// How the provenance names it, e.g. `majority×8 T=1 over runs/rl/checkpoint`.
    fn describe(&self) -> String;
    /// Candidate completions (each a whole assistant turn, pre-fill included) for every problem,
    /// in order. `seed` fixes every random choice for this batch.
    fn candidates(&self, task: &dyn Task, problems: &[Problem], seed: u64) -> Result<Vec<Vec<String>>, TrainError>;
}

/// The task's own trace in `style`, `samples` times per problem (each with its own seed).
pub struct TraceTeacher {
    pub style: TraceStyle,
    pub samples: usize,
}

impl Teacher for TraceTeacher {
    fn describe(&self) -> String {
        format!("the task's {} trace ×{}", self.style, self.samples)
    }

    fn candidates(&self, task: &dyn Task, problems: &[Problem], seed: u64) -> Result<Vec<Vec<String>>, TrainError> {
        problems
            .iter()
            .enumerate()
            .map(|(i, p)| {
                // A trace the style rejects (countdown `found`) is no candidate.
                let mut kept = Vec::new();
                for j in 0..self.samples.max(1) {
                    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ ((i as u64) << 16) ^ j as u64);
                    match task.completion(p, self.style, &mut rng) {
                        Ok(c) => kept.push(c),
                        Err(TaskError::Rejected { .. }) => {}
                        Err(e) => return Err(e.into()),
                    }
                }
                Ok(kept)
            })
            .collect()
    }
}

/// A strategy by name over a generator (and a verifier, for the strategies that need one).
pub struct SearchTeacher<'a> {
    pub strategy: String,
    pub options: StrategyOptions,
    pub scorer: Option<&'a dyn Scorer>,
    pub gen: &'a dyn Generator,
    pub budget: Budget,
    /// The model or server behind `gen`, for the provenance.
    pub source: String,
}

impl Teacher for SearchTeacher<'_> {
    fn describe(&self) -> String {
        format!("{}×{} T={} over {}", self.strategy, self.budget.samples, self.options.temperature, self.source)
    }

    fn candidates(&self, task: &dyn Task, problems: &[Problem], seed: u64) -> Result<Vec<Vec<String>>, TrainError> {
        let options = StrategyOptions { seed, ..self.options.clone() };
        let strategy = by_name(&self.strategy, &options, self.scorer)?;
        let solutions = strategy.solve(task, problems, self.gen, self.budget)?;
        Ok(solutions.into_iter().map(|s| if s.samples.is_empty() { vec![s.completion] } else { s.samples }).collect())
    }
}
