//! Monte-Carlo tree search over reasoning steps, with the verifier as the value function.
//!
//! Nodes are reasoning lines (the root is the empty reasoning). Each of the N simulations per
//! problem: *select* by UCT from the root (Kocsis & Szepesvári 2006), stopping at a node that may
//! still grow a child under progressive widening (at most ⌈√visits⌉ children; Coulom 2007) or at a
//! finished solution; *expand* by sampling one rollout from that node to the end of the answer,
//! inserted as a chain of step nodes (merged with an identical existing child); *evaluate* the
//! finished rollout with the verifier's outcome score; *back up* that value along the path.
//! The answer is the finished solution with the highest mean backed-up value (rStar and
//! ReST-MCTS* also answer with the best-rewarded trajectory; the most-visited path, AlphaZero's
//! choice, needs far more simulations than the N ≤ 64 compared here). All problems run their simulations in lock-step, so every rollout of
//! a simulation round goes to the generator in one batch.
//!
//! Departures from AlphaZero-style MCTS (as in rStar / ReST-MCTS*): no policy prior in the
//! selection rule, and whole rollouts instead of one step per expansion, so a simulation costs at
//! most one sampled solution and N is comparable with the other strategies' N.

use deepthink_model::FinishReason;
use deepthink_tasks::{Problem, PromptStyle, Task};

use crate::error::SearchError;
use crate::generator::{Generator, Request};
use crate::scorer::{ScoreItem, Scorer};
use crate::spend::Spend;
use crate::steps::step_seed;
use crate::strategy::{questions, Budget, Solution, Strategy};

pub struct Mcts<'s> {
    pub scorer: &'s dyn Scorer,
    pub prompt: PromptStyle,
    pub temperature: f32,
    pub seed: u64,
    /// UCT exploration constant (values are in [0, 1]).
    pub exploration: f64,
}

#[derive(Clone, Debug)]
struct Node {
    /// The step this node adds (a reasoning line with its newline, or the answer part).
    step: String,
    /// Assistant text from the root to here (after `<think>\n`).
    text: String,
    /// Tokens generated from the root to here (apportioned by characters within a rollout).
    tokens: usize,
    complete: bool,
    /// How the rollout that ended here stopped (`None` for a node no rollout ended at).
    finish: Option<FinishReason>,
    children: Vec<usize>,
    visits: u32,
    value: f64,
}

impl Node {
    fn mean(&self) -> f64 {
        if self.visits == 0 {
            0.0
        } else {
            self.value / f64::from(self.visits)
        }
    }
}

/// One problem's search tree.
struct Tree {
    nodes: Vec<Node>,
}

impl Tree {
    fn new() -> Self {
        let root = Node {
            step: String::new(),
            text: String::new(),
            tokens: 0,
            complete: false,
            finish: None,
            children: Vec::new(),
            visits: 0,
            value: 0.0,
        };
        Tree { nodes: vec![root] }
    }

    /// The path from the root to the node where this simulation expands (or a finished leaf).
    fn select(&self, c: f64) -> Vec<usize> {
        let mut path = vec![0];
        loop {
            let u = &self.nodes[path[path.len() - 1]];
            let widen = (f64::from(u.visits).sqrt().ceil() as usize).max(1);
            if u.complete || u.children.len() < widen {
                return path;
            }
            let ln_n = f64::from(u.visits.max(1)).ln();
            let uct = |k: usize| {
                let ch = &self.nodes[k];
                ch.mean() + c * (ln_n / f64::from(ch.visits.max(1))).sqrt()
            };
            let best = u.children.iter().copied().reduce(|a, b| if uct(b) > uct(a) { b } else { a });
            match best {
                Some(b) => path.push(b),
                None => return path,
            }
        }
    }

    /// Insert a rollout continuing `from`, line by line; returns the nodes it passed through.
    fn insert(&mut self, from: usize, text: &str, tokens: usize, finish: FinishReason) -> Vec<usize> {
        let mut at = from;
        let mut added = Vec::new();
        let (reasoning, answer) = match text.find("</think>") {
            Some(i) => (&text[..i], &text[i..]),
            None => (text, ""),
        };
        let mut segments: Vec<&str> = reasoning.split_inclusive('\n').collect();
        if !answer.is_empty() {
            segments.push(answer);
        }
        let chars = text.len().max(1);
        let count = segments.len();
        for (s, seg) in segments.into_iter().enumerate() {
            let last = s + 1 == count;
            let existing = self.nodes[at].children.iter().copied().find(|&k| self.nodes[k].step == seg);
            at = match existing {
                Some(k) => k,
                None => {
                    let parent = &self.nodes[at];
                    let node = Node {
                        step: seg.to_string(),
                        text: format!("{}{}", parent.text, seg),
                        tokens: parent.tokens + (tokens * seg.len()).div_ceil(chars),
                        complete: last,
                        finish: last.then_some(finish),
                        children: Vec::new(),
                        visits: 0,
                        value: 0.0,
                    };
                    self.nodes.push(node);
                    let k = self.nodes.len() - 1;
                    self.nodes[at].children.push(k);
                    k
                }
            };
            added.push(at);
        }
        added
    }

    fn backup(&mut self, path: &[usize], value: f64) {
        for &k in path {
            self.nodes[k].visits += 1;
            self.nodes[k].value += value;
        }
    }

    /// The answer: the finished solution with the highest mean value (ties: more visits; then the
    /// earliest), or, if nothing finished, the deepest node along the most-visited path.
    fn best_leaf(&self) -> usize {
        let key = |k: usize| (self.nodes[k].mean(), self.nodes[k].visits);
        let finished = (0..self.nodes.len()).filter(|&k| self.nodes[k].complete).reduce(|a, b| {
            let ((ma, va), (mb, vb)) = (key(a), key(b));
            if mb > ma || (mb == ma && vb > va) {
                b
            } else {
                a
            }
        });
        if let Some(k) = finished {
            return k;
        }
        let mut u = 0;
        while let Some(&b) = self.nodes[u].children.iter().max_by_key(|&&k| self.nodes[k].visits) {
            u = b;
        }
        u
    }
}

impl Strategy for Mcts<'_> {
    fn name(&self) -> &'static str {
        "mcts"
    }

    fn solve(
        &self,
        task: &dyn Task,
        problems: &[Problem],
        gen: &dyn Generator,
        budget: Budget,
    ) -> Result<Vec<Solution>, SearchError> {
        budget.validate()?;
        if !(self.exploration >= 0.0 && self.exploration.is_finite()) {
            return Err(SearchError::Config(format!("`exploration` must be ≥ 0, got {}", self.exploration)));
        }
        let qs = questions(task, problems, self.prompt);
        let mut trees: Vec<Tree> = problems.iter().map(|_| Tree::new()).collect();
        let mut spend = vec![Spend::default(); problems.len()];
        for sim in 0..budget.samples {
            let paths: Vec<Vec<usize>> = trees.iter().map(|t| t.select(self.exploration)).collect();
            let mut requests = Vec::new();
            let mut expanding = Vec::new();
            for (i, (t, path)) in trees.iter().zip(&paths).enumerate() {
                let leaf = &t.nodes[path[path.len() - 1]];
                let left = budget.max_new_tokens.saturating_sub(leaf.tokens);
                if leaf.complete || left == 0 {
                    continue;
                }
                let seed = step_seed(self.seed, i, sim, 0);
                requests.push(Request::sampled(qs[i].clone(), leaf.text.clone(), self.temperature, left, seed));
                expanding.push(i);
            }
            let outs = gen.generate(&requests)?;
            // Each problem's path for this simulation, extended by its rollout's new nodes.
            let mut full = paths;
            for (c, &i) in outs.iter().zip(&expanding) {
                spend[i].add_continuation(gen, c);
                let from = full[i][full[i].len() - 1];
                let added = trees[i].insert(from, &c.text, c.tokens, c.finish);
                full[i].extend(added);
            }
            let leaves: Vec<(usize, String)> = full
                .iter()
                .enumerate()
                .map(|(i, p)| (i, format!("{}{}", gen.prefill(), trees[i].nodes[p[p.len() - 1]].text)))
                .collect();
            let items: Vec<ScoreItem> = leaves
                .iter()
                .map(|(i, c)| ScoreItem { problem: &problems[*i], question: &qs[*i], completion: c, complete: true })
                .collect();
            let scores = self.scorer.score(task, &items)?;
            for ((i, _), s) in leaves.iter().zip(&scores) {
                spend[*i].add_scores(s);
                let v = f64::from(s.last());
                // A non-finite value backs up as 0 (the worst), so it cannot poison the means.
                trees[*i].backup(&full[*i], if v.is_finite() { v } else { 0.0 });
            }
        }
        Ok(trees
            .iter()
            .zip(problems)
            .zip(&spend)
            .map(|((t, p), s)| {
                let leaf = &t.nodes[t.best_leaf()];
                let completion = format!("{}{}", gen.prefill(), leaf.text);
                let answer = if leaf.complete { task.verify(p, &completion).answer } else { None };
                s.solution(gen, answer, completion, leaf.finish.unwrap_or(FinishReason::Length))
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rollouts_share_their_common_steps() {
        let mut t = Tree::new();
        let a = t.insert(0, "1\n2\n</think>\n\n3", 14, FinishReason::Stop);
        let b = t.insert(0, "1\n5\n</think>\n\n6", 14, FinishReason::Stop);
        assert_eq!(a.len(), 3);
        assert_eq!(a[0], b[0], "the shared first line is one node");
        assert_ne!(a[1], b[1]);
        assert!(t.nodes[a[2]].complete && t.nodes[a[2]].text == "1\n2\n</think>\n\n3");
        t.backup(&[0, a[0], a[1], a[2]], 1.0);
        t.backup(&[0, b[0], b[1], b[2]], 0.0);
        t.backup(&[0, a[0], a[1], a[2]], 1.0);
        assert_eq!(t.best_leaf(), a[2]);
        // the root has been visited 3 times: it may hold 2 children, it has 1, so it expands
        assert_eq!(t.select(1.0), vec![0]);
    }
}
