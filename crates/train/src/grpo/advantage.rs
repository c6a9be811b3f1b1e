//! Group-relative advantages (Shao et al. 2024, DeepSeekMath §4.1.2): each completion's reward
//! minus its group's mean, divided by the group's standard deviation — or not, as Dr. GRPO
//! (Liu et al. 2025) argues, since dividing by the std up-weights groups that are nearly all right
//! or all wrong. Matches TRL: the unbiased standard deviation and `+ 1e-4` in the denominator.
//! A group whose rewards are all equal gets zero advantages, so it contributes no gradient.

/// Advantages of `rewards`, laid out group after group (`group` completions per prompt).
pub fn group_advantages(rewards: &[f32], group: usize, scale_by_std: bool) -> Vec<f32> {
    let mut out = Vec::with_capacity(rewards.len());
    for g in rewards.chunks(group.max(1)) {
        let n = g.len() as f64;
        let mean = g.iter().map(|&r| f64::from(r)).sum::<f64>() / n;
        let var =
            if g.len() > 1 { g.iter().map(|&r| (f64::from(r) - mean).powi(2)).sum::<f64>() / (n - 1.0) } else { 0.0 };
        let scale = if scale_by_std { var.sqrt() + 1e-4 } else { 1.0 };
        out.extend(g.iter().map(|&r| ((f64::from(r) - mean) / scale) as f32));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn matches_trl_on_a_small_case() {
        // group [1, 0, 0, 1]: mean 0.5, unbiased std 0.57735
        let a = group_advantages(&[1.0, 0.0, 0.0, 1.0], 4, true);
        assert!((a[0] - 0.5 / (0.577_350_3 + 1e-4)).abs() < 1e-5, "{a:?}");
        assert_eq!(group_advantages(&[1.0, 0.0], 2, false), vec![0.5, -0.5]);
    }

    proptest! {
        #[test]
        fn equal_rewards_give_zero_and_groups_sum_to_zero(
            r in proptest::collection::vec(0.0f32..2.0, 1..6), g in 1usize..5, same in 0.0f32..1.0
        ) {
            for scale in [true, false] {
                prop_assert!(group_advantages(&vec![same; g * 3], g, scale).iter().all(|&a| a == 0.0));
                let rewards: Vec<f32> = r.iter().cycle().take(g * r.len()).copied().collect();
                for chunk in group_advantages(&rewards, g, scale).chunks(g) {
                    prop_assert!(chunk.iter().sum::<f32>().abs() < 1e-3);
                }
            }
        }
    }
}
