//! `deepthink eval`: accuracy of a model on held-out generated problems or a problem file, under
//! any test-time strategy — or, with `--budgets`, a whole strategies × budgets × seeds grid with
//! its table and plots (see `grid`).

use std::path::PathBuf;

use anyhow::bail;
use clap::Args;
use deepthink_eval::grid::uses_budget;
use deepthink_eval::Evaluation;
use deepthink_search::registry::needs_verifier;
use deepthink_search::{by_name, load_scorer, scorer_for, Budget, LocalGenerator, StrategyOptions, STRATEGY_NAMES};
use deepthink_tasks::external::read_problems;
use deepthink_tasks::length_target::{repeated_line_share, Target, WithLengthTarget};
use deepthink_tasks::qa::{self, QaTask};
use deepthink_tasks::verifier_process::{verifier_for, ProcessVerifier, DEFAULT_TIMEOUT_S};
use deepthink_tasks::{held_out_per_group, held_out_problems, split_problems, Split};
use deepthink_tasks::{task_by_name, Problem, PromptStyle, Task, TaskChecker, Verifier};
use deepthink_train::data_file::write_lines_atomic;

use super::calibration;
use super::task_args::TaskArgs;

#[derive(Args)]
pub struct EvalArgs {
    /// Checkpoint directory (default: $DEEPTHINK_MODEL, else the default model built into the binary).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// How to hold the weights in memory: f32, or bf16 (half the memory, and faster decoding at
    /// real size, where a decode step is bound by memory bandwidth; sums stay f32).
    #[arg(long, default_value = "f32")]
    pub dtype: deepthink_model::WeightDtype,
    #[command(flatten)]
    pub task: TaskArgs,
    /// Problems from a JSONL file instead of generated held-out ones: deepthink's problem JSON,
    /// reasoning-gym lines, or — with --task qa — any question/answer lines (plain, GSM8K, TRL).
    #[arg(long)]
    pub problems: Option<PathBuf>,
    /// With --problems: score only the file's hash-held-out 5% (the lines `train --data FILE`
    /// leaves out), so one file gives a clean train/test pair.
    #[arg(long)]
    pub held_out: bool,
    /// Number of generated held-out problems.
    #[arg(long, short, default_value_t = 500)]
    pub n: usize,
    /// Instead of -n: this many distinct held-out problems in every difficulty group (each
    /// digit-count cell `3x4`, `2+5`, `1-3`; each countdown size) — for a per-cell table.
    #[arg(long, value_name = "N")]
    pub per_group: Option<usize>,
    #[arg(long, default_value = "plain")]
    pub prompt: PromptStyle,
    /// Test-time strategy (comma-separated list with --budgets):
    /// greedy, sample — one attempt;
    /// majority — self-consistency over --samples attempts;
    /// adaptive-majority — sample in rounds until the leading answer is clear;
    /// esc — sample in windows until one window's answers all agree;
    /// allocate — a probe of --window samples, then up to N for problems whose probe disagrees
    /// (--calibrate K learns how many each probe outcome gets; --confidence-cuts splits outcomes
    /// by the policy's confidence);
    /// best-of-n, weighted-majority — N attempts chosen by an outcome verifier;
    /// beam, dvts, mcts — step-by-step search guided by a process verifier.
    #[arg(long, default_value = "greedy")]
    pub strategy: String,
    /// N: attempts, beams or simulations per problem.
    #[arg(long, default_value_t = 8)]
    pub samples: usize,
    /// Run a grid over these budgets N (e.g. 1,2,4,8,16,32,64) into --out, with a table and plots.
    #[arg(long, value_delimiter = ',')]
    pub budgets: Vec<usize>,
    /// Grid: sampling seeds per cell (95% intervals over seeds).
    #[arg(long, default_value_t = 2)]
    pub seeds: usize,
    /// Grid output directory: cells.jsonl (cache; a rerun resumes), summary.json/.md, *.svg.
    #[arg(long, default_value = "runs/grid")]
    pub out: PathBuf,
    /// Grid: forget cached cells and start over.
    #[arg(long)]
    pub restart: bool,
    /// Grid: also evaluate this model greedily on the same problems (a dashed reference line,
    /// e.g. a bigger model to compare small-model search against).
    #[arg(long)]
    pub compare_model: Option<PathBuf>,
    /// Chart title (default: task and problem count).
    #[arg(long)]
    pub title: Option<String>,
    /// Verifier for verifier strategies: a checkpoint from `deepthink train verifier`,
    /// `oracle` (the task's own checker: an upper bound), or `confidence:MODEL` (MODEL's token
    /// confidence in each step, no training; DeepConf).
    #[arg(long)]
    pub verifier: Option<String>,
    #[command(flatten)]
    pub thinking: super::thinking_args::ThinkingArgs,
    /// Budget forcing measured (s1's Table 3): one row per maximum thinking budget, e.g.
    /// 8,16,32,64, beside the unbudgeted run — accuracy, thinking tokens, control, forced share
    /// and the slope of accuracy over thinking; Markdown and JSON into --out.
    #[arg(long, value_delimiter = ',')]
    pub thinking_budgets: Vec<usize>,
    /// With --thinking-budgets and --min-thinking-tokens N: one more row per wait word (`\n`
    /// for a bare line break), to see which appended word helps.
    #[arg(long, value_delimiter = ',')]
    pub wait_words: Vec<String>,
    #[command(flatten)]
    pub remote: super::backend_args::BackendArgs,
    /// Check answers with this long-lived program instead of the task's own checker: it reads one
    /// JSON line per completion ({"id","question","answer","metadata","completion"}) and writes one
    /// {"score": 0..1} line each (≥ 0.5 counts as correct). It also judges outcomes for
    /// `--verifier oracle`.
    #[arg(long)]
    pub verifier_cmd: Option<String>,
    /// Seconds a --verifier-cmd may take to score a batch.
    #[arg(long, default_value_t = DEFAULT_TIMEOUT_S)]
    pub verifier_timeout: u64,
    /// Outcome verifier for best-of-n and weighted-majority (default: --verifier).
    #[arg(long)]
    pub orm: Option<String>,
    /// Sampling temperature.
    #[arg(long, default_value_t = 1.0)]
    pub temperature: f32,
    /// beam / dvts: expansions M per kept beam (N/M beams are kept).
    #[arg(long, default_value_t = 4)]
    pub width: usize,
    /// beam / dvts: most reasoning steps searched.
    #[arg(long, default_value_t = 40)]
    pub max_steps: usize,
    /// mcts: UCT exploration constant.
    #[arg(long, default_value_t = 1.0)]
    pub exploration: f64,
    /// adaptive-majority: samples per round.
    #[arg(long, default_value_t = 2)]
    pub round: usize,
    /// adaptive-majority: stop when the leader is the majority with this probability.
    #[arg(long, default_value_t = 0.95)]
    pub confidence: f64,
    /// esc: stop when this many latest samples all agree (Early-Stopping Self-Consistency);
    /// allocate: samples in the difficulty probe.
    #[arg(long, default_value_t = 4)]
    pub window: usize,
    /// allocate: learn how many samples each probe outcome gets on this many calibration
    /// problems the evaluation does not score (another held-out draw; N samples each, judged by
    /// the task or --verifier-cmd), instead of the fixed rule — the cheapest allocation found
    /// that matches majority@N there (Snell et al.).
    #[arg(long, value_name = "K", default_value_t = 0)]
    pub calibrate: usize,
    /// --calibrate: accuracy the learnt allocation may give up against majority@N on the
    /// calibration problems, in points.
    #[arg(long, value_name = "POINTS", default_value_t = 0.25)]
    pub calibration_tolerance: f64,
    /// --calibrate: 1 fits the table on every calibration problem; 2 judges each cost two-fold
    /// (a half's table scored on the other half, as Snell et al. select), a stricter fit.
    #[arg(long, value_name = "1|2", default_value_t = 1)]
    pub calibration_folds: usize,
    /// --calibrate: also split each probe outcome by the policy's confidence in the probe — the
    /// lowest probability it gave any token of the leading answer's samples (DeepConf), free
    /// from the sampling — at these rising cut points in (0, 1), e.g. `0.3,0.9`. Lets --window
    /// be 1: one confident sample settles a problem.
    #[arg(long, value_name = "P,P,…", value_delimiter = ',')]
    pub confidence_cuts: Vec<f32>,
    /// Longest completion in tokens (as `ask`'s: a 5×5 product's checked trace takes ~360; the
    /// model's context caps it).
    #[arg(long, default_value_t = 512)]
    pub max_new_tokens: usize,
    /// Seed of the held-out draw and of sampling.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write one JSON line per problem (question, completion, answer, verdict, tokens).
    #[arg(long)]
    pub predictions: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Instead of solving: measure --verifier against the task's ground-truth step labels on
    /// --n held-out problems × 4 solutions sampled from --model at temperature 1 (the same
    /// held-out set `train verifier` reports on, for the same --seed).
    #[arg(long)]
    pub verifier_quality: bool,
    /// Run a benchmark suite instead: `mixed` — equal bins of held-out problems from single-digit
    /// facts to 4–5-digit products and countdown-4, scored per bin (accuracy, thinking tokens,
    /// samples) for --model and --compare-model under each --strategy; writes --out/suite.{md,json,svg}.
    #[arg(long, value_name = "SUITE")]
    pub suite: Option<String>,
    /// L1's length control: every prompt asks "think for N tokens" (a model trained with
    /// `train grpo --length-targets`); the report adds mean |n - N| / N, the share over N and the
    /// share of repeated reasoning lines.
    #[arg(long, value_name = "N")]
    pub length_target: Option<usize>,
    /// --suite: problems in each difficulty bin.
    #[arg(long, default_value_t = 100)]
    pub per_bin: usize,
}

impl EvalArgs {
    pub fn options(&self) -> StrategyOptions {
        StrategyOptions {
            prompt: self.prompt,
            temperature: self.temperature,
            seed: self.seed,
            width: self.width,
            max_steps: self.max_steps,
            exploration: self.exploration,
            round: self.round,
            confidence: self.confidence,
            window: self.window,
            allocation: None,
        }
    }

    /// `--verifier-cmd` as a verifier process, if given.
    pub fn process_verifier(&self) -> Option<ProcessVerifier> {
        let timeout = std::time::Duration::from_secs(self.verifier_timeout.max(1));
        self.verifier_cmd.as_deref().map(|cmd| ProcessVerifier::new(cmd, timeout))
    }

    /// A `--verifier`/`--orm` spec as a scorer; `oracle` judges outcomes with `--verifier-cmd`
    /// when one is given.
    pub fn scorer(&self, spec: &str) -> anyhow::Result<Box<dyn deepthink_search::Scorer>> {
        match (spec, self.process_verifier()) {
            ("oracle", Some(v)) => Ok(Box::new(deepthink_search::OracleScorer::with_verifier(Box::new(v)))),
            _ => Ok(load_scorer(spec)?),
        }
    }

    pub fn strategies(&self) -> anyhow::Result<Vec<String>> {
        let list: Vec<String> =
            self.strategy.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
        for s in &list {
            if !STRATEGY_NAMES.contains(&s.as_str()) {
                bail!("unknown strategy `{s}` in --strategy; known: {}", STRATEGY_NAMES.join(", "));
            }
            if needs_verifier(s) && self.verifier.is_none() && self.orm.is_none() {
                bail!("strategy `{s}` needs a verifier: pass --verifier RUN/checkpoint (from `deepthink train verifier`) or --verifier oracle");
            }
        }
        if list.is_empty() {
            bail!("--strategy is empty");
        }
        Ok(list)
    }
}

/// The task and the problems to score: `--problems FILE` (every line, or with `--held-out` only
/// the hash-held-out 5%), else `-n` generated held-out problems. With `--task qa` the file is read
/// as open questions and is the task's `qa_file` unless `--qa-file` names another.
pub fn task_and_problems(a: &EvalArgs) -> anyhow::Result<(Box<dyn Task>, Vec<Problem>)> {
    let open = a.task.task.trim() == qa::NAME;
    let (task, mut problems): (Box<dyn Task>, Vec<Problem>) = match (&a.problems, &a.task.qa_file) {
        // The file is the task's own: read it once, as the task.
        (Some(p), None) if open => {
            let task = QaTask::from_config(&a.task.config().with("qa_file", p.display().to_string()))?;
            let problems = task.problems().to_vec();
            (Box::new(task), problems)
        }
        (Some(p), _) if open => {
            let mode = a.task.answer_mode.as_deref().map(str::parse).transpose()?;
            (task_by_name(&a.task.task, &a.task.config())?, qa::read_file(p, mode)?)
        }
        (Some(p), _) => (task_by_name(&a.task.task, &a.task.config())?, read_problems(p)?),
        (None, _) => {
            let task = task_by_name(&a.task.task, &a.task.config())?;
            let problems = match a.per_group {
                Some(n) => held_out_per_group(task.as_ref(), n, a.seed),
                None => held_out_problems(task.as_ref(), a.n, a.seed),
            };
            (task, problems)
        }
    };
    if a.held_out {
        problems.retain(|p| p.is_held_out());
    }
    if problems.is_empty() {
        bail!("no problems to evaluate{}", if a.held_out { " (none of the file's questions is held out)" } else { "" });
    }
    // A mix's problems carry their own tasks' names; it judges any problem it covers.
    if let Some(p) = problems.iter().find(|p| p.task_name() != task.name() && task.covers(p).is_err()) {
        bail!("problem `{}` is a {} problem; pass --task {}", p.question(), p.task_name(), p.task_name());
    }
    Ok((task, problems))
}

pub fn run(a: EvalArgs) -> anyhow::Result<()> {
    if a.verifier_quality {
        return verifier_quality(&a);
    }
    if let Some(suite) = &a.suite {
        return super::suite::run(&a, suite);
    }
    if !a.budgets.is_empty() {
        calibration::refuse_unused(&a, "a --budgets grid")?;
        return super::grid::run(a);
    }
    let strategies = a.strategies()?;
    let [strategy] = strategies.as_slice() else {
        bail!("several strategies need --budgets (a grid); got --strategy {}", a.strategy);
    };
    let (dir, ck) = super::load_model_as(&a.model, a.dtype)?;
    let (task, problems) = task_and_problems(&a)?;
    let task: Box<dyn Task> = match a.length_target {
        Some(n) => Box::new(WithLengthTarget::new(task, Target::Fixed(n))),
        None => task,
    };
    let prm = a.verifier.as_deref().map(|v| a.scorer(v)).transpose()?;
    let orm = a.orm.as_deref().map(|v| a.scorer(v)).transpose()?;
    let bar = indicatif::ProgressBar::new(problems.len() as u64);
    let mut tick = |d: usize, _| bar.set_position(d as u64);
    if !a.thinking_budgets.is_empty() || !a.wait_words.is_empty() {
        calibration::refuse_unused(&a, "a thinking-budget sweep")?;
        let samples = if uses_budget(strategy) { a.samples } else { 1 };
        let budget = Budget { samples, max_new_tokens: a.max_new_tokens };
        let scorer = scorer_for(strategy, prm.as_deref(), orm.as_deref());
        let s = by_name(strategy, &a.options(), scorer)?;
        return super::thinking_sweep::run(&a, &ck, task.as_ref(), &problems, s.as_ref(), budget);
    }
    let (local, remote);
    let gen: &dyn deepthink_search::Generator =
        match a.remote.generator(Some(ck.tokenizer.clone()), Some(ck.model.cfg.clone()))? {
            Some(r) => {
                if a.thinking.budget()?.min > 0 {
                    bail!(
                    "--min-thinking-tokens needs the local decode loop; a --backend takes only --max-thinking-tokens"
                );
                }
                remote = r.with_thinking(a.thinking.budget()?);
                &remote
            }
            None => {
                local = LocalGenerator::new(&ck.model, &ck.tokenizer).with_thinking(a.thinking.budget()?);
                &local
            }
        };
    let scorer = scorer_for(strategy, prm.as_deref(), orm.as_deref());
    let samples = if uses_budget(strategy) { a.samples } else { 1 };
    let budget = Budget { samples, max_new_tokens: a.max_new_tokens };
    let checker = a.process_verifier();
    let own = TaskChecker(task.as_ref());
    let verifier: &dyn Verifier = checker.as_ref().map_or(&own, |v| v as &dyn Verifier);
    let calibration = if a.calibrate > 0 {
        let draw = |split| split_problems(task.as_ref(), a.calibrate, calibration::draw_seed(&a), split);
        calibration::unscored(draw(Split::Test).into_iter().chain(draw(Split::Train)), &problems, a.calibrate)
    } else {
        Vec::new()
    };
    let options = calibration::options_for(&a, strategy, task.as_ref(), &calibration, gen, verifier, budget)?;
    let s = by_name(strategy, &options, scorer)?;
    // About 64 sequences in flight at once.
    let chunk = (64 / samples.max(1)).max(1);
    let run = Evaluation { task: task.as_ref(), strategy: s.as_ref(), gen, budget, chunk, verifier: Some(verifier) };
    let (report, preds) = run.run(&problems, &mut tick)?;
    bar.finish_and_clear();
    if let Some(path) = &a.predictions {
        let lines = preds.iter().map(|p| serde_json::to_string(p).unwrap_or_default());
        write_lines_atomic(path, lines)?;
    }
    if a.json {
        let mut value = serde_json::to_value(&report)?;
        if let (Some(n), Some(fields)) = (a.length_target, value.as_object_mut()) {
            fields.insert("length_control".into(), serde_json::to_value(LengthControl::of(&preds, n))?);
        }
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        println!("{dir} on {} problems ({}), {strategy}", problems.len(), task.name());
        println!("{}", report.summary());
        if let Some(n) = a.length_target {
            println!("{}", LengthControl::of(&preds, n));
        }
        if report.groups.len() > 1 {
            for (g, s) in &report.groups {
                let thinking = group_thinking(&preds, g);
                println!("  {g:>10}: {:5.1}% of {:<4} {thinking:6.1} thinking tokens", 100.0 * s.accuracy, s.n);
            }
        }
    }
    Ok(())
}

/// L1's control figures for a target: mean |tokens - target| / target over the generated
/// tokens, the share over the target, and the share of reasoning lines that repeat an earlier
/// line (padding).
#[derive(serde::Serialize)]
struct LengthControl {
    target: usize,
    mean_relative_error: f64,
    over_target: f64,
    repeated_lines: f64,
}

impl LengthControl {
    fn of(preds: &[deepthink_eval::Prediction], target: usize) -> LengthControl {
        let k = preds.len().max(1) as f64;
        let n = target as f64;
        LengthControl {
            target,
            mean_relative_error: preds.iter().map(|p| (p.tokens as f64 - n).abs() / n.max(1.0)).sum::<f64>() / k,
            over_target: preds.iter().filter(|p| p.tokens > target).count() as f64 / k,
            repeated_lines: preds.iter().map(|p| repeated_line_share(&p.completion)).sum::<f64>() / k,
        }
    }
}

impl std::fmt::Display for LengthControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "length control, target {}: mean |n - target| / target {:.1}%, over the target {:.1}%, repeated reasoning lines {:.1}%",
            self.target,
            100.0 * self.mean_relative_error,
            100.0 * self.over_target,
            100.0 * self.repeated_lines
        )
    }
}

/// Mean thinking tokens of the problems in difficulty group `group`.
fn group_thinking(preds: &[deepthink_eval::Prediction], group: &str) -> f64 {
    let tokens: Vec<usize> = preds.iter().filter(|p| p.group == group).map(|p| p.reasoning_tokens).collect();
    tokens.iter().sum::<usize>() as f64 / tokens.len().max(1) as f64
}

/// `--verifier-quality`: step and outcome accuracy of a verifier against the oracle.
fn verifier_quality(a: &EvalArgs) -> anyhow::Result<()> {
    use deepthink_train::verifier::label::{has_step_labels, label_solutions, LabelConfig, LabelMethod};
    use deepthink_train::verifier::quality::verifier_quality as quality;
    let Some(v) = a.verifier.as_deref() else { bail!("--verifier-quality needs --verifier") };
    let (_, ck) = super::load_model_as(&a.model, a.dtype)?;
    let task = task_by_name(&a.task.task, &a.task.config())?;
    let scorer = load_scorer(v)?;
    // `train verifier`'s sampling defaults, and the held-out rule it reports on.
    let training = LabelConfig {
        problems: 0,
        samples: 4,
        temperature: 1.0,
        max_new_tokens: a.max_new_tokens,
        prompt: a.prompt,
        method: LabelMethod::Oracle,
        seed: a.seed,
    };
    let cfg = training.heldout(a.n, has_step_labels(task.as_ref()));
    let verifier = verifier_for(a.verifier_cmd.as_deref(), a.verifier_timeout, task.as_ref());
    let (records, problems) = label_solutions(
        &ck.model,
        &ck.tokenizer,
        task.as_ref(),
        verifier.as_ref(),
        deepthink_tasks::Split::Test,
        &cfg,
    )?;
    let q = quality(scorer.as_ref(), task.as_ref(), &problems, &records)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&q)?);
    } else {
        println!("{v} on {}", q.summary());
    }
    Ok(())
}
