//! `deepthink train verifier`: label a policy's sampled solutions and train an ORM or PRM on them.

use std::path::PathBuf;

use clap::{ArgMatches, Args};
use deepthink_tasks::PromptStyle;
use deepthink_train::optim::AdamWConfig;
use deepthink_train::verifier::data::VerifierKind;
use deepthink_train::verifier::label::{LabelConfig, LabelMethod};
use deepthink_train::{train_verifier, SftConfig, VerifierConfig};

use super::config_args::{resolve, ConfigArgs};
use super::task_args::TaskArgs;

#[derive(Args)]
pub struct VerifierArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// The policy checkpoint whose solutions the verifier will judge (also its initial weights);
    /// required unless --config gives it.
    #[arg(long)]
    pub policy: Option<PathBuf>,
    #[command(flatten)]
    pub task: TaskArgs,
    /// `orm`: outcome reward model (final verdict, learned at every step, as Cobbe et al. 2021);
    /// `prm`: process reward model (one label per reasoning line).
    #[arg(long, default_value = "prm")]
    pub kind: VerifierKind,
    /// Step labels: `oracle` (the task's ground-truth step checker), `rollouts` (Math-Shepherd: a
    /// step is good if one of --rollouts continuations from it is right) or `outcome` (every step
    /// carries its solution's outcome; for tasks with no step checker, such as `qa`).
    #[arg(long, default_value = "oracle", value_parser = ["oracle", "rollouts", "outcome"])]
    pub labels: String,
    /// Judge each sampled solution's outcome with this long-lived program instead of the task's
    /// checker (JSON lines in, {"score": 0..1} lines out; see `eval --verifier-cmd`): the labeller
    /// for an open task, e.g. "python3 scripts/reasoning_gym_verifier.py".
    #[arg(long)]
    pub verifier_cmd: Option<String>,
    /// Seconds a --verifier-cmd may take to score a batch.
    #[arg(long, default_value_t = deepthink_tasks::verifier_process::DEFAULT_TIMEOUT_S)]
    pub verifier_timeout: u64,
    /// Continuations per step for `--labels rollouts`.
    #[arg(long, default_value_t = 4)]
    pub rollouts: usize,
    /// Training problems to sample solutions for.
    #[arg(long, default_value_t = 2000)]
    pub problems: usize,
    /// Solutions sampled per problem.
    #[arg(long, default_value_t = 4)]
    pub samples: usize,
    /// Sampling temperature of the policy while labelling.
    #[arg(long, default_value_t = 1.0)]
    pub temperature: f32,
    #[arg(long, default_value_t = 256)]
    pub max_new_tokens: usize,
    /// Held-out problems for the quality report (oracle labels; outcome labels for `qa`).
    #[arg(long, default_value_t = 300)]
    pub heldout_problems: usize,
    /// Run directory (labels.jsonl, metrics.jsonl, checkpoint/, quality.json).
    #[arg(long, default_value = "runs/verifier")]
    pub run: PathBuf,
    #[arg(long)]
    pub restart: bool,
    #[arg(long, default_value_t = 800)]
    pub steps: u64,
    #[arg(long, default_value_t = 64)]
    pub batch_size: usize,
    #[arg(long, default_value_t = 5e-4)]
    pub lr: f32,
    /// Start the verifier from this checkpoint instead of the policy (e.g. a bigger model).
    #[arg(long)]
    pub init_from: Option<PathBuf>,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

pub fn run(a: VerifierArgs, matches: Option<&ArgMatches>) -> anyhow::Result<()> {
    let Some(cfg) = resolve(&a.config, matches, || config(&a))? else { return Ok(()) };
    report(&a, &cfg)
}

/// The config the flags make.
fn config(a: &VerifierArgs) -> anyhow::Result<VerifierConfig> {
    let Some(policy) = a.policy.clone() else {
        anyhow::bail!("--policy CHECKPOINT is required, unless --config FILE gives it");
    };
    let method = match a.labels.as_str() {
        "rollouts" => LabelMethod::Rollouts { rollouts: a.rollouts },
        "outcome" => LabelMethod::Outcome,
        _ => LabelMethod::Oracle,
    };
    Ok(VerifierConfig {
        policy,
        task: a.task.task.clone(),
        task_config: a.task.config(),
        kind: a.kind,
        labels: LabelConfig {
            problems: a.problems,
            samples: a.samples,
            temperature: a.temperature,
            max_new_tokens: a.max_new_tokens,
            prompt: PromptStyle::Plain,
            method,
            seed: a.seed,
        },
        heldout_problems: a.heldout_problems,
        verifier_cmd: a.verifier_cmd.clone(),
        verifier_timeout_s: a.verifier_timeout,
        train: SftConfig {
            steps: a.steps,
            batch_size: a.batch_size,
            lr: a.lr,
            min_lr: a.lr / 10.0,
            warmup_steps: (a.steps / 10).min(100),
            adamw: AdamWConfig::default(),
            eval_every: a.steps,
            save_every: 200,
            seed: a.seed,
            init_from: a.init_from.clone(),
            ..SftConfig::default()
        },
    })
}

/// Train and print the held-out quality.
fn report(a: &VerifierArgs, cfg: &VerifierConfig) -> anyhow::Result<()> {
    let out = train_verifier(cfg, &a.run, a.restart)?;
    let q = &out.quality;
    let loss = super::train::final_loss(out.train.final_loss);
    eprintln!(
        "labels: {} solutions, {} right, {:.1}% of steps good; {} steps in {:.0} s, {loss}",
        out.labelled_solutions,
        out.labelled_correct,
        100.0 * out.good_step_fraction,
        out.train.steps,
        out.train.seconds,
    );
    println!("held-out quality on {}", q.summary());
    eprintln!("checkpoint: {}", out.train.checkpoint.display());
    Ok(())
}
