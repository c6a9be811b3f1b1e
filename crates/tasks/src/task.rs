//! The `Task` trait every task implements, and lookup by name.

use rand::RngCore;

use crate::config::TaskConfig;
use crate::error::TaskError;
use crate::problem::Problem;
use crate::style::{PromptStyle, Split, TraceStyle};
use crate::verdict::{Checked, StepLabel};
use crate::{countdown, mult};

/// A procedurally generated reasoning task with an exact verifier.
pub trait Task: Send + Sync {
    /// `"mult"` or `"countdown"`.
    fn name(&self) -> &'static str;
    /// Draws a problem from `split` (difficulty comes from the task's config).
    fn generate(&self, rng: &mut dyn RngCore, split: Split) -> Problem;
    /// The user message.
    fn prompt(&self, p: &Problem, style: PromptStyle) -> String;
    /// The full assistant content: `<think>\n` + lines + `\n</think>\n\n` + answer.
    fn completion(&self, p: &Problem, style: TraceStyle, rng: &mut dyn RngCore) -> Result<String, TaskError>;
    /// Trace styles `completion` accepts.
    fn trace_styles(&self) -> &'static [TraceStyle];
    /// Checks the final answer of an assistant turn.
    fn verify(&self, p: &Problem, completion: &str) -> Checked;
    /// One label per reasoning line (see `text::think_lines`).
    fn step_labels(&self, p: &Problem, completion: &str) -> Vec<StepLabel>;
    /// Normalisation under which answers vote together; `None` if unparseable.
    fn answer_key(&self, p: &Problem, answer: &str) -> Option<String>;
    /// Inverse of `Problem::question`, lenient about spaces.
    fn parse_question(&self, text: &str) -> Result<Problem, TaskError>;
    /// Whether `p` is in the held-out partition (5% of the space).
    fn is_held_out(&self, p: &Problem) -> bool;
}

/// Every task name `task_by_name` knows.
pub fn all_task_names() -> &'static [&'static str] {
    &[mult::NAME, countdown::NAME]
}

/// Builds a task from its name and config. Unknown names and out-of-range configs are errors.
pub fn task_by_name(name: &str, cfg: &TaskConfig) -> Result<Box<dyn Task>, TaskError> {
    match name.trim() {
        mult::NAME => Ok(Box::new(mult::MultTask::new(cfg)?)),
        countdown::NAME => Ok(Box::new(countdown::CountdownTask::new(cfg)?)),
        other => Err(TaskError::UnknownTask { name: other.to_string(), known: all_task_names().join(", ") }),
    }
}

/// The `Task` methods that only depend on the problem, shared by every task.
macro_rules! problem_delegates {
    () => {
        fn verify(&self, p: &Problem, completion: &str) -> Checked {
            p.verify(completion)
        }
        fn step_labels(&self, p: &Problem, completion: &str) -> Vec<StepLabel> {
            p.step_labels(completion)
        }
        fn answer_key(&self, p: &Problem, answer: &str) -> Option<String> {
            p.answer_key(answer)
        }
        fn is_held_out(&self, p: &Problem) -> bool {
            p.is_held_out()
        }
        fn completion(&self, p: &Problem, style: TraceStyle, rng: &mut dyn RngCore) -> Result<String, TaskError> {
            let (lines, answer) = p.trace(style, rng)?;
            Ok($crate::text::render_completion(&lines, &answer))
        }
    };
}
pub(crate) use problem_delegates;

/// Two worked examples for few-shot prompts, drawn from the training split with a fixed seed.
pub(crate) fn few_shot_examples(task: &dyn Task, style: TraceStyle) -> Vec<(String, String)> {
    let mut rng = crate::seeded::SplitMix64::new(FEW_SHOT_SEED);
    (0..2)
        .filter_map(|_| {
            let p = task.generate(&mut rng, Split::Train);
            let completion = task.completion(&p, style, &mut rng).ok()?;
            Some((p.question(), completion))
        })
        .collect()
}

/// Seed of the few-shot examples.
const FEW_SHOT_SEED: u64 = 2024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_task_names_the_input_and_the_known_ones() {
        let err = task_by_name("sudoku", &TaskConfig::default()).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("`sudoku`") && err.contains("mult, countdown"), "{err}");
    }

    #[test]
    fn every_name_builds() {
        for name in all_task_names() {
            let task = task_by_name(name, &TaskConfig::default()).unwrap();
            assert_eq!(task.name(), *name);
        }
    }

    #[test]
    fn bad_config_names_the_field() {
        let cfg = TaskConfig { max_digits: 12, ..TaskConfig::default() };
        let err = task_by_name("mult", &cfg).err().unwrap().to_string();
        assert!(err.contains("`max_digits`") && err.contains("12"), "{err}");
    }
}
