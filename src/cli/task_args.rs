//! Task selection flags shared by `data`, `train sft` and `eval`. Each flag sets one key of the
//! task config; a task reads the keys it knows (`add` shares `mult`'s digit flags).

use clap::Args;
use deepthink_tasks::TaskConfig;

#[derive(Args, Clone, Debug)]
pub struct TaskArgs {
    /// Task: `mult` (a×b), `countdown` (reach a target with + - * /, each number once), `add`
    /// (a+b, carry by carry), `sub` (a-b, borrow by borrow, negative results included) or `qa`
    /// (your own questions: --qa-file). `deepthink tasks` lists them.
    #[arg(long, default_value = "mult")]
    pub task: String,
    /// mult, add, sub: fewest digits per operand.
    #[arg(long, default_value_t = 3)]
    pub min_digits: u32,
    /// mult, add, sub: most digits per operand.
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
    /// qa: the JSONL file of your questions and reference answers (plain, reasoning-gym, GSM8K
    /// `#### N`, or TRL prompt–completion lines). `eval --problems FILE` sets it too.
    #[arg(long)]
    pub qa_file: Option<String>,
    /// qa: how answers are compared: numeric (exact rationals: 2.5 = 5/2 = 2.50), exact, or text
    /// (case, spacing and trailing punctuation ignored). Default: numeric when the reference is a
    /// number, else text.
    #[arg(long)]
    pub answer_mode: Option<String>,
}

impl TaskArgs {
    /// The flags as a task config bag; each task reads the keys it knows.
    pub fn config(&self) -> TaskConfig {
        let cfg = TaskConfig::default()
            .with("min_digits", self.min_digits)
            .with("max_digits", self.max_digits)
            .with("countdown_numbers", self.numbers)
            .with("countdown_max_value", self.max_value)
            .with("countdown_min_target", self.min_target)
            .with("countdown_max_target", self.max_target);
        // Set only when given, so the configs (and grid settings) of other tasks stay as they were.
        let cfg = match &self.qa_file {
            Some(f) => cfg.with("qa_file", f.as_str()),
            None => cfg,
        };
        match &self.answer_mode {
            Some(m) => cfg.with("answer_mode", m.as_str()),
            None => cfg,
        }
    }
}
