//! Task selection flags shared by `data`, `train sft` and `eval`.

use clap::Args;
use deepthink_tasks::TaskConfig;

#[derive(Args, Clone, Debug)]
pub struct TaskArgs {
    /// Task: `mult` (a×b) or `countdown` (reach a target with + - * /, each number once).
    #[arg(long, default_value = "mult")]
    pub task: String,
    /// mult: fewest digits per operand.
    #[arg(long, default_value_t = 3)]
    pub min_digits: u32,
    /// mult: most digits per operand.
    #[arg(long, default_value_t = 3)]
    pub max_digits: u32,
    /// countdown: how many numbers.
    #[arg(long, default_value_t = 3)]
    pub numbers: usize,
    /// countdown: largest number value.
    #[arg(long, default_value_t = 30)]
    pub max_value: u32,
    /// countdown: smallest target.
    #[arg(long, default_value_t = 10)]
    pub min_target: u32,
    /// countdown: largest target.
    #[arg(long, default_value_t = 100)]
    pub max_target: u32,
}

impl TaskArgs {
    pub fn config(&self) -> TaskConfig {
        TaskConfig {
            min_digits: self.min_digits,
            max_digits: self.max_digits,
            countdown_numbers: self.numbers,
            countdown_max_value: self.max_value,
            countdown_min_target: self.min_target,
            countdown_max_target: self.max_target,
        }
    }
}
