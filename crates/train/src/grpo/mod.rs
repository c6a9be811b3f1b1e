//! GRPO — outcome-reward reinforcement learning (the lecture's method 4; Shao et al. 2024,
//! DeepSeek-R1): group-relative advantages (`advantage`), the clipped surrogate with an
//! optional k3 KL term and three loss aggregations (`loss`, checked against TRL's formula), reward
//! functions (`reward`), the policy's log-probs and their backward (`policy`), sampling and scoring
//! a step's groups (`rollout`), the μ updates (`update`), the run's config and step metrics
//! (`config`), and the loop (`trainer`).

pub mod advantage;
pub mod config;
pub mod loss;
pub mod policy;
pub mod reward;
pub mod rollout;
pub mod trainer;
pub mod update;
