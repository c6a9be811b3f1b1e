//! The held-out problems every evaluation of a run draws (training-time evaluation, `deepthink
//! eval`, grids), fixed by a seed, so they all score the same problems.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::problem::Problem;
use crate::style::Split;
use crate::task::Task;

/// `n` held-out problems of `task`, fixed by `seed`: the set every evaluation of a run draws
/// (training-time evaluation, `deepthink eval`, grids), so they all score the same problems.
pub fn held_out_problems(task: &dyn Task, n: usize, seed: u64) -> Vec<Problem> {
    split_problems(task, n, seed, Split::Test)
}

/// `n` problems of `task` from `split`, fixed by `seed`; for the test split, the held-out set
/// (another seed draws calibration problems of the same kinds).
pub fn split_problems(task: &dyn Task, n: usize, seed: u64, split: Split) -> Vec<Problem> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xE7A1);
    (0..n).map(|_| task.generate(&mut rng, split)).collect()
}

/// Up to `per_group` distinct held-out problems of every difficulty group `task` draws (`3x4`,
/// `2+5`, `4 numbers`), fixed by `seed`, grouped in order of first appearance — for per-cell
/// tables. A group whose held-out space is smaller than `per_group` (single-digit products have
/// two held-out problems) gets what the space allows: drawing stops once every group is full or
/// after `DRAWS_PER_PROBLEM` draws per problem wanted across the groups seen.
pub fn held_out_per_group(task: &dyn Task, per_group: usize, seed: u64) -> Vec<Problem> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6E0F);
    let mut groups: Vec<(String, Vec<Problem>)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut draws = 0usize;
    // Enough draws to meet every group once before judging whether all are full.
    let warm_up = 50 * per_group.max(1);
    loop {
        let p = task.generate(&mut rng, Split::Test);
        draws += 1;
        let group = p.difficulty();
        let at = match groups.iter().position(|(g, _)| *g == group) {
            Some(i) => i,
            None => {
                groups.push((group, Vec::new()));
                groups.len() - 1
            }
        };
        if groups[at].1.len() < per_group && seen.insert(p.clone()) {
            groups[at].1.push(p);
        }
        let full = groups.iter().all(|(_, ps)| ps.len() >= per_group);
        if (draws >= warm_up && full) || draws >= DRAWS_PER_PROBLEM * per_group.max(1) * groups.len() {
            break;
        }
    }
    groups.into_iter().flat_map(|(_, ps)| ps).collect()
}

/// How hard `held_out_per_group` tries for a small group.
const DRAWS_PER_PROBLEM: usize = 40;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{task_by_name, TaskConfig};

    #[test]
    fn per_group_fills_every_cell_with_distinct_held_out_problems() {
        let cfg = TaskConfig::default().with("min_digits", 1).with("max_digits", 3);
        let task = task_by_name("mult", &cfg).unwrap();
        let ps = held_out_per_group(task.as_ref(), 20, 1);
        let mut by_group = std::collections::BTreeMap::<String, usize>::new();
        for p in &ps {
            assert!(p.is_held_out() || p.difficulty() == "1x1");
            *by_group.entry(p.difficulty()).or_default() += 1;
        }
        assert_eq!(by_group.len(), 9, "{by_group:?}");
        // Every cell but the tiny 1×1 space is full.
        assert!(by_group.iter().all(|(g, &n)| n == 20 || g == "1x1"), "{by_group:?}");
        let distinct: std::collections::HashSet<_> = ps.iter().collect();
        assert_eq!(distinct.len(), ps.len());
        assert_eq!(held_out_per_group(task.as_ref(), 20, 1), ps, "seeded");
    }
}
