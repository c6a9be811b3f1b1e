//! What defines a GRPO run (`GrpoConfig`, saved with every checkpoint and loadable from TOML)
//! and what each step reports (`StepMetrics`): the types the rollout, the update and the loop
//! all read, kept apart from the loop so that none of them depends on another.

use std::path::PathBuf;

use deepthink_model::ThinkingBudget;
use deepthink_tasks::{PromptStyle, TaskConfig};
use serde::{Deserialize, Serialize};

use crate::grpo::loss::SurrogateConfig;
use crate::optim::AdamWConfig;

fn is_inactive(b: &ThinkingBudget) -> bool {
    !b.is_active()
}

/// A reward term and its weight.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RewardSpec {
    /// `accuracy`, `format`, `overlong` (DAPO's soft length penalty near the cap), or `length`
    /// (Kimi k1.5's group-relative length penalty).
    pub name: String,
    pub weight: f32,
}

/// Everything that defines a GRPO run (saved with every checkpoint; loads from a TOML file or a
/// pipeline stage, where a missing field takes `train grpo`'s default).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GrpoConfig {
    /// The starting policy (and the KL reference).
    pub init_from: PathBuf,
    pub task: String,
    pub task_config: TaskConfig,
    pub prompt: PromptStyle,
    pub prompts: usize,
    pub group: usize,
    pub max_new_tokens: usize,
    pub temperature: f32,
    /// A thinking budget on every rollout (enforced in the decode loop; a forced `</think>` is
    /// trained on like any sampled token, with the log-probability the policy gave it).
    #[serde(default, skip_serializing_if = "is_inactive")]
    pub thinking: ThinkingBudget,
    /// μ: updates per sampled batch.
    pub inner_steps: usize,
    pub surrogate: SurrogateConfig,
    /// Divide advantages by the group's std (GRPO) or not (Dr. GRPO).
    pub scale_rewards: bool,
    pub rewards: Vec<RewardSpec>,
    /// Steps before the `length` reward counts (Kimi k1.5 switches its length penalty on after
    /// a warm-up, so accuracy is learnt first).
    #[serde(default)]
    pub length_warmup: u64,
    /// L1's length control: every prompt asks `think for N tokens`, N a multiple of 8 drawn per
    /// problem in `[min, max]` (`tasks::length_target`); the `l1-exact` / `l1-max` rewards read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length_targets: Option<[usize; 2]>,
    /// AdaptThink's exploration of both modes: this share of every group (rounded up, less than
    /// the whole group) starts with an empty think block, so the `no-think` bonus has direct
    /// answers to reward even when the policy never closes its think block at once.
    #[serde(default, skip_serializing_if = "crate::config_file::is_default")]
    pub no_think_share: f32,
    /// A verifier process for the accuracy reward (see `tasks::verifier_process`); the task's own
    /// checker when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verifier_cmd: Option<String>,
    pub skip_zero_advantage: bool,
    /// Leave truncated completions out of the loss (DAPO's overlong filtering).
    pub mask_truncated: bool,
    /// Sequences per forward/backward pass (memory bound; the gradient is the same).
    pub micro_batch: usize,
    pub steps: u64,
    pub lr: f32,
    pub warmup_steps: u64,
    pub adamw: AdamWConfig,
    pub clip: f32,
    pub eval_every: u64,
    pub eval_problems: usize,
    pub save_every: u64,
    pub seed: u64,
}

impl Default for GrpoConfig {
    /// `deepthink train grpo`'s defaults (the R1-Zero recipe's shape, docs/r1-zero.md), with no
    /// starting policy: `init_from` must be set.
    fn default() -> Self {
        GrpoConfig {
            init_from: PathBuf::new(),
            task: "mult".into(),
            task_config: TaskConfig::default(),
            prompt: PromptStyle::Plain,
            prompts: 16,
            group: 8,
            max_new_tokens: 160,
            temperature: 1.0,
            thinking: ThinkingBudget::default(),
            inner_steps: 1,
            surrogate: SurrogateConfig { max_completion_len: 160, ..SurrogateConfig::default() },
            scale_rewards: true,
            rewards: vec![
                RewardSpec { name: "accuracy".into(), weight: 1.0 },
                RewardSpec { name: "format".into(), weight: 1.0 },
            ],
            length_warmup: 0,
            length_targets: None,
            no_think_share: 0.0,
            verifier_cmd: None,
            skip_zero_advantage: false,
            mask_truncated: false,
            micro_batch: 32,
            steps: 100,
            lr: 1e-4,
            warmup_steps: 5,
            adamw: AdamWConfig { weight_decay: 0.0, ..AdamWConfig::default() },
            clip: 1.0,
            eval_every: 25,
            eval_problems: 200,
            save_every: 25,
            seed: 1,
        }
    }
}

/// `x` to `places` decimals, or `–` for a figure the run does not measure (NaN).
pub fn shown(x: f64, places: usize) -> String {
    if x.is_nan() {
        "–".into()
    } else {
        format!("{x:.places$}")
    }
}

/// What one step measured.
#[derive(Clone, Debug, Default, Serialize)]
pub struct StepMetrics {
    pub reward_mean: f64,
    pub reward_std: f64,
    /// The mean of the `accuracy` reward; NaN when the run has none ([`shown`] prints `–`).
    pub accuracy: f64,
    /// The mean of the `format` reward; NaN when the run has none.
    pub format: f64,
    /// The share of completions that answered with an empty think block.
    pub no_think: f64,
    pub completion_len_mean: f64,
    pub completion_len_max: usize,
    pub truncated: f64,
    pub kl: f64,
    pub clip_fraction: f64,
    pub entropy: f64,
    pub skipped_groups: usize,
    pub generate_s: f64,
    /// Of `update_s`: forward passes (with the loss) and backward passes.
    pub forward_s: f64,
    pub backward_s: f64,
    pub update_s: f64,
    /// `update_tokens / update_s`: rows the update ran a second (see `update_tokens`).
    pub tokens_per_s: f64,
    /// Positions the policy ran forward to sample this step (prompts and completions): with
    /// `update_tokens` and `frozen_tokens`, the step's compute (`scripts/student_flops.py`).
    pub rollout_tokens: usize,
    /// Rows through the update's forward and backward, summed over the μ inner steps. Each
    /// prompt is a row once per micro-batch it appears in, not once per completion (a prefix
    /// batch), so one inner step's count is below `rollout_tokens`; runs from before 2026-12-06
    /// counted every completion's copy of its prompt.
    pub update_tokens: usize,
    /// Positions through forward-only passes of the update: the reference (β > 0) and the
    /// frozen sampling policy (μ > 1).
    pub frozen_tokens: usize,
}

#[cfg(test)]
mod shown_tests {
    use super::shown;

    #[test]
    fn an_unmeasured_figure_prints_as_a_dash() {
        assert_eq!(shown(f64::NAN, 3), "–");
        assert_eq!(shown(0.5, 3), "0.500");
        assert_eq!(shown(1.0, 2), "1.00");
    }
}
