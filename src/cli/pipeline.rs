//! `deepthink pipeline RECIPE.toml`: run a recipe's stages in order (see `train::pipeline`).

use std::path::PathBuf;

use clap::Args;
use deepthink_train::pipeline::run_pipeline;

#[derive(Args)]
#[command(after_help = "Examples:\n  \
  deepthink pipeline recipes/r1-zero.toml          # base pretraining, then GRPO: runs/r1-zero/report.md\n  \
  deepthink pipeline recipes/r1-zero.toml          # again: finished stages are skipped\n\n\
Stage kinds: pretrain, sft (an SftConfig: `train sft --print-config`), rl (a GrpoConfig:\n\
`train grpo --print-config`), generate (`deepthink distill`'s settings), filter (input, task,\n\
max_thinking_chars, min_readability, no_mixing), clean (input, rules: notation, dedupe), mix\n\
(inputs, counts, seed), eval (model). `@name` in a config is an earlier stage's checkpoint or data file.")]
pub struct PipelineArgs {
    /// The recipe (TOML): `dir`, `[report]` tasks, and `[[stage]]`s with `name`, `kind`, `[stage.config]`.
    pub recipe: PathBuf,
    /// Run into this directory instead of the recipe's `dir`.
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Rerun every stage from scratch.
    #[arg(long)]
    pub restart: bool,
}

pub fn run(a: PipelineArgs) -> anyhow::Result<()> {
    let out = run_pipeline(&a.recipe, a.dir.as_deref(), a.restart)?;
    println!("ran {} stage(s), skipped {} · report: {}", out.ran.len(), out.skipped.len(), out.report.display());
    Ok(())
}
