//! Step-level beam search guided by a process verifier, as in search-and-learn
//! (Beeching, Tunstall & Rush 2024; Snell et al. 2024): N partial solutions are alive; every
//! step each is extended by one line, the PRM scores the new last steps, the best N/M are kept and
//! each is expanded M times. Finished solutions leave the beam; the search ends when N have
//! finished or none is alive, and the answer is the finished solution with the highest score.
//!
//! Expansions of one beam share its prefix, so the generator prefills it once and forks the KV
//! cache for the M continuations. Departure from search-and-learn: no "lookahead" rollouts and
//! a fixed step cap (`max_steps`) instead of a token-count loop.

use deepthink_model::FinishReason;
use deepthink_tasks::{Problem, PromptStyle, Task};

use crate::error::SearchError;
use crate::generator::Generator;
use crate::scorer::{rank, Scorer};
use crate::spend::Spend;
use crate::steps::{search_width, step_and_score, step_seed, Path, StepRequest};
use crate::strategy::{questions, Budget, Solution, Strategy};

pub struct BeamSearch<'s> {
    pub scorer: &'s dyn Scorer,
    pub prompt: PromptStyle,
    pub temperature: f32,
    pub seed: u64,
    /// M: expansions per kept beam.
    pub width: usize,
    /// Give up after this many steps (reasoning lines).
    pub max_steps: usize,
}

impl Strategy for BeamSearch<'_> {
    fn name(&self) -> &'static str {
        "beam"
    }

    fn solve(
        &self,
        task: &dyn Task,
        problems: &[Problem],
        gen: &dyn Generator,
        budget: Budget,
    ) -> Result<Vec<Solution>, SearchError> {
        let (n, m) = search_width(budget, self.width)?;
        let keep = (n / m).max(1);
        let qs = questions(task, problems, self.prompt);
        let mut spend = vec![Spend::default(); problems.len()];
        let mut active: Vec<Vec<Path>> = vec![vec![Path::default(); n]; problems.len()];
        let mut done: Vec<Vec<Path>> = vec![Vec::new(); problems.len()];
        for depth in 0..self.max_steps {
            let reqs: Vec<StepRequest> = active
                .iter()
                .enumerate()
                .flat_map(|(i, paths)| {
                    let q = qs[i].as_str();
                    paths.iter().enumerate().map(move |(j, path)| StepRequest {
                        problem: i,
                        question: q,
                        path,
                        seed: step_seed(self.seed, i, depth, j),
                    })
                })
                .collect();
            if reqs.is_empty() {
                break;
            }
            let (next, owner) = step_and_score(
                gen,
                self.scorer,
                task,
                problems,
                &qs,
                &reqs,
                self.temperature,
                budget.max_new_tokens,
                &mut spend,
            )?;
            drop(reqs);
            let mut partial: Vec<Vec<Path>> = vec![Vec::new(); problems.len()];
            for (p, &i) in next.into_iter().zip(&owner) {
                if p.complete {
                    done[i].push(p);
                } else {
                    partial[i].push(p);
                }
            }
            for (i, mut cands) in partial.into_iter().enumerate() {
                if done[i].len() >= n || cands.is_empty() {
                    active[i].clear();
                    continue;
                }
                cands.sort_by(|a, b| rank(b.score).total_cmp(&rank(a.score)));
                cands.truncate(keep);
                active[i] = cands.iter().flat_map(|p| std::iter::repeat_n(p.clone(), m)).collect();
            }
        }
        Ok(finish(gen, task, problems, &done, &active, &spend))
    }
}

/// The best finished path of each problem (or, if none finished, the best unfinished one,
/// which has no answer).
pub(crate) fn finish(
    gen: &dyn Generator,
    task: &dyn Task,
    problems: &[Problem],
    done: &[Vec<Path>],
    active: &[Vec<Path>],
    spend: &[Spend],
) -> Vec<Solution> {
    problems
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let pool = if done[i].is_empty() { &active[i] } else { &done[i] };
            match pool.iter().reduce(|a, b| if rank(b.score) > rank(a.score) { b } else { a }) {
                Some(best) => {
                    let completion = best.completion();
                    let answer = if best.complete { task.verify(p, &completion).answer } else { None };
                    spend[i].solution(gen, answer, completion, best.finish)
                }
                None => spend[i].solution(gen, None, String::new(), FinishReason::Length),
            }
        })
        .collect()
}
