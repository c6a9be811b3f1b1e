//! The one verification contract: a batch of attempts (a problem and the model's assistant turn)
//! in, one [`Checked`] each out. Evaluation's correctness check, the oracle verifier that search
//! strategies are guided by, and GRPO's accuracy reward all call a [`Verifier`] once per batch, so
//! a verifier that lives outside the process (a long-lived program, an HTTP service) is wired in
//! once and pays its round trip once per batch, not once per completion.
//!
//! [`TaskChecker`] is the task's own exact checker ([`Task::verify`]) behind the contract.

use crate::error::TaskError;
use crate::problem::Problem;
use crate::task::Task;
use crate::verdict::Checked;

/// One completion to check.
#[derive(Clone, Copy, Debug)]
pub struct Attempt<'a> {
    pub problem: &'a Problem,
    /// The assistant turn (the template's pre-fill included).
    pub completion: &'a str,
}

/// Checks completions in batches.
pub trait Verifier: Send + Sync {
    /// What it is, for reports (`task` for the task's own checker).
    fn name(&self) -> String;
    /// One verdict per attempt, in order. An error fails the whole batch (a verifier process
    /// that died, an answer it could not read is a `NoAnswer` verdict instead).
    fn check(&self, attempts: &[Attempt<'_>]) -> Result<Vec<Checked>, TaskError>;
}

/// `verifier.check(attempts)`, holding it to the contract: one verdict per attempt, or an error
/// naming the verifier. Every caller goes through this, so a verifier that answers short fails the
/// same way everywhere.
pub fn check_batch(verifier: &dyn Verifier, attempts: &[Attempt<'_>]) -> Result<Vec<Checked>, TaskError> {
    let checked = verifier.check(attempts)?;
    if checked.len() != attempts.len() {
        let message = format!("returned {} verdicts for {} completions", checked.len(), attempts.len());
        return Err(TaskError::Verifier { name: verifier.name(), message });
    }
    Ok(checked)
}

/// The task's own exact checker.
#[derive(Clone, Copy)]
pub struct TaskChecker<'t>(pub &'t dyn Task);

impl Verifier for TaskChecker<'_> {
    fn name(&self) -> String {
        "task".to_string()
    }

    fn check(&self, attempts: &[Attempt<'_>]) -> Result<Vec<Checked>, TaskError> {
        Ok(attempts.iter().map(|a| self.0.verify(a.problem, a.completion)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{task_by_name, TaskConfig, Verdict};

    #[test]
    fn the_task_checker_checks_a_batch_in_order() {
        let task = task_by_name("mult", &TaskConfig::default()).unwrap();
        let p = task.parse_question("12*3").unwrap();
        let q = task.parse_question("7*7").unwrap();
        let attempts = [
            Attempt { problem: &p, completion: "<think>\n</think>\n\n36" },
            Attempt { problem: &q, completion: "<think>\n</think>\n\n48" },
            Attempt { problem: &q, completion: "<think>\n49" },
        ];
        let verdicts: Vec<Verdict> =
            TaskChecker(task.as_ref()).check(&attempts).unwrap().iter().map(|c| c.verdict).collect();
        assert_eq!(verdicts, vec![Verdict::Correct, Verdict::Wrong, Verdict::NoAnswer]);
    }
}
