//! Whole solutions sampled in parallel, read by the task and (optionally) a verifier: the shared
//! first half of `majority`, `best-of-n`, `weighted-majority` and `adaptive-majority`, which differ
//! only in how they choose among the candidates.

use deepthink_model::FinishReason;
use deepthink_tasks::{Problem, Task};

use crate::error::SearchError;
use crate::generator::{Continuation, Generator, Request};
use crate::scorer::{ScoreItem, Scorer};
use crate::spend::Spend;
use crate::strategy::{completion_text, questions, sampled_requests, Budget, Solution};
use deepthink_tasks::PromptStyle;

/// One sampled solution.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// The assistant turn (the template's pre-fill included).
    pub completion: String,
    /// The final answer as the task reads it.
    pub answer: Option<String>,
    /// The answer under the task's `answer_key` (what votes are counted on).
    pub key: Option<String>,
    /// The verifier's outcome score (NaN when no verifier was asked).
    pub score: f32,
    /// The policy's own confidence in what it wrote: the lowest probability it gave any token of
    /// the completion, as sampled (DeepConf's lowest confidence, one token as the group). NaN when
    /// the request asked for no log-probabilities.
    pub confidence: f32,
    /// Why its generation ended.
    pub finish: FinishReason,
}

impl Candidate {
    /// Reads a continuation of an empty prefix from `gen`.
    pub fn read(task: &dyn Task, p: &Problem, gen: &dyn Generator, c: &Continuation) -> Candidate {
        let completion = completion_text(gen, c);
        let answer = task.verify(p, &completion).answer;
        let key = answer.as_deref().and_then(|a| task.answer_key(p, a));
        Candidate {
            completion,
            answer,
            key,
            score: f32::NAN,
            confidence: lowest_probability(&c.logprobs),
            finish: c.finish,
        }
    }
}

/// The lowest probability among `logprobs` (NaN when there are none).
pub fn lowest_probability(logprobs: &[f32]) -> f32 {
    if logprobs.is_empty() {
        return f32::NAN;
    }
    logprobs.iter().fold(1.0f32, |low, &lp| low.min(lp.exp()))
}

/// Generate `requests` (grouped by problem: `per_problem[i]` requests for problem `i`, in order),
/// read each completion, and score them all with `scorer` if given. Returns each problem's
/// candidates and what they cost.
pub fn sample_candidates(
    task: &dyn Task,
    problems: &[&Problem],
    questions: &[&str],
    requests: &[Request],
    per_problem: &[usize],
    gen: &dyn Generator,
    scorer: Option<&dyn Scorer>,
) -> Result<Vec<(Vec<Candidate>, Spend)>, SearchError> {
    let outs = gen.generate(requests)?;
    let mut result = Vec::with_capacity(problems.len());
    let mut at = 0;
    for (i, &p) in problems.iter().enumerate() {
        let group = &outs[at..at + per_problem[i]];
        at += per_problem[i];
        let mut spend = Spend::default();
        let mut cands = Vec::with_capacity(group.len());
        for c in group {
            spend.add_continuation(gen, c);
            cands.push(Candidate::read(task, p, gen, c));
        }
        result.push((cands, spend));
    }
    if let Some(scorer) = scorer {
        let items: Vec<ScoreItem> = result
            .iter()
            .zip(problems.iter().zip(questions))
            .flat_map(|((cands, _), (&problem, &question))| {
                cands.iter().map(move |c| ScoreItem { problem, question, completion: &c.completion, complete: true })
            })
            .collect();
        let scores = scorer.score(task, &items)?;
        let mut it = scores.iter();
        for (cands, spend) in &mut result {
            for (c, s) in cands.iter_mut().zip(it.by_ref()) {
                c.score = s.last();
                spend.add_scores(s);
            }
        }
    }
    Ok(result)
}

/// The solution showing `chosen` (or, when nothing was chosen, the first candidate, with no
/// answer), at `spend`.
pub fn shown(gen: &dyn Generator, spend: &Spend, chosen: Option<&Candidate>, cands: &[Candidate]) -> Solution {
    let mut solution = match chosen {
        Some(c) => spend.solution(gen, c.answer.clone(), c.completion.clone(), c.finish),
        None => match cands.first() {
            Some(c) => spend.solution(gen, None, c.completion.clone(), c.finish),
            None => spend.solution(gen, None, String::new(), FinishReason::Length),
        },
    };
    solution.samples = cands.iter().map(|c| c.completion.clone()).collect();
    solution
}

/// How N parallel samples are drawn.
#[derive(Clone, Copy, Debug)]
pub struct Sampling {
    pub prompt: PromptStyle,
    pub temperature: f32,
    pub seed: u64,
}

/// The whole of a sample-then-choose strategy: `budget.samples` solutions per problem (one batch
/// for all problems), scored by `scorer` if given, and `choose` picks the answer among them. A
/// problem whose candidates all lack an answer shows its first completion, with no answer.
pub fn sample_and_choose(
    task: &dyn Task,
    problems: &[Problem],
    gen: &dyn Generator,
    budget: Budget,
    how: Sampling,
    scorer: Option<&dyn Scorer>,
    choose: fn(&[Candidate]) -> Option<&Candidate>,
) -> Result<Vec<Solution>, SearchError> {
    budget.validate()?;
    let n = budget.samples;
    let requests = sampled_requests(task, problems, how.prompt, how.temperature, how.seed, n, budget.max_new_tokens);
    let qs = questions(task, problems, how.prompt);
    let refs: Vec<&Problem> = problems.iter().collect();
    let q: Vec<&str> = qs.iter().map(String::as_str).collect();
    let groups = sample_candidates(task, &refs, &q, &requests, &vec![n; problems.len()], gen, scorer)?;
    Ok(groups.iter().map(|(cands, spend)| shown(gen, spend, choose(cands), cands)).collect())
}

/// A candidate whose answer (and vote key) is `key`, for tests of the choosing rules.
#[cfg(test)]
pub(crate) fn with_key(key: Option<&str>) -> Candidate {
    Candidate {
        completion: String::new(),
        answer: key.map(str::to_string),
        key: key.map(str::to_string),
        score: f32::NAN,
        confidence: f32::NAN,
        finish: FinishReason::Stop,
    }
}
