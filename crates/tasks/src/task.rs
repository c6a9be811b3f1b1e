//! The `Task` trait: a problem generator with its config, its prompts and its trace styles.
//!
//! Only `name`, `generate`, `prompt` and `trace_styles` are required. Checking, answer keys and
//! step labels come from the problem itself ([`crate::problem::TaskProblem`]); parsing a typed-in
//! question is a capability a task may lack (a file of free-text questions has no parser).

use rand::RngCore;

use crate::error::TaskError;
use crate::problem::Problem;
use crate::style::{PromptStyle, Split};
use crate::trace_style::TraceStyle;
use crate::verdict::{Checked, StepLabel};

/// A reasoning task with an exact verifier.
pub trait Task: Send + Sync {
    /// The registry name: `"mult"`, `"countdown"`, `"add"`.
    fn name(&self) -> &'static str;
    /// Draws a problem from `split` (difficulty comes from the task's config).
    fn generate(&self, rng: &mut dyn RngCore, split: Split) -> Problem;
    /// The user message.
    fn prompt(&self, p: &Problem, style: PromptStyle) -> String;
    /// Trace styles `completion` accepts, `direct` first and the most readable worked one last.
    fn trace_styles(&self) -> &'static [TraceStyle];

    /// The readable worked trace a base corpus shows when it reasons (`pretrain --think-rate`):
    /// by default the last style offered.
    fn worked_style(&self) -> TraceStyle {
        self.trace_styles().last().copied().unwrap_or(TraceStyle::DIRECT)
    }
    /// The full assistant content: `<think>\n` + lines + `\n</think>\n\n` + answer.
    fn completion(&self, p: &Problem, style: TraceStyle, rng: &mut dyn RngCore) -> Result<String, TaskError> {
        let (lines, answer) = p.trace(style, rng)?;
        Ok(crate::text::render_completion(&lines, &answer))
    }
    /// Checks the final answer of an assistant turn.
    fn verify(&self, p: &Problem, completion: &str) -> Checked {
        p.verify(completion)
    }
    /// One label per reasoning line (see `text::think_lines`); `None` if this task has no
    /// line-level ground truth.
    fn step_labels(&self, p: &Problem, completion: &str) -> Option<Vec<StepLabel>> {
        p.step_labels(completion)
    }
    /// Normalisation under which answers vote together; `None` if unparseable.
    fn answer_key(&self, p: &Problem, answer: &str) -> Option<String> {
        p.answer_key(answer)
    }
    /// Inverse of `Problem::question`, lenient about spaces; an error if the task cannot parse
    /// typed-in questions.
    fn parse_question(&self, text: &str) -> Result<Problem, TaskError> {
        Err(TaskError::BadQuestion {
            task: self.name(),
            input: text.to_string(),
            reason: "this task does not read typed-in questions".to_string(),
        })
    }
    /// Whether `p` is in the held-out partition (5% of the space).
    fn is_held_out(&self, p: &Problem) -> bool {
        p.is_held_out()
    }
    /// Whether `p` lies in this config's problem space; the error says why not, in words for
    /// the person who typed the question (`ask` refuses questions a model was not trained for).
    fn covers(&self, _p: &Problem) -> Result<(), String> {
        Ok(())
    }
    /// A reader's gloss of a completion whose reasoning is not written for a reader (mult's
    /// least-significant-digit-first trace); `None` when it already is.
    fn explain(&self, _p: &Problem, _completion: &str) -> Option<Explanation> {
        None
    }
}

/// How to read a machine-oriented trace: a one-line hint, and one gloss per reasoning line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// Shown after the reasoning when no gloss was asked for.
    pub hint: &'static str,
    /// One line per reasoning line, in normal notation and checked.
    pub glosses: Vec<String>,
}

/// Most problems drawn for one example when the trace style rejects traces (countdown `found`).
pub const MAX_REJECTED_DRAWS: usize = 1_000;

/// A problem from `split` and its completion in `style`; a problem whose trace the style rejects
/// is replaced by the next draw (rejection sampling of a symbolic teacher). Any other error, and
/// [`MAX_REJECTED_DRAWS`] rejections in a row, end the search.
pub fn accepted_draw(
    task: &dyn Task,
    style: TraceStyle,
    split: Split,
    rng: &mut dyn RngCore,
) -> Result<(Problem, String), TaskError> {
    let mut last = String::new();
    for _ in 0..MAX_REJECTED_DRAWS {
        let p = task.generate(rng, split);
        match task.completion(&p, style, rng) {
            Ok(reply) => return Ok((p, reply)),
            Err(e @ TaskError::Rejected { .. }) => last = e.to_string(),
            Err(e) => return Err(e),
        }
    }
    Err(TaskError::AllRejected { style: style.to_string(), draws: MAX_REJECTED_DRAWS, last })
}

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
