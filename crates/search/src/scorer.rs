//! Verifiers behind one trait (docs/architecture.md, "The contracts"): an outcome reward model scores a finished
//! solution, a process reward model scores every step of a partial one. A trained model
//! ([`crate::model_scorer::ModelScorer`]) and the task's own checker ([`OracleScorer`], an upper
//! bound no real task has) both implement it, so every verifier-guided strategy runs with either.
//!
//! Scores are probabilities in [0, 1]. A score that is not finite (a diverged verifier) ranks
//! below every finite score wherever strategies compare scores ([`rank`]), so a broken verifier
//! degrades search to arbitrary choice instead of stopping it.

use deepthink_tasks::{check_batch, Attempt, Problem, StepLabel, Task, TaskChecker, Verdict, Verifier};

use crate::error::SearchError;

/// One solution to score.
#[derive(Clone, Copy, Debug)]
pub struct ScoreItem<'a> {
    pub problem: &'a Problem,
    /// The user turn the policy answered.
    pub question: &'a str,
    /// The assistant turn so far (starting with `<think>\n`).
    pub completion: &'a str,
    /// Whether the solution is finished (its answer is scored too).
    pub complete: bool,
}

/// A verifier's reading of one solution.
#[derive(Clone, Debug, PartialEq)]
pub struct Scores {
    /// Score of each step read (reasoning lines, then the answer when complete).
    pub steps: Vec<f32>,
    /// Tokens the verifier read.
    pub tokens_read: usize,
    /// Forward FLOPs it spent.
    pub flops: f64,
}

impl Scores {
    /// The solution's score: its last step's (search-and-learn's `last` aggregation; for a
    /// complete solution that is the outcome score). 1.0 before any step.
    pub fn last(&self) -> f32 {
        self.steps.last().copied().unwrap_or(1.0)
    }
}

/// Outcome or process verifier.
pub trait Scorer: Send + Sync {
    fn name(&self) -> String;
    fn score(&self, task: &dyn Task, items: &[ScoreItem]) -> Result<Vec<Scores>, SearchError>;
}

/// Orders scores for selection: non-finite scores rank lowest.
pub fn rank(score: f32) -> f32 {
    if score.is_finite() {
        score
    } else {
        f32::NEG_INFINITY
    }
}

/// The ground truth as a verifier: 1 for a step the task's step labels call good, and for a
/// finished solution's answer 1 if a [`Verifier`] calls it correct (the task's own checker unless
/// another is given; one call for all finished items), 0 otherwise. Reads no tokens. For a task
/// without step labels it scores finished solutions only; a partial one is then an error, since
/// there is nothing to score it by.
#[derive(Default)]
pub struct OracleScorer {
    verifier: Option<Box<dyn Verifier>>,
}

impl OracleScorer {
    /// Outcomes judged by the task's own checker.
    pub const fn task_checker() -> Self {
        OracleScorer { verifier: None }
    }

    /// Outcomes judged by `verifier` instead of the task's checker.
    pub fn with_verifier(verifier: Box<dyn Verifier>) -> Self {
        OracleScorer { verifier: Some(verifier) }
    }
}

impl Scorer for OracleScorer {
    fn name(&self) -> String {
        match &self.verifier {
            Some(v) => format!("oracle:{}", v.name()),
            None => "oracle".into(),
        }
    }

    fn score(&self, task: &dyn Task, items: &[ScoreItem]) -> Result<Vec<Scores>, SearchError> {
        let one = |good: bool| if good { 1.0 } else { 0.0 };
        let own = TaskChecker(task);
        let verifier: &dyn Verifier = self.verifier.as_deref().unwrap_or(&own);
        let finished: Vec<Attempt> = items
            .iter()
            .filter(|it| it.complete)
            .map(|it| Attempt { problem: it.problem, completion: it.completion })
            .collect();
        let verdicts = check_batch(verifier, &finished).map_err(|e| SearchError::Verifier(e.to_string()))?;
        let mut outcomes = verdicts.iter().map(|c| one(c.verdict == Verdict::Correct));
        items
            .iter()
            .map(|it| {
                let mut steps: Vec<f32> = match task.step_labels(it.problem, it.completion) {
                    Some(labels) => labels.iter().map(|l| one(*l == StepLabel::Good)).collect(),
                    None if it.complete => Vec::new(),
                    None => {
                        let why = format!("task `{}` has no step labels, so the oracle cannot score partial solutions; use a search that scores finished ones (best-of-n, weighted-majority)", task.name());
                        return Err(SearchError::Verifier(why));
                    }
                };
                if it.complete {
                    steps.extend(outcomes.next());
                }
                Ok(Scores { steps, tokens_read: 0, flops: 0.0 })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use deepthink_tasks::mult::COMPACT;
    use deepthink_tasks::{task_by_name, TaskConfig};
    use rand::SeedableRng;

    #[test]
    fn oracle_scores_steps_then_the_answer() {
        let task = task_by_name("mult", &TaskConfig::default()).unwrap();
        let p = task.parse_question("123*456").unwrap();
        let q = p.question();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        let right = task.completion(&p, COMPACT, &mut rng).unwrap();
        let lines: Vec<&str> = right.lines().collect();
        let wrong_step = format!("{}\n{}\n{}\n9999\n", lines[0], lines[1], lines[2]);
        let items = [
            ScoreItem { problem: &p, question: &q, completion: &right, complete: true },
            ScoreItem { problem: &p, question: &q, completion: &wrong_step, complete: false },
        ];
        let s = OracleScorer::default().score(task.as_ref(), &items).unwrap();
        assert!(s[0].steps.iter().all(|&x| x == 1.0) && s[0].steps.len() == lines.len() - 3, "{right} {s:?}");
        assert_eq!(s[1].steps, vec![1.0, 1.0, 0.0]);
        assert_eq!(rank(f32::NAN), f32::NEG_INFINITY);
        assert!(rank(0.0) > rank(f32::NAN));
    }
}
