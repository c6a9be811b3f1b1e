//! GRPO — outcome-reward reinforcement learning (the lecture's method 4; Shao et al. 2024,
//! DeepSeek-R1). So far: group-relative advantages (`advantage`), the clipped surrogate with an
//! optional k3 KL term and three loss aggregations (`loss`), checked against TRL's formula, and
//! reward functions (`reward`). The trainer loop (`deepthink train grpo`) builds on these.

pub mod advantage;
pub mod loss;
pub mod policy;
pub mod reward;
pub mod trainer;
