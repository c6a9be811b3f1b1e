//! Difficulty knobs of every task, one flat struct so a run config can carry it as one field.

use serde::{Deserialize, Serialize};

use crate::error::TaskError;

/// Problem-space parameters. Missing fields in JSON take the defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskConfig {
    /// mult: fewest digits per operand (1..=9).
    pub min_digits: u32,
    /// mult: most digits per operand (min_digits..=9).
    pub max_digits: u32,
    /// countdown: how many numbers (2..=5).
    pub countdown_numbers: usize,
    /// countdown: numbers are drawn from 1..=countdown_max_value.
    pub countdown_max_value: u32,
    /// countdown: smallest target (>= 1).
    pub countdown_min_target: u32,
    /// countdown: largest target.
    pub countdown_max_target: u32,
}

impl Default for TaskConfig {
    fn default() -> Self {
        TaskConfig {
            min_digits: 3,
            max_digits: 3,
            countdown_numbers: 3,
            countdown_max_value: 30,
            countdown_min_target: 10,
            countdown_max_target: 100,
        }
    }
}

/// An `InvalidConfig` error for `field`.
pub(crate) fn invalid(field: &'static str, value: impl ToString, reason: &str) -> TaskError {
    TaskError::InvalidConfig { field, value: value.to_string(), reason: reason.to_string() }
}

impl TaskConfig {
    /// Checks the mult fields.
    pub(crate) fn check_mult(&self) -> Result<(), TaskError> {
        if !(1..=9).contains(&self.min_digits) {
            return Err(invalid("min_digits", self.min_digits, "must be in 1..=9"));
        }
        if !(self.min_digits..=9).contains(&self.max_digits) {
            return Err(invalid("max_digits", self.max_digits, "must be in min_digits..=9"));
        }
        Ok(())
    }

    /// Checks the countdown fields.
    pub(crate) fn check_countdown(&self) -> Result<(), TaskError> {
        if !(2..=5).contains(&self.countdown_numbers) {
            let n = self.countdown_numbers;
            return Err(invalid("countdown_numbers", n, "must be in 2..=5"));
        }
        if !(1..=10_000).contains(&self.countdown_max_value) {
            let v = self.countdown_max_value;
            return Err(invalid("countdown_max_value", v, "must be in 1..=10000"));
        }
        if self.countdown_min_target < 1 {
            let t = self.countdown_min_target;
            return Err(invalid("countdown_min_target", t, "must be at least 1"));
        }
        if self.countdown_max_target < self.countdown_min_target {
            let t = self.countdown_max_target;
            return Err(invalid("countdown_max_target", t, "must be >= countdown_min_target"));
        }
        Ok(())
    }
}
