//! L1's length control (Aggarwal & Welleck 2025, "L1: Controlling How Long a Reasoning Model
//! Thinks"): the prompt names a target length — `think for 64 tokens` — and RL rewards the
//! model for meeting it (`train::grpo::reward::l1_exact`, `l1_max`).
//!
//! [`WithLengthTarget`] wraps any task and appends the target to its prompts; everything else
//! (problems, checking, traces) is the inner task's. The target is fixed (evaluation: "how close
//! does the model come to 64?") or drawn per problem from a range (training), from a hash of the
//! question and a seed so a resumed run asks for what an uninterrupted one would have.
//! [`target_in_prompt`] reads it back, so a reward needs only the prompt it scored.
//!
//! Departure from L1: targets are tens to a few hundred tokens (our traces are short), drawn
//! uniformly in steps of 8 rather than from L1's fixed list.
//!
//! With `fit` above 1, [`WithLengthTarget`] also shapes its training traces: it draws `fit`
//! completions of the inner task and keeps the one whose length (in characters: tokens under the
//! default character tokenizer) is closest to the target. A task whose traces vary in length
//! (`add --trace recheck`, countdown `search`) so yields SFT data in which length follows the
//! target — a base L1's RL can refine. Departure from L1, whose base (DeepScaleR) met no targets
//! before RL: our first L1 run from a target-blind base learned the unconditional median length
//! for every target (docs/overthinking.md, "L1").
//!
//! [`repeated_line_share`] is the check that padding is not passing for control: the share of
//! reasoning lines that repeat an earlier line of the same completion.

use rand::RngCore;

use crate::error::TaskError;
use crate::problem::Problem;
use crate::style::{PromptStyle, Split};
use crate::task::{Explanation, Task};
use crate::trace_style::TraceStyle;
use crate::verdict::{Checked, StepLabel};

/// The words before the number in a prompt's target line.
const LEAD: &str = "think for ";
/// The word after it.
const TAIL: &str = " tokens";

/// Which target a prompt gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Every prompt asks for this many tokens.
    Fixed(usize),
    /// A multiple of 8 in `min..=max`, from a hash of the question and `seed`.
    Range { min: usize, max: usize, seed: u64 },
}

impl Target {
    /// The target for `question`.
    pub fn for_question(self, question: &str) -> usize {
        match self {
            Target::Fixed(n) => n,
            Target::Range { min, max, seed } => {
                let (lo, hi) = (min.div_ceil(8), (max / 8).max(min.div_ceil(8)));
                let h = crate::split::fnv1a64(question.as_bytes()) ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
                8 * (lo + (crate::seeded::SplitMix64::new(h).next_u64() as usize) % (hi - lo + 1))
            }
        }
    }
}

/// `inner` with a target length appended to every prompt.
pub struct WithLengthTarget {
    pub inner: Box<dyn Task>,
    pub target: Target,
    /// Traces drawn per training completion, the one nearest the target kept (0 or 1: one draw).
    pub fit: u32,
}

impl WithLengthTarget {
    /// `inner` with `target` in every prompt, one trace drawn per training completion.
    pub fn new(inner: Box<dyn Task>, target: Target) -> WithLengthTarget {
        WithLengthTarget { inner, target, fit: 0 }
    }

    /// The target line `think for N tokens`.
    pub fn line(n: usize) -> String {
        format!("{LEAD}{n}{TAIL}")
    }
}

/// The target a prompt names (the last `think for N tokens` in it), if any.
pub fn target_in_prompt(prompt: &str) -> Option<usize> {
    let at = prompt.rfind(LEAD)?;
    let rest = &prompt[at + LEAD.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    rest[digits.len()..].starts_with(TAIL).then(|| digits.parse().ok()).flatten()
}

/// The share of a completion's reasoning lines that repeat an earlier line of it (0 when it has
/// no lines).
pub fn repeated_line_share(completion: &str) -> f64 {
    let lines = crate::text::think_lines(completion);
    let mut seen = std::collections::HashSet::new();
    let repeats = lines.iter().filter(|l| !seen.insert(**l)).count();
    repeats as f64 / lines.len().max(1) as f64
}

impl Task for WithLengthTarget {
    fn name(&self) -> &'static str {
        self.inner.name()
    }
    fn generate(&self, rng: &mut dyn RngCore, split: Split) -> Problem {
        self.inner.generate(rng, split)
    }
    fn prompt(&self, p: &Problem, style: PromptStyle) -> String {
        let n = self.target.for_question(&p.question());
        format!("{}\n{}", self.inner.prompt(p, style), WithLengthTarget::line(n))
    }
    fn trace_styles(&self) -> &'static [TraceStyle] {
        self.inner.trace_styles()
    }
    fn worked_style(&self) -> TraceStyle {
        self.inner.worked_style()
    }
    fn completion(&self, p: &Problem, style: TraceStyle, rng: &mut dyn RngCore) -> Result<String, TaskError> {
        let first = self.inner.completion(p, style, rng)?;
        if self.fit <= 1 {
            return Ok(first);
        }
        let n = self.target.for_question(&p.question());
        let miss = |c: &str| c.chars().count().abs_diff(n);
        let mut best = first;
        for _ in 1..self.fit {
            let c = self.inner.completion(p, style, rng)?;
            if miss(&c) < miss(&best) {
                best = c;
            }
        }
        Ok(best)
    }
    fn verify(&self, p: &Problem, completion: &str) -> Checked {
        self.inner.verify(p, completion)
    }
    fn step_labels(&self, p: &Problem, completion: &str) -> Option<Vec<StepLabel>> {
        self.inner.step_labels(p, completion)
    }
    fn answer_key(&self, p: &Problem, answer: &str) -> Option<String> {
        self.inner.answer_key(p, answer)
    }
    fn parse_question(&self, text: &str) -> Result<Problem, TaskError> {
        self.inner.parse_question(text)
    }
    fn is_held_out(&self, p: &Problem) -> bool {
        self.inner.is_held_out(p)
    }
    fn covers(&self, p: &Problem) -> Result<(), String> {
        self.inner.covers(p)
    }
    fn explain(&self, p: &Problem, completion: &str) -> Option<Explanation> {
        self.inner.explain(p, completion)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{task_by_name, TaskConfig};

    #[test]
    fn prompts_name_the_target_and_it_reads_back() {
        let inner = task_by_name("countdown", &TaskConfig::default()).unwrap();
        let task = WithLengthTarget::new(inner, Target::Fixed(64));
        let mut rng = crate::seeded::SplitMix64::new(1);
        let p = task.generate(&mut rng, Split::Train);
        let prompt = task.prompt(&p, PromptStyle::Plain);
        assert_eq!(prompt, format!("{}\nthink for 64 tokens", p.question()));
        assert_eq!(target_in_prompt(&prompt), Some(64));
        assert_eq!(target_in_prompt("think for many tokens"), None);
        assert_eq!(target_in_prompt("1+1"), None);
    }

    #[test]
    fn range_targets_are_multiples_of_8_in_range_and_fixed_per_question() {
        let t = Target::Range { min: 20, max: 200, seed: 3 };
        let targets: Vec<usize> = (0..500).map(|i| t.for_question(&format!("{i}*7"))).collect();
        assert!(targets.iter().all(|&n| n % 8 == 0 && (24..=200).contains(&n)), "{targets:?}");
        assert!(targets.iter().collect::<std::collections::HashSet<_>>().len() > 15);
        assert_eq!(t.for_question("12*7"), t.for_question("12*7"));
    }

    #[test]
    fn fitted_traces_follow_the_target() {
        let task = |n: usize, fit: u32| WithLengthTarget {
            inner: task_by_name("add", &TaskConfig::default()).unwrap(),
            target: Target::Fixed(n),
            fit,
        };
        let mut rng = crate::seeded::SplitMix64::new(7);
        let p = task(1, 0).generate(&mut rng, Split::Train);
        let mut lengths = |t: &WithLengthTarget| -> Vec<usize> {
            (0..40).map(|_| t.completion(&p, crate::add::RECHECK, &mut rng).unwrap().chars().count()).collect()
        };
        let blind = lengths(&task(1, 0));
        let (shortest, longest) = (*blind.iter().min().unwrap(), *blind.iter().max().unwrap());
        assert!(shortest < longest, "recheck traces vary in length: {blind:?}");
        // Eight draws of four recheck counts hold the extremes but for (3/4)^8 = 10% of the time.
        let short = lengths(&task(1, 8));
        let long = lengths(&task(100_000, 8));
        assert!(short.iter().filter(|&&n| n == shortest).count() >= 30, "{short:?}");
        assert!(long.iter().filter(|&&n| n == longest).count() >= 30, "{long:?}");
    }

    #[test]
    fn repeated_lines_are_counted() {
        assert_eq!(repeated_line_share("<think>\na\nb\na\na\n</think>\n\n1"), 0.5);
        assert_eq!(repeated_line_share("<think>\n\n</think>\n\n1"), 0.0);
    }
}
