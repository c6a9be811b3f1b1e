//! Exact countdown solver over multisets of integers, by repeatedly combining two numbers
//! (the state space of Stream of Search, Gandhi et al. 2024).
//!
//! Two rule sets:
//! * [`Rules::Trace`] — what generators and reference traces use (Stream of Search / TinyZero
//!   convention): every intermediate result is a positive integer, so `a-b` only when `a > b`
//!   and `a/b` only when `b` divides `a`; operands are written larger first.
//! * [`Rules::Any`] — what the verifier accepts: any integer results, negatives and zero included,
//!   exact divisions only. Step labels use these, since they ask "can the verifier still be
//!   satisfied from here?".

use std::collections::{BTreeSet, HashSet};

use rand::seq::SliceRandom;
use rand::RngCore;

use super::op::Op;

/// Which combinations are allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rules {
    Trace,
    Any,
}

/// One combination: `state[li] op state[ri] = result`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    pub li: usize,
    pub ri: usize,
    pub a: i64,
    pub op: Op,
    pub b: i64,
    pub result: i64,
}

impl Step {
    /// `25-5=20`.
    pub fn text(&self) -> String {
        format!("{}{}{}={}", self.a, self.op.symbol(), self.b, self.result)
    }
}

/// Every allowed combination of two numbers of `state`.
pub fn moves(state: &[i64], rules: Rules) -> Vec<Step> {
    let mut out = Vec::new();
    for i in 0..state.len() {
        for j in i + 1..state.len() {
            let (hi, lo) = if state[i] >= state[j] { (i, j) } else { (j, i) };
            let pairs: &[(usize, usize)] = match rules {
                Rules::Trace => &[(hi, lo)],
                Rules::Any => &[(hi, lo), (lo, hi)],
            };
            for (k, &(li, ri)) in pairs.iter().enumerate() {
                for op in Op::ALL {
                    let commutative = matches!(op, Op::Add | Op::Mul);
                    if k > 0 && commutative {
                        continue;
                    }
                    let (a, b) = (state[li], state[ri]);
                    if rules == Rules::Trace && op == Op::Sub && a <= b {
                        continue;
                    }
                    if let Some(result) = op.apply(a, b) {
                        out.push(Step { li, ri, a, op, b, result });
                    }
                }
            }
        }
    }
    out
}

/// The state after `step`: the untouched items in order, then `new` (the result) last.
pub fn apply<T: Clone>(items: &[T], step: &Step, new: T) -> Vec<T> {
    let mut out: Vec<T> =
        items.iter().enumerate().filter(|(k, _)| *k != step.li && *k != step.ri).map(|(_, x)| x.clone()).collect();
    out.push(new);
    out
}

/// Whether `state` can reach `target` using every number exactly once.
pub fn can_reach(state: &[i64], target: i64, rules: Rules) -> bool {
    fn go(state: &[i64], target: i64, rules: Rules, dead: &mut HashSet<Vec<i64>>) -> bool {
        if state.len() <= 1 {
            return state.first() == Some(&target);
        }
        let mut key = state.to_vec();
        key.sort_unstable();
        if dead.contains(&key) {
            return false;
        }
        for step in moves(state, rules) {
            if go(&apply(state, &step, step.result), target, rules, dead) {
                return true;
            }
        }
        dead.insert(key);
        false
    }
    go(state, target, rules, &mut HashSet::new())
}

/// Every value reachable from `state` under `rules` that lies in `lo..=hi`.
pub fn reachable_in(state: &[i64], rules: Rules, lo: i64, hi: i64) -> BTreeSet<i64> {
    fn go(state: &[i64], rules: Rules, seen: &mut HashSet<Vec<i64>>, out: &mut Vec<i64>) {
        if state.len() == 1 {
            out.push(state[0]);
            return;
        }
        let mut key = state.to_vec();
        key.sort_unstable();
        if !seen.insert(key) {
            return;
        }
        for step in moves(state, rules) {
            go(&apply(state, &step, step.result), rules, seen, out);
        }
    }
    let mut all = Vec::new();
    go(state, rules, &mut HashSet::new(), &mut all);
    all.into_iter().filter(|v| (lo..=hi).contains(v)).collect()
}

/// A solution path (one step per combination), trying moves in a random order; `None` if the
/// target is unreachable.
pub fn solve(state: &[i64], target: i64, rules: Rules, rng: &mut dyn RngCore) -> Option<Vec<Step>> {
    if state.len() <= 1 {
        return (state.first() == Some(&target)).then(Vec::new);
    }
    let mut steps = moves(state, rules);
    steps.shuffle(rng);
    for step in steps {
        let next = apply(state, &step, step.result);
        if !can_reach(&next, target, rules) {
            continue;
        }
        if let Some(mut rest) = solve(&next, target, rules, rng) {
            rest.insert(0, step);
            return Some(rest);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seeded::SplitMix64;

    #[test]
    fn solves_and_refutes() {
        assert!(can_reach(&[25, 5, 4], 80, Rules::Trace));
        assert!(!can_reach(&[1, 1, 1], 80, Rules::Any));
        // 2-3 = -1 is only allowed under the verifier's rules... but 3-2 reaches 1 anyway
        assert!(can_reach(&[2, 3], -1, Rules::Any));
        assert!(!can_reach(&[2, 3], -1, Rules::Trace));
        let path = solve(&[25, 5, 4], 80, Rules::Trace, &mut SplitMix64::new(1)).unwrap();
        assert_eq!(path.len(), 2);
        assert_eq!(path.last().map(|s| s.result), Some(80));
    }

    #[test]
    fn reachable_values_of_two_numbers() {
        let got: Vec<i64> = reachable_in(&[6, 3], Rules::Trace, 0, 100).into_iter().collect();
        assert_eq!(got, vec![2, 3, 9, 18]);
    }
}
