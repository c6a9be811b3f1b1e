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
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xE7A1);
    (0..n).map(|_| task.generate(&mut rng, Split::Test)).collect()
}
