//! `deepthink train grpo`: outcome-reward RL (GRPO) from a checkpoint.

use std::path::PathBuf;

use clap::{ArgMatches, Args};
use deepthink_tasks::PromptStyle;
use deepthink_train::grpo::loss::{Aggregation, SurrogateConfig};
use deepthink_train::grpo::trainer::{train_grpo, GrpoConfig, RewardSpec};
use deepthink_train::optim::AdamWConfig;

use super::config_args::{resolve, ConfigArgs};
use super::task_args::TaskArgs;

#[derive(Args)]
pub struct GrpoArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// The starting policy (also the frozen KL reference when --beta > 0); required unless
    /// --config gives it. Training holds 16 bytes a parameter (20 with --beta > 0); a model that
    /// does not fit in free memory is refused up front.
    #[arg(long)]
    pub init_from: Option<PathBuf>,
    #[command(flatten)]
    pub task: TaskArgs,
    #[arg(long, default_value = "plain")]
    pub prompt: PromptStyle,
    /// Prompts per step.
    #[arg(long, default_value_t = 16)]
    pub prompts: usize,
    /// Completions sampled per prompt (G).
    #[arg(long, default_value_t = 8)]
    pub group: usize,
    /// Prompts from your own JSONL file of questions and answers (task `qa`; plain, reasoning-gym,
    /// GSM8K or TRL lines): training draws every line but the hash-held-out 5%, on which it evaluates.
    #[arg(long)]
    pub data: Option<PathBuf>,
    #[arg(long, default_value_t = 160)]
    pub max_new_tokens: usize,
    #[arg(long, default_value_t = 1.0)]
    pub temperature: f32,
    #[command(flatten)]
    pub thinking: super::thinking_args::ThinkingArgs,
    /// μ: updates per sampled batch.
    #[arg(long, default_value_t = 1)]
    pub inner_steps: usize,
    /// Loss aggregation: grpo (per-completion mean), dr-grpo (constant normaliser), dapo (token mean).
    #[arg(long, default_value = "grpo")]
    pub loss: Aggregation,
    /// Don't divide advantages by the group's std (Dr. GRPO).
    #[arg(long)]
    pub no_scale_rewards: bool,
    #[arg(long, default_value_t = 0.2)]
    pub epsilon: f32,
    /// Upper clip (DAPO's clip-higher); default --epsilon.
    #[arg(long)]
    pub epsilon_high: Option<f32>,
    /// KL weight to the starting model (0 = none).
    #[arg(long, default_value_t = 0.0)]
    pub beta: f32,
    /// Rewards as name=weight: accuracy, format, overlong, length (Kimi k1.5's group-relative
    /// length penalty: shorter right answers gain, longer ones lose; see --length-warmup),
    /// l1-exact and l1-max (L1's rewards for meeting the prompt's target; see --length-targets),
    /// no-think (AdaptThink's bonus for an empty think block; its weight is δ, e.g. no-think=0.05,
    /// with --no-think-share), language (R1's language consistency: the share of the reasoning's
    /// numerals written in digits, for bases pretrained with --notation-switch).
    #[arg(long, value_delimiter = ',', default_value = "accuracy=1,format=1")]
    pub rewards: Vec<String>,
    /// Steps before the `length` reward counts (Kimi switches it on after a warm-up).
    #[arg(long, default_value_t = 0)]
    pub length_warmup: u64,
    /// L1's length control: every prompt asks "think for N tokens", N a multiple of 8 drawn per
    /// problem in MIN:MAX; reward it with --rewards accuracy=1,l1-exact=1 (L1-Exact) or
    /// l1-max=1,format=1 (L1-Max). Evaluate with `eval --length-target N`.
    #[arg(long, value_name = "MIN:MAX")]
    pub length_targets: Option<String>,
    /// AdaptThink's exploration: this share of every group (rounded up) starts with an empty think
    /// block, so direct answers are sampled and the no-think reward can teach when they are right.
    /// Pair the no-think reward with --no-scale-rewards: divided by the group's std, its small
    /// bonus becomes a full-size advantage in every group that is all right, and the policy stops
    /// thinking everywhere (docs/overthinking.md, "Choosing whether to think").
    #[arg(long, default_value_t = 0.0, value_name = "SHARE")]
    pub no_think_share: f32,
    /// Score the accuracy reward with this long-lived program (one JSON line per completion in,
    /// one {"score": 0..1} line out; see `eval --verifier-cmd`) instead of the task's checker.
    #[arg(long)]
    pub verifier_cmd: Option<String>,
    /// Leave groups whose rewards are all equal out of the forward/backward pass.
    #[arg(long)]
    pub skip_zero_advantage: bool,
    /// Leave truncated completions out of the loss.
    #[arg(long)]
    pub mask_truncated: bool,
    #[arg(long, default_value_t = 32)]
    pub micro_batch: usize,
    #[arg(long, default_value_t = 100)]
    pub steps: u64,
    #[arg(long, default_value_t = 1e-4)]
    pub lr: f32,
    #[arg(long, default_value_t = 5)]
    pub warmup: u64,
    #[arg(long, default_value_t = 1.0)]
    pub clip: f32,
    #[arg(long, default_value_t = 25)]
    pub eval_every: u64,
    #[arg(long, default_value_t = 200)]
    pub eval_problems: usize,
    #[arg(long, default_value_t = 25)]
    pub save_every: u64,
    #[arg(long, default_value = "runs/grpo")]
    pub run: PathBuf,
    #[arg(long)]
    pub restart: bool,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

pub fn run(a: GrpoArgs, matches: Option<&ArgMatches>) -> anyhow::Result<()> {
    let Some(cfg) = resolve(&a.config, matches, || config(&a))? else { return Ok(()) };
    let out = train_grpo(&cfg, &a.run, a.restart)?;
    if out.steps_run == 0 {
        eprintln!("already trained {} steps (no step run now), checkpoint {}", out.steps, out.checkpoint.display());
        return Ok(());
    }
    eprintln!(
        "last step: reward {:.3}, accuracy {}, checkpoint {}",
        out.last.reward_mean,
        deepthink_train::grpo::config::shown(out.last.accuracy, 3),
        out.checkpoint.display()
    );
    Ok(())
}

/// The config the flags make.
fn config(a: &GrpoArgs) -> anyhow::Result<GrpoConfig> {
    let Some(init_from) = a.init_from.clone() else {
        anyhow::bail!("--init-from CHECKPOINT is required (the starting policy), unless --config FILE gives it");
    };
    let rewards = a
        .rewards
        .iter()
        .map(|s| {
            let (name, w) = s.split_once('=').unwrap_or((s.as_str(), "1"));
            let weight: f32 =
                w.trim().parse().map_err(|_| anyhow::anyhow!("--rewards: `{s}` needs name=weight, e.g. accuracy=1"))?;
            Ok(RewardSpec { name: name.trim().to_string(), weight })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    // `--data FILE`: prompts from your own question/answer file (task `qa`), held-out 5% left out.
    let (task, task_config) = match &a.data {
        Some(path) => ("qa".to_string(), a.task.config().with("qa_file", path.display().to_string())),
        None => (a.task.task.clone(), a.task.config()),
    };
    Ok(GrpoConfig {
        init_from,
        task,
        task_config,
        prompt: a.prompt,
        prompts: a.prompts,
        group: a.group,
        max_new_tokens: a.max_new_tokens,
        temperature: a.temperature,
        thinking: a.thinking.budget()?,
        inner_steps: a.inner_steps,
        surrogate: SurrogateConfig {
            epsilon_low: a.epsilon,
            epsilon_high: a.epsilon_high.unwrap_or(a.epsilon),
            beta: a.beta,
            aggregation: a.loss,
            max_completion_len: a.max_new_tokens,
        },
        scale_rewards: !a.no_scale_rewards,
        rewards,
        length_warmup: a.length_warmup,
        length_targets: parse_length_targets(a.length_targets.as_deref())?,
        no_think_share: a.no_think_share,
        verifier_cmd: a.verifier_cmd.clone(),
        skip_zero_advantage: a.skip_zero_advantage,
        mask_truncated: a.mask_truncated,
        micro_batch: a.micro_batch,
        steps: a.steps,
        lr: a.lr,
        warmup_steps: a.warmup,
        adamw: AdamWConfig { weight_decay: 0.0, ..AdamWConfig::default() },
        clip: a.clip,
        eval_every: a.eval_every,
        eval_problems: a.eval_problems,
        save_every: a.save_every,
        seed: a.seed,
    })
}

/// `--length-targets MIN:MAX` as bounds (`train sft` and `train grpo`); the error names the flag
/// and the value.
pub fn parse_length_targets(spec: Option<&str>) -> anyhow::Result<Option<[usize; 2]>> {
    let Some(spec) = spec else { return Ok(None) };
    let bad =
        || anyhow::anyhow!("--length-targets `{spec}`: expected MIN:MAX tokens with 8 <= MIN <= MAX, e.g. 32:256");
    let (lo, hi) = spec.split_once(':').ok_or_else(bad)?;
    let (lo, hi): (usize, usize) = (lo.trim().parse().map_err(|_| bad())?, hi.trim().parse().map_err(|_| bad())?);
    if lo < 8 || hi < lo {
        return Err(bad());
    }
    Ok(Some([lo, hi]))
}
