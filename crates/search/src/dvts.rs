//! Diverse verifier tree search (Beeching, Tunstall & Rush 2024): split the N-candidate budget
//! into N/M independent subtrees; at every step each subtree extends its current partial solution
//! M ways and greedily keeps the one the PRM scores highest. Independent subtrees keep the
//! diversity that beam search loses when a few high-scoring prefixes crowd out the rest — which
//! is why search-and-learn found DVTS ahead of beam search at large N. The answer is the
//! highest-scored finished subtree.

use deepthink_tasks::{Problem, PromptStyle, Task};

use crate::beam::finish;
use crate::error::SearchError;
use crate::generator::Generator;
use crate::scorer::{rank, Scorer};
use crate::spend::Spend;
use crate::steps::{search_width, step_and_score, step_seed, Path, StepRequest};
use crate::strategy::{questions, Budget, Solution, Strategy};

pub struct Dvts<'s> {
    pub scorer: &'s dyn Scorer,
    pub prompt: PromptStyle,
    pub temperature: f32,
    pub seed: u64,
    /// M: expansions per subtree per step.
    pub width: usize,
    pub max_steps: usize,
}

impl Strategy for Dvts<'_> {
    fn name(&self) -> &'static str {
        "dvts"
    }

    fn solve(
        &self,
        task: &dyn Task,
        problems: &[Problem],
        gen: &dyn Generator,
        budget: Budget,
    ) -> Result<Vec<Solution>, SearchError> {
        let (n, m) = search_width(budget, self.width)?;
        let subtrees = (n / m).max(1);
        let qs = questions(task, problems, self.prompt);
        let mut spend = vec![Spend::default(); problems.len()];
        // (problem, subtree) → current head; finished subtrees move to `done`.
        let mut heads: Vec<Vec<Path>> = vec![vec![Path::default(); subtrees]; problems.len()];
        let mut done: Vec<Vec<Path>> = vec![Vec::new(); problems.len()];
        for depth in 0..self.max_steps {
            let mut reqs = Vec::new();
            for (i, hs) in heads.iter().enumerate() {
                for (t, h) in hs.iter().enumerate() {
                    for k in 0..m {
                        let seed = step_seed(self.seed, i, depth, t * m + k);
                        reqs.push(StepRequest { problem: i, question: &qs[i], path: h, seed });
                    }
                }
            }
            if reqs.is_empty() {
                break;
            }
            let (next, _) = step_and_score(
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
            let mut groups = next.chunks(m);
            for (i, hs) in heads.iter_mut().enumerate() {
                let mut kept = Vec::with_capacity(hs.len());
                for _ in 0..hs.len() {
                    let Some(group) = groups.next() else { break };
                    let Some(best) = group.iter().reduce(|a, b| if rank(b.score) > rank(a.score) { b } else { a })
                    else {
                        continue;
                    };
                    if best.complete {
                        done[i].push(best.clone());
                    } else {
                        kept.push(best.clone());
                    }
                }
                *hs = kept;
            }
        }
        Ok(finish(gen, task, problems, &done, &heads, &spend))
    }
}
