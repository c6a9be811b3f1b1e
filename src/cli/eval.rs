//! `deepthink eval`: accuracy of a model on held-out generated problems or a problem file.

use std::path::PathBuf;

use anyhow::bail;
use clap::Args;
use deepthink_eval::{evaluate, evaluate_strategy};
use deepthink_search::majority::Majority;
use deepthink_search::single::Single;
use deepthink_search::{Budget, LocalGenerator, Strategy};
use deepthink_tasks::external::read_problems;
use deepthink_tasks::{task_by_name, PromptStyle};
use deepthink_train::data_file::write_lines_atomic;
use deepthink_train::sft::{eval_options, held_out_problems};

use super::task_args::TaskArgs;

#[derive(Args)]
pub struct EvalArgs {
    /// Checkpoint directory (default: $DEEPTHINK_MODEL, else the default model built into the binary).
    #[arg(long)]
    pub model: Option<PathBuf>,
    #[command(flatten)]
    pub task: TaskArgs,
    /// Problems from a JSONL file (deepthink's problem JSON, or reasoning-gym's `products` /
    /// `countdown` lines) instead of generated held-out ones.
    #[arg(long)]
    pub problems: Option<PathBuf>,
    /// Number of generated held-out problems.
    #[arg(long, short, default_value_t = 500)]
    pub n: usize,
    #[arg(long, default_value = "plain")]
    pub prompt: PromptStyle,
    /// Test-time strategy: greedy (one attempt), sample (one attempt at --temperature), or
    /// majority (self-consistency: --samples attempts, the most common answer wins).
    #[arg(long, default_value = "greedy", value_parser = ["greedy", "sample", "majority"])]
    pub strategy: String,
    /// Attempts per problem for `majority`.
    #[arg(long, default_value_t = 8)]
    pub samples: usize,
    /// Sampling temperature for `sample` and `majority`.
    #[arg(long, default_value_t = 1.0)]
    pub temperature: f32,
    /// Longest completion in tokens.
    #[arg(long, default_value_t = 256)]
    pub max_new_tokens: usize,
    /// Seed of the held-out draw.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write one JSON line per problem (question, completion, answer, verdict, tokens).
    #[arg(long)]
    pub predictions: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: EvalArgs) -> anyhow::Result<()> {
    let (dir, ck) = super::load_model(&a.model)?;
    let task = task_by_name(&a.task.task, &a.task.config())?;
    let problems = match &a.problems {
        Some(p) => read_problems(p)?,
        None => held_out_problems(task.as_ref(), a.n, a.seed),
    };
    if problems.is_empty() {
        bail!("no problems to evaluate");
    }
    if let Some(p) = problems.iter().find(|p| p.task_name() != task.name()) {
        bail!("problem `{}` is a {} problem; pass --task {}", p.question(), p.task_name(), p.task_name());
    }
    let bar = indicatif::ProgressBar::new(problems.len() as u64);
    let mut tick = |d: usize, _| bar.set_position(d as u64);
    let (report, preds) = if a.strategy == "greedy" {
        let opts = eval_options(a.prompt, a.max_new_tokens);
        evaluate(&ck.model, &ck.tokenizer, task.as_ref(), &problems, &opts, &mut tick)?
    } else {
        let gen = LocalGenerator { model: &ck.model, tokenizer: &ck.tokenizer };
        let (strategy, samples): (Box<dyn Strategy>, usize) = match a.strategy.as_str() {
            "majority" => {
                (Box::new(Majority { prompt: a.prompt, temperature: a.temperature, seed: a.seed }), a.samples)
            }
            _ => (Box::new(Single { prompt: a.prompt, temperature: a.temperature, seed: a.seed }), 1),
        };
        let budget = Budget { samples, max_new_tokens: a.max_new_tokens };
        // About 64 sequences in flight at once.
        let chunk = (64 / samples).max(1);
        evaluate_strategy(task.as_ref(), &problems, strategy.as_ref(), &gen, budget, chunk, &mut tick)?
    };
    bar.finish_and_clear();
    if let Some(path) = &a.predictions {
        let lines = preds.iter().map(|p| serde_json::to_string(p).unwrap_or_default());
        write_lines_atomic(path, lines)?;
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{dir} on {} problems ({})", problems.len(), task.name());
        println!("{}", report.summary());
        if report.groups.len() > 1 {
            for (g, s) in &report.groups {
                println!("  {g:>10}: {:5.1}% of {}", 100.0 * s.accuracy, s.n);
            }
        }
    }
    Ok(())
}
