//! The skeleton every trainer's loop shares (SFT, pretraining and verifier training through
//! `sft`, GRPO through `grpo::trainer`): a progress bar that carries the per-step metrics on a
//! terminal and prints a line per step in logs, and the rule for when a step evaluates and when
//! it saves (every N steps, and always at the last).

use indicatif::{ProgressBar, ProgressStyle};

/// One trainer run's progress and cadence.
pub struct RunLoop {
    bar: ProgressBar,
    total: u64,
    eval_every: u64,
    save_every: u64,
}

impl RunLoop {
    /// A run of `total` steps resuming at `at`.
    pub fn new(total: u64, at: u64, eval_every: u64, save_every: u64) -> RunLoop {
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise} < {eta_precise}] {bar:30} {pos}/{len} steps  {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_position(at);
        RunLoop { bar, total, eval_every: eval_every.max(1), save_every: save_every.max(1) }
    }

    /// Whether step `step` (1-based, just finished) evaluates.
    pub fn evaluates_at(&self, step: u64) -> bool {
        step.is_multiple_of(self.eval_every) || step == self.total
    }

    /// Whether step `step` saves a checkpoint.
    pub fn saves_at(&self, step: u64) -> bool {
        step.is_multiple_of(self.save_every) || step == self.total
    }

    /// A line for the reader: above the bar on a terminal, on stderr in a log.
    pub fn say(&self, msg: &str) {
        if self.bar.is_hidden() {
            eprintln!("{msg}");
        } else {
            self.bar.println(msg);
        }
    }

    /// Whether there is no terminal (the trainer then prints a line per step itself).
    pub fn in_log(&self) -> bool {
        self.bar.is_hidden()
    }

    /// Step `step` is done; `msg` is its metrics in a few words.
    pub fn advance(&self, step: u64, msg: String) {
        self.bar.set_position(step);
        self.bar.set_message(msg);
    }

    /// Clears the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::RunLoop;

    #[test]
    fn evaluates_and_saves_every_n_steps_and_at_the_end() {
        let l = RunLoop::new(25, 0, 10, 4);
        let evals: Vec<u64> = (1..=25).filter(|&s| l.evaluates_at(s)).collect();
        assert_eq!(evals, vec![10, 20, 25]);
        assert_eq!((1..=25).filter(|&s| l.saves_at(s)).count(), 7);
        assert!(RunLoop::new(3, 0, 0, 0).saves_at(1), "a zero cadence means every step, not a panic");
    }
}
