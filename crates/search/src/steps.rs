//! Step-level generation for tree search: extend partial solutions by exactly one reasoning line
//! (stop at the newline), or, when the model closes its think block, by the answer to the end.
//! Shared by `beam`, `dvts` and `mcts`, so a "step" means the same everywhere (docs/architecture.md: one
//! reasoning step per line).

use deepthink_model::FinishReason;
use deepthink_tasks::{Problem, Task};

use crate::error::SearchError;
use crate::generator::{Generator, Request};
use crate::scorer::{ScoreItem, Scorer};
use crate::spend::Spend;
use crate::strategy::Budget;

/// A partial (or complete) solution.
#[derive(Clone, Debug, Default)]
pub struct Path {
    /// What the chat template pre-filled (the generator's [`Generator::prefill`], set when the
    /// path is first extended).
    pub prefill: String,
    /// Assistant text after the pre-fill.
    pub text: String,
    /// Tokens generated along this path.
    pub tokens: usize,
    /// Finished: the answer is written (or the token budget ran out).
    pub complete: bool,
    /// Why the last generation along it ended (`Length` also when the budget ran out).
    pub finish: FinishReason,
    /// The verifier's score of the last step (NaN before scoring).
    pub score: f32,
}

impl Path {
    /// The assistant turn this path has written.
    pub fn completion(&self) -> String {
        format!("{}{}", self.prefill, self.text)
    }
}

/// One path to extend by a step: which problem it belongs to and its seed.
pub struct StepRequest<'a> {
    pub problem: usize,
    pub question: &'a str,
    pub path: &'a Path,
    pub seed: u64,
}

/// Extend every request by one step at `temperature`, charging each problem's `spend`.
/// A path that reaches `max_new_tokens` is complete (truncated).
pub fn extend(
    gen: &dyn Generator,
    reqs: &[StepRequest],
    temperature: f32,
    max_new_tokens: usize,
    spend: &mut [Spend],
) -> Result<Vec<Path>, SearchError> {
    let mut out: Vec<Path> =
        reqs.iter().map(|r| Path { prefill: gen.prefill().to_string(), ..r.path.clone() }).collect();
    let mut first = Vec::new();
    let mut index = Vec::new();
    for (k, r) in reqs.iter().enumerate() {
        let left = max_new_tokens.saturating_sub(r.path.tokens);
        if left == 0 || r.path.complete {
            if !out[k].complete {
                out[k].finish = FinishReason::Length;
            }
            out[k].complete = true;
            continue;
        }
        first.push(request(r, &r.path.text, left, temperature, true));
        index.push(k);
    }
    let got = gen.generate(&first)?;
    // The think block was closed on this line: finish the answer in a second call.
    let mut second = Vec::new();
    let mut second_index = Vec::new();
    for (c, &k) in got.iter().zip(&index) {
        spend[reqs[k].problem].add_continuation(gen, c);
        let p = &mut out[k];
        p.text.push_str(&c.text);
        p.tokens += c.tokens;
        let ended_line = c.finish == FinishReason::Stop && c.text.ends_with('\n');
        let left = max_new_tokens.saturating_sub(p.tokens);
        p.finish = if ended_line && left == 0 { FinishReason::Length } else { c.finish };
        if !ended_line || left == 0 {
            p.complete = true;
        } else if c.text.contains("</think>") {
            second.push(request(&reqs[k], &p.text, left, temperature, false));
            second_index.push(k);
        }
    }
    for (c, &k) in gen.generate(&second)?.iter().zip(&second_index) {
        spend[reqs[k].problem].add_continuation(gen, c);
        let p = &mut out[k];
        p.text.push_str(&c.text);
        p.tokens += c.tokens;
        p.complete = true;
        p.finish = c.finish;
    }
    for p in &mut out {
        p.score = f32::NAN;
    }
    Ok(out)
}

fn request(r: &StepRequest, prefix: &str, left: usize, temperature: f32, one_line: bool) -> Request {
    let mut req = Request::sampled(r.question, prefix, temperature, left, r.seed);
    if one_line {
        req.stop.push("\n".to_string());
    }
    req
}

/// Score each path (its last step, or its answer when complete), charging `spend[owner[k]]`.
pub fn score_paths(
    scorer: &dyn Scorer,
    task: &dyn Task,
    problems: &[Problem],
    questions: &[String],
    owner: &[usize],
    paths: &mut [Path],
    spend: &mut [Spend],
) -> Result<(), SearchError> {
    let completions: Vec<String> = paths.iter().map(Path::completion).collect();
    let items: Vec<ScoreItem> = owner
        .iter()
        .zip(&completions)
        .zip(paths.iter())
        .map(|((&i, c), p)| ScoreItem {
            problem: &problems[i],
            question: &questions[i],
            completion: c,
            complete: p.complete,
        })
        .collect();
    let scores = scorer.score(task, &items)?;
    for ((p, s), &i) in paths.iter_mut().zip(&scores).zip(owner) {
        p.score = s.last();
        spend[i].add_scores(s);
    }
    Ok(())
}

/// The seed of expansion `j` of problem `i` at depth `depth`: distinct for every choice a search
/// makes, and independent of the batch.
pub fn step_seed(seed: u64, i: usize, depth: usize, j: usize) -> u64 {
    let mut x = seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= (depth as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    x ^= (j as u64).wrapping_mul(0x1656_67B1_9E37_79F9);
    x
}

/// N and M of a step-level search (beams and expansions per beam): validates the budget and the
/// width, with M capped at N.
pub fn search_width(budget: Budget, width: usize) -> Result<(usize, usize), SearchError> {
    budget.validate()?;
    if width == 0 {
        return Err(SearchError::Config("`width` (M) must be at least 1, got 0".into()));
    }
    Ok((budget.samples, width.min(budget.samples)))
}

/// One round of step-level search: extend every request by a step, then score the new paths.
/// Returns the paths with the problem each belongs to.
#[allow(clippy::too_many_arguments)]
pub fn step_and_score(
    gen: &dyn Generator,
    scorer: &dyn Scorer,
    task: &dyn Task,
    problems: &[Problem],
    questions: &[String],
    reqs: &[StepRequest],
    temperature: f32,
    max_new_tokens: usize,
    spend: &mut [Spend],
) -> Result<(Vec<Path>, Vec<usize>), SearchError> {
    let owner: Vec<usize> = reqs.iter().map(|r| r.problem).collect();
    let mut next = extend(gen, reqs, temperature, max_new_tokens, spend)?;
    score_paths(scorer, task, problems, questions, &owner, &mut next, spend)?;
    Ok((next, owner))
}
