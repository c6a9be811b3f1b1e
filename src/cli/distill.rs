//! `deepthink distill`: SFT data from a teacher by rejection sampling (see `train::distill`).

use std::path::PathBuf;

use anyhow::bail;
use clap::Args;
use deepthink_search::registry::needs_verifier;
use deepthink_search::{load_scorer, Budget, LocalGenerator, StrategyOptions, STRATEGY_NAMES};
use deepthink_tasks::verifier_process::{ProcessVerifier, DEFAULT_TIMEOUT_S};
use deepthink_tasks::{task_by_name, PromptStyle, TraceStyle, Verifier};
use deepthink_train::distill::{distill, DistillConfig, DistillReport, SearchTeacher, Teacher, TraceTeacher};

use super::task_args::TaskArgs;

#[derive(Args)]
#[command(after_help = "Examples:\n  \
  deepthink distill --teacher runs/rl/checkpoint --task mult --samples 8 -n 2000 -o distilled.jsonl\n  \
  deepthink train sft --data distilled.jsonl --task mult --run runs/student      # then imitate it\n  \
  deepthink distill --teacher-trace optimal --task countdown --samples 16 --keep 4 -n 1000 -o paths.jsonl\n  \
  deepthink distill --backend http://127.0.0.1:8000/v1 --task countdown --samples 4 -o remote.jsonl")]
pub struct DistillArgs {
    /// The teacher checkpoint (default: $DEEPTHINK_MODEL, else the built-in model). With
    /// --backend it supplies the tokenizer for counting tokens.
    #[arg(long)]
    pub teacher: Option<PathBuf>,
    /// Use the task's own symbolic trace in this style as the teacher instead of a model.
    #[arg(long, value_name = "STYLE", conflicts_with_all = ["teacher", "backend"])]
    pub teacher_trace: Option<TraceStyle>,
    #[command(flatten)]
    pub remote: super::backend_args::BackendArgs,
    #[command(flatten)]
    pub task: TaskArgs,
    /// The teacher's strategy: `majority` (and `sample`) propose every sample; greedy, beam,
    /// dvts, mcts and the verifier strategies propose the one solution they choose.
    #[arg(long, default_value = "majority")]
    pub strategy: String,
    /// K: candidates per problem (the strategy's N).
    #[arg(long, default_value_t = 8)]
    pub samples: usize,
    /// Most distinct right solutions kept per problem (1: rejection sampling; more: RFT's
    /// several paths per problem).
    #[arg(long, default_value_t = 1)]
    pub keep: usize,
    /// Training problems to try (distinct; never held-out ones).
    #[arg(long, short, default_value_t = 1000)]
    pub n: usize,
    #[arg(long, default_value = "plain")]
    pub prompt: PromptStyle,
    #[arg(long, default_value_t = 1.0)]
    pub temperature: f32,
    #[arg(long, default_value_t = 256)]
    pub max_new_tokens: usize,
    /// Verifier for verifier strategies (a `train verifier` checkpoint, `oracle`, `confidence:MODEL`).
    #[arg(long)]
    pub verifier: Option<String>,
    /// Judge candidates with this program instead of the task's checker (see `eval --verifier-cmd`).
    #[arg(long)]
    pub verifier_cmd: Option<String>,
    /// Problems per teacher call (and per resume point).
    #[arg(long, default_value_t = 16)]
    pub chunk: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output JSONL (TRL prompt–completion, with provenance); OUT.report.json gets the figures.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Forget a partial run of OUT and start over.
    #[arg(long)]
    pub restart: bool,
}

pub fn run(a: DistillArgs) -> anyhow::Result<()> {
    let task = task_by_name(&a.task.task, &a.task.config())?;
    let cfg = DistillConfig { problems: a.n, keep: a.keep, prompt: a.prompt, chunk: a.chunk, seed: a.seed };
    let checker = a
        .verifier_cmd
        .as_deref()
        .map(|cmd| ProcessVerifier::new(cmd, std::time::Duration::from_secs(DEFAULT_TIMEOUT_S)));
    let verifier = checker.as_ref().map(|v| v as &dyn Verifier);
    let report = match a.teacher_trace {
        Some(style) => {
            let teacher = TraceTeacher { style, samples: a.samples };
            distill(task.as_ref(), &teacher, verifier, &cfg, &a.out, a.restart)?
        }
        None => with_model_teacher(&a, task.as_ref(), verifier, &cfg)?,
    };
    print_report(&report, &a);
    Ok(())
}

fn with_model_teacher(
    a: &DistillArgs,
    task: &dyn deepthink_tasks::Task,
    verifier: Option<&dyn Verifier>,
    cfg: &DistillConfig,
) -> anyhow::Result<DistillReport> {
    if !STRATEGY_NAMES.contains(&a.strategy.as_str()) {
        bail!("unknown strategy `{}` in --strategy; known: {}", a.strategy, STRATEGY_NAMES.join(", "));
    }
    if needs_verifier(&a.strategy) && a.verifier.is_none() {
        bail!("strategy `{}` needs a verifier: pass --verifier RUN/checkpoint or --verifier oracle", a.strategy);
    }
    let (dir, ck) = super::load_model_as(&a.teacher, deepthink_model::WeightDtype::F32)?;
    let scorer = a.verifier.as_deref().map(load_scorer).transpose()?;
    let (local, remote);
    let (gen, source): (&dyn deepthink_search::Generator, String) =
        match a.remote.generator(Some(ck.tokenizer.clone()), Some(ck.model.cfg.clone()))? {
            Some(r) => {
                remote = r;
                (&remote, a.remote.backend.clone().unwrap_or_default())
            }
            None => {
                local = LocalGenerator::new(&ck.model, &ck.tokenizer);
                (&local, dir)
            }
        };
    let options = StrategyOptions { prompt: a.prompt, temperature: a.temperature, ..StrategyOptions::default() };
    let teacher = SearchTeacher {
        strategy: a.strategy.clone(),
        options,
        scorer: scorer.as_deref(),
        gen,
        budget: Budget { samples: a.samples, max_new_tokens: a.max_new_tokens },
        source,
    };
    eprintln!("teacher: {}", teacher.describe());
    Ok(distill(task, &teacher, verifier, cfg, &a.out, a.restart)?)
}

fn print_report(r: &DistillReport, a: &DistillArgs) {
    println!(
        "{}: {} of {} candidates right ({:.1}% accepted); {} of {} problems solved, {:.2} distinct right paths each; {} lines kept (at most {} a problem) · {:.0} s",
        a.out.display(),
        r.accepted,
        r.candidates,
        100.0 * r.acceptance_rate,
        r.solved,
        r.problems,
        r.distinct_per_solved,
        r.kept,
        r.keep,
        r.seconds
    );
    println!("train a student on it: deepthink train sft --data {} --task {}", a.out.display(), a.task.task);
}
