//! Random countdown problems that are solvable by construction.
//!
//! Numbers are drawn uniformly from `1..=max_value`; the target is then drawn uniformly among the
//! values in `min_target..=max_target` that those numbers reach under the trace rules (positive
//! integer intermediates, see `solver`), restricted to the requested split. Drawing the target
//! this way, rather than from a random expression, keeps the targets from piling up at small
//! values; numbers with no admissible target are redrawn.
//!
//! When the space has at most [`ENUMERATE_LIMIT`] multisets of numbers it is enumerated once to
//! learn whether it has held-out problems (if not, `Split::Test` falls back to the whole space)
//! and to check it has any solvable problem at all; larger spaces are probed by sampling. A config
//! with no solvable problem is an error, and the first solvable problem found is kept as a last
//! resort should drawing ever exhaust `split::MAX_DRAWS`.

use rand::{Rng, RngCore};

use crate::config::invalid;
use crate::error::TaskError;
use crate::seeded::SplitMix64;
use crate::split::{is_held_out_text, Partition, MAX_DRAWS};
use crate::style::Split;

use super::solver::{reachable_in, Rules};
use super::{CountdownConfig, CountdownProblem};

/// Spaces with at most this many multisets of numbers are enumerated at construction.
pub const ENUMERATE_LIMIT: u64 = 3_000;

/// Random draws used to probe a large space for a solvable problem.
const PROBE_DRAWS: usize = 2_000;

/// Draws countdown problems for one config.
#[derive(Clone, Debug)]
pub struct Generator {
    count: usize,
    max_value: u32,
    min_target: u32,
    max_target: u32,
    partition: Partition,
    fallback: CountdownProblem,
}

fn multiset_count(values: u64, k: u64) -> u64 {
    // C(values + k - 1, k), saturating.
    (0..k).fold(1u64, |acc, i| acc.saturating_mul(values + i) / (i + 1))
}

impl Generator {
    /// Checks the config and probes its space.
    pub fn new(cfg: &CountdownConfig) -> Result<Self, TaskError> {
        cfg.check()?;
        let mut gen = Generator {
            count: cfg.countdown_numbers,
            max_value: cfg.countdown_max_value,
            min_target: cfg.countdown_min_target,
            max_target: cfg.countdown_max_target,
            partition: Partition::BOTH,
            fallback: CountdownProblem { numbers: Vec::new(), target: 0 },
        };
        let small = multiset_count(u64::from(gen.max_value), gen.count as u64) <= ENUMERATE_LIMIT;
        let found = if small { gen.enumerate() } else { gen.probe() };
        gen.fallback = found.ok_or_else(|| {
            invalid(
                "countdown_max_target",
                gen.max_target,
                &format!(
                    "leaves no reachable target for {} numbers in 1..={} with targets from {}",
                    gen.count, gen.max_value, gen.min_target
                ),
            )
        })?;
        Ok(gen)
    }

    /// Targets in range reachable from `numbers`, as problems.
    fn problems(&self, numbers: &[u32]) -> Vec<CountdownProblem> {
        let state: Vec<i64> = numbers.iter().map(|&n| i64::from(n)).collect();
        let (lo, hi) = (i64::from(self.min_target), i64::from(self.max_target));
        reachable_in(&state, Rules::Trace, lo, hi)
            .into_iter()
            .filter_map(|t| u32::try_from(t).ok())
            .map(|target| CountdownProblem { numbers: numbers.to_vec(), target })
            .collect()
    }

    /// Walks every multiset; sets the partition and returns a solvable problem.
    fn enumerate(&mut self) -> Option<CountdownProblem> {
        let mut part = Partition { has_train: false, has_test: false };
        let mut first = None;
        let mut numbers = vec![1u32; self.count];
        loop {
            for p in self.problems(&numbers) {
                if is_held_out_text(&p.canonical_question()) {
                    part.has_test = true;
                } else {
                    part.has_train = true;
                }
                first.get_or_insert(p);
            }
            if part.has_test && part.has_train {
                break;
            }
            // next non-decreasing sequence
            let Some(i) = numbers.iter().rposition(|&n| n < self.max_value) else {
                break;
            };
            let v = numbers[i] + 1;
            numbers[i..].iter_mut().for_each(|n| *n = v);
        }
        self.partition = part;
        first
    }

    /// Samples the space for one solvable problem; assumes both partitions exist.
    fn probe(&self) -> Option<CountdownProblem> {
        let mut rng = SplitMix64::new(0);
        (0..PROBE_DRAWS).find_map(|_| {
            let numbers = self.draw_numbers(&mut rng);
            self.problems(&numbers).into_iter().next()
        })
    }

    fn draw_numbers(&self, rng: &mut dyn RngCore) -> Vec<u32> {
        (0..self.count).map(|_| rng.gen_range(1..=self.max_value)).collect()
    }

    /// A solvable problem from `split` (see the module doc).
    pub fn generate(&self, rng: &mut dyn RngCore, split: Split) -> CountdownProblem {
        for _ in 0..MAX_DRAWS {
            let numbers = self.draw_numbers(rng);
            let mut admitted: Vec<CountdownProblem> = self
                .problems(&numbers)
                .into_iter()
                .filter(|p| {
                    let held = is_held_out_text(&p.canonical_question());
                    self.partition.admits(split, held)
                })
                .collect();
            if !admitted.is_empty() {
                let k = rng.gen_range(0..admitted.len());
                return admitted.swap_remove(k);
            }
        }
        self.fallback.clone()
    }
}
