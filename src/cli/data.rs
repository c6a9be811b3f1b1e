//! `deepthink data`: generate a JSONL data set from a task.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use deepthink_tasks::{task_by_name, PromptStyle, Split, TraceStyle};
use deepthink_train::data_file::{record_value, write_lines_atomic};
use rand::SeedableRng;

use super::task_args::TaskArgs;

#[derive(Args)]
pub struct DataArgs {
    #[command(flatten)]
    pub task: TaskArgs,
    /// Reasoning style of each completion, one the task offers (`deepthink tasks` lists them).
    #[arg(long, default_value = "cot")]
    pub trace: TraceStyle,
    /// How the question is put: plain, cot, few-shot, supervised.
    #[arg(long, default_value = "plain")]
    pub prompt: PromptStyle,
    /// Number of examples.
    #[arg(long, short, default_value_t = 1000)]
    pub n: usize,
    /// `train` never yields held-out problems; `test` yields only held-out ones.
    #[arg(long, default_value = "train", value_parser = ["train", "test"])]
    pub split: String,
    /// Also write the problem itself (`"problem": {...}`) on each line.
    #[arg(long)]
    pub with_problem: bool,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output file (written atomically).
    #[arg(long, short)]
    pub out: PathBuf,
}

pub fn run(a: DataArgs) -> anyhow::Result<()> {
    let task = task_by_name(&a.task.task, &a.task.config())?;
    let split = if a.split == "test" { Split::Test } else { Split::Train };
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(a.seed);
    let mut lines = Vec::with_capacity(a.n);
    for _ in 0..a.n {
        let (p, reply) = deepthink_tasks::accepted_draw(task.as_ref(), a.trace, split, &mut rng)?;
        let mut line = record_value(&task.prompt(&p, a.prompt), &reply);
        if a.with_problem {
            line["problem"] = serde_json::to_value(&p)?;
        }
        lines.push(line.to_string());
    }
    write_lines_atomic(&a.out, lines.into_iter()).with_context(|| format!("writing {}", a.out.display()))?;
    eprintln!("wrote {} examples to {}", a.n, a.out.display());
    Ok(())
}
