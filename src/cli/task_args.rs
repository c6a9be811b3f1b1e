//! Task selection flags shared by `data`, `train sft` and `eval`. Each flag sets one key of the
//! task config; a task reads the keys it knows (`add` shares `mult`'s digit flags).

use clap::Args;
use deepthink_tasks::TaskConfig;

#[derive(Args, Clone, Debug)]
pub struct TaskArgs {
    /// Task: `mult` (a×b), `countdown` (reach a target with + - * /, each number once), `add`
    /// (a+b, carry by carry), `sub` (a-b, borrow by borrow, negative results included), `qa`
    /// (your own questions: --qa-file) or `mix` (a weighted mix of them: --mix). `deepthink
    /// tasks` lists them.
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
    /// mix: components `TASK[N][:STYLE]=WEIGHT`, e.g. the default
    /// `add:carry=1,sub:borrow=1,mult:long=3,countdown3:optimal=1,countdown4:optimal=1`
    /// (`countdown4` fixes 4 numbers; STYLE is what `--trace mixed` writes for it).
    #[arg(long)]
    pub mix: Option<String>,
    /// mix: also think about single-digit `+ - *` problems (by default they are answered at once).
    #[arg(long)]
    pub think_on_easy: bool,
    /// mult `long` trace: share of traces with one deliberate slip that the check catches and a
    /// redo fixes (0..1).
    #[arg(long)]
    pub mistake_rate: Option<f64>,
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
        let cfg = match &self.answer_mode {
            Some(m) => cfg.with("answer_mode", m.as_str()),
            None => cfg,
        };
        let cfg = match &self.mix {
            Some(m) => cfg.with("mix", m.as_str()),
            None => cfg,
        };
        let cfg = if self.think_on_easy { cfg.with("mix_direct_easy", false) } else { cfg };
        match self.mistake_rate {
            Some(r) => cfg.with("mistake_rate", r),
            None => cfg,
        }
    }
}
