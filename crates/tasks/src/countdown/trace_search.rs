//! Reference traces for countdown: `optimal` (the solution path only) and `search` (a depth-first
//! search with dead ends and backtracking), after Stream of Search (Gandhi et al. 2024), shortened
//! for a character-level model.
//!
//! Line grammar (one step per line; spaces optional when parsing):
//! * `25-5=20 [4,20]` — combine two numbers; the list is the state reached (untouched numbers
//!   in order, the result last). The search continues from there.
//! * `30+4=34 no` — a combination that uses up the numbers and misses the target: a dead end
//!   noticed. The state stays the one it came from (the parser allows further tries there).
//! * `20*4=80 yes` — the goal.
//! * `back [25,5,4]` — backtrack to an earlier state (named in full), whose next combination follows.
//! * `5*4=20 [25,20] seen` — (`visited` only) a state the search already explored and failed
//!   from, reached again by another order: noticed and not explored twice. The state stays the
//!   one it came from.
//! * `optimal` lines are bare: `25-5=20`, `20*4=80`.
//!
//! Search order: the moves of a state (trace rules, see `solver`) are shuffled by the caller's RNG
//! and then stably sorted by Stream of Search's distance heuristic, the smallest
//! `|n - target|` over the numbers of the resulting state. At the last two numbers this puts the
//! goal first when there is one, so a two-number state is settled in one line: its closest
//! combination, marked `yes` or `no` (a dead end), after which the search backtracks. The search
//! is capped at [`NODE_BUDGET`] combinations; if the cap is hit (only with 4+ numbers) or the
//! positive-integer search finds nothing (a file problem that needs a negative intermediate), the
//! trace writes `back [root]` and then the solver's path, so a `search` trace always ends correct.
//!
//! Measured over 1000 generated 3-number problems (default config, seed 11, test
//! `countdown_trace_lengths`), think-block lines / characters:
//! `search` mean 7.8 / 109.6, median 5 / 71, max 29 / 408;
//! `optimal` mean 2.0 / 15.5, median 2 / 16, max 2 / 19.
//! With 4 numbers (200 problems) `search` averages 42.8 lines / 648 chars and more than half the
//! traces hit the budget and end with the fallback: the distance heuristic is weak there.
//!
//! **`visited`** is `search` with state-visited markers (issue 2's suggestion for countdown-4,
//! where Stream of Search measured its gain): the search remembers every state (as a multiset)
//! it explored and failed from, and a combination that reaches one again is written with `seen`
//! and not descended into, so the model is shown not to retry a failed branch. Stream of Search
//! itself does not mark revisits; its traces re-explore them. A `seen` line costs no node budget.
//! Measured (200 4-number problems, test `visited_traces_mark_revisits_replay_cleanly_and_end_right`):
//! the search finds the solution within the budget for 92 against `search`'s 81, at 45.2 lines a
//! trace against 42.8.
//!
//! **`found`** is `visited` kept only when the search itself reaches the goal within the budget:
//! no fallback, so a trace never ends on a solver path the search did not find. The trace of a
//! problem whose search runs out is rejected (`TaskError::Rejected`) and a training source draws
//! another problem (rejection sampling of the search as a teacher). This departs from Stream of
//! Search, which trains on failed streams as they are (rated 0); here every answer stays right and
//! the text contract keeps its final answer. The cost is a skew: the kept problems are the ones
//! the distance heuristic solves quickly (92 of 200 with 4 numbers, see above).

use rand::seq::SliceRandom;
use rand::RngCore;

use super::expr::Shown;
use super::solver::{apply, moves, solve, Rules, Step};

/// Most combinations a `search` trace may try before falling back to the solver's path.
pub const NODE_BUDGET: usize = 40;

#[derive(Clone, Debug)]
struct Item {
    value: i64,
    shown: Shown,
}

enum Outcome {
    Found(Item),
    Failed,
    OutOfBudget,
}

/// `[4,20]`.
pub fn list(values: &[i64]) -> String {
    let parts: Vec<String> = values.iter().map(i64::to_string).collect();
    format!("[{}]", parts.join(","))
}

fn values(items: &[Item]) -> Vec<i64> {
    items.iter().map(|i| i.value).collect()
}

fn combine(state: &[Item], step: &Step) -> Item {
    Item { value: step.result, shown: Shown::combine(&state[step.li].shown, step.op, &state[step.ri].shown) }
}

struct Search<'a> {
    target: i64,
    budget: usize,
    lines: Vec<String>,
    rng: &'a mut dyn RngCore,
    /// States explored and failed from (sorted values), when revisits are marked.
    failed: Option<std::collections::HashSet<Vec<i64>>>,
}

fn key(values: &[i64]) -> Vec<i64> {
    let mut k = values.to_vec();
    k.sort_unstable();
    k
}

impl Search<'_> {
    fn ordered_moves(&mut self, state: &[i64]) -> Vec<Step> {
        let mut steps = moves(state, Rules::Trace);
        steps.shuffle(self.rng);
        let target = self.target;
        steps.sort_by_key(|s| {
            let next = apply(state, s, s.result);
            next.iter().map(|n| n.abs_diff(target)).min().unwrap_or(u64::MAX)
        });
        steps
    }

    fn dfs(&mut self, state: &[Item]) -> Outcome {
        let vals = values(state);
        let mut need_back = false;
        for step in self.ordered_moves(&vals) {
            if self.budget == 0 {
                return Outcome::OutOfBudget;
            }
            let item = combine(state, &step);
            let next = apply(state, &step, item.clone());
            let next_values = values(&next);
            // A revisit is noticed, not explored: it costs a line but no budget.
            if next.len() > 1 && self.failed.as_ref().is_some_and(|f| f.contains(&key(&next_values))) {
                if need_back {
                    self.lines.push(format!("back {}", list(&vals)));
                    need_back = false;
                }
                self.lines.push(format!("{} {} seen", step.text(), list(&next_values)));
                continue;
            }
            self.budget -= 1;
            if need_back {
                self.lines.push(format!("back {}", list(&vals)));
            }
            if next.len() == 1 {
                // The last two numbers are settled by their best combination: the goal, or a
                // dead end noticed (the moves are sorted, so no other combination can hit).
                let hit = step.result == self.target;
                let mark = if hit { "yes" } else { "no" };
                self.lines.push(format!("{} {mark}", step.text()));
                return if hit { Outcome::Found(item) } else { Outcome::Failed };
            }
            self.lines.push(format!("{} {}", step.text(), list(&next_values)));
            match self.dfs(&next) {
                Outcome::Failed => {
                    if let Some(f) = self.failed.as_mut() {
                        f.insert(key(&next_values));
                    }
                    need_back = true;
                }
                other => return other,
            }
        }
        Outcome::Failed
    }
}

fn root(numbers: &[i64]) -> Vec<Item> {
    numbers.iter().map(|&n| Item { value: n, shown: Shown::number(n) }).collect()
}

/// A solution path under trace rules, else under the verifier's rules.
fn solution(numbers: &[i64], target: i64, rng: &mut dyn RngCore) -> Option<Vec<Step>> {
    solve(numbers, target, Rules::Trace, rng).or_else(|| solve(numbers, target, Rules::Any, rng))
}

/// Lines and answer expression for a path; `marked` adds the `search` suffixes.
fn walk(numbers: &[i64], target: i64, path: &[Step], marked: bool) -> (Vec<String>, String) {
    let mut state = root(numbers);
    let mut lines = Vec::new();
    for step in path {
        let item = combine(&state, step);
        state = apply(&state, step, item);
        let suffix = match (marked, state.len()) {
            (false, _) => String::new(),
            (true, 1) if step.result == target => " yes".to_string(),
            (true, 1) => " no".to_string(),
            (true, _) => format!(" {}", list(&values(&state))),
        };
        lines.push(format!("{}{suffix}", step.text()));
    }
    let answer = state.first().map(|i| i.shown.text.clone()).unwrap_or_default();
    (lines, answer)
}

/// The `optimal` trace: the solution path only. `None` if unsolvable.
pub fn optimal_trace(numbers: &[i64], target: i64, rng: &mut dyn RngCore) -> Option<(Vec<String>, String)> {
    let path = solution(numbers, target, rng)?;
    Some(walk(numbers, target, &path, false))
}

/// The `search` trace (see the module doc). `None` if unsolvable.
pub fn search_trace(numbers: &[i64], target: i64, rng: &mut dyn RngCore) -> Option<(Vec<String>, String)> {
    traced_search(numbers, target, rng, false).map(|(lines, answer, _)| (lines, answer))
}

/// The `visited` trace: `search` with revisited failed states marked `seen` (see the module doc).
pub fn visited_trace(numbers: &[i64], target: i64, rng: &mut dyn RngCore) -> Option<(Vec<String>, String)> {
    traced_search(numbers, target, rng, true).map(|(lines, answer, _)| (lines, answer))
}

/// What a countdown stream answers when its search ran out without reaching the target (the
/// `stream` style): a stated answer the verifier cannot read as an expression, so never right.
pub const NO_SOLUTION: &str = "none";

/// The search's own lines, and the answer it reached if it reached the target within its budget.
fn own_search(
    numbers: &[i64],
    target: i64,
    rng: &mut dyn RngCore,
    mark_visited: bool,
) -> (Vec<String>, Option<String>) {
    if numbers.len() == 1 {
        return (Vec::new(), (numbers[0] == target).then(|| numbers[0].to_string()));
    }
    let failed = mark_visited.then(std::collections::HashSet::new);
    let mut search = Search { target, budget: NODE_BUDGET, lines: Vec::new(), rng, failed };
    match search.dfs(&root(numbers)) {
        Outcome::Found(item) => (search.lines, Some(item.shown.text)),
        Outcome::Failed | Outcome::OutOfBudget => (search.lines, None),
    }
}

/// A search trace, its answer, and whether the search itself found it (else the node budget ran
/// out, or nothing was found, and the solver's path was appended).
pub fn traced_search(
    numbers: &[i64],
    target: i64,
    rng: &mut dyn RngCore,
    mark_visited: bool,
) -> Option<(Vec<String>, String, bool)> {
    let (mut lines, found) = own_search(numbers, target, &mut *rng, mark_visited);
    if let Some(answer) = found {
        return Some((lines, answer, true));
    }
    if numbers.len() == 1 {
        return None;
    }
    let path = solution(numbers, target, rng)?;
    lines.push(format!("back {}", list(numbers)));
    let (tail, answer) = walk(numbers, target, &path, true);
    lines.extend(tail);
    Some((lines, answer, false))
}

/// The `stream` trace: the `visited` search as it ran, kept whether or not it reached the target
/// (see the module doc); a search that ran out answers [`NO_SOLUTION`].
pub fn stream_trace(numbers: &[i64], target: i64, rng: &mut dyn RngCore) -> (Vec<String>, String) {
    let (lines, found) = own_search(numbers, target, rng, true);
    (lines, found.unwrap_or_else(|| NO_SOLUTION.to_string()))
}
