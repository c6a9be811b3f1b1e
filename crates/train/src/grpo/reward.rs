//! Rewards for RL, combined with weights (docs/architecture.md), as in DeepSeek-R1-Zero — an accuracy reward
//! from a [`Verifier`] (the task's checker, or one outside the process) and a format reward for the
//! think block; nothing rewards *how* the model reasons. A reward scores a whole batch at once, so
//! the accuracy reward makes one verifier call per step; rewards that are plain functions of one
//! completion are wrapped with [`Weighted::per_item`]. [`reward_by_name`] is the registry.
//!
//! **Truncated completions** (cut off at the generation cap) have no answer, so they score 0 on
//! accuracy and format: the cap is part of the task. The trainer reports the truncated fraction
//! every step — when it nears 1, every reward is 0, every advantage is 0 and learning stops (the
//! failure users of other trainers report most); raise the cap or add the `overlong` shaping term,
//! which makes the last `buffer` tokens before the cap cost progressively more (DAPO's soft
//! overlong punishment, Yu et al. 2025), so the gradient points away from the cap before it hits.
//!
//! A reward that panics or returns a non-finite value scores 0 for that completion, and the
//! trainer logs which reward, which prompt and what happened — a long run does not die on one bad
//! completion. When the verifier fails a whole batch (an external process that crashed, hung or
//! wrote garbage), the accuracy reward asks it again one completion at a time, so only the
//! completions it cannot score get 0, each reported with its prompt; after [`RETRY_FAILURES`]
//! failures in a row the rest of the batch is not retried (a verifier that is simply broken costs
//! a few restarts a step, not one per completion).

use std::panic::{catch_unwind, AssertUnwindSafe};

use deepthink_tasks::length_target::target_in_prompt;
use deepthink_tasks::{check_batch, text, Attempt, Checked, Problem, Verifier};

/// A completion to reward.
#[derive(Clone, Copy, Debug)]
pub struct Sampled<'a> {
    /// The assistant turn (starting with the template's pre-fill).
    pub completion: &'a str,
    /// Tokens generated.
    pub tokens: usize,
    /// Cut off by the generation cap.
    pub truncated: bool,
}

/// One completion of a batch, with the problem and prompt it answers.
#[derive(Clone, Copy, Debug)]
pub struct RewardItem<'a> {
    pub problem: &'a Problem,
    pub prompt: &'a str,
    pub sampled: Sampled<'a>,
}

type PerItem = Box<dyn Fn(&RewardItem) -> f32 + Send + Sync>;
/// One value (or why there is none) per item, or a failure of the whole batch.
type BatchValues = Result<Vec<Result<f32, String>>, String>;
type Batched = Box<dyn Fn(&dyn Verifier, &[RewardItem]) -> BatchValues + Send + Sync>;

enum Scoring {
    PerItem(PerItem),
    Batched(Batched),
}

/// A named reward with its weight, counted from step `from_step` on (a warm-up).
pub struct Weighted {
    pub name: String,
    pub weight: f32,
    pub from_step: u64,
    scoring: Scoring,
}

impl Weighted {
    /// A reward computed for each completion on its own.
    pub fn per_item(name: &str, f: impl Fn(&RewardItem) -> f32 + Send + Sync + 'static) -> Weighted {
        Weighted { name: name.into(), weight: 1.0, from_step: 0, scoring: Scoring::PerItem(Box::new(f)) }
    }

    /// A reward computed for the whole batch in one call (one value, or why there is none, per
    /// item, in order).
    pub fn batched(
        name: &str,
        f: impl Fn(&dyn Verifier, &[RewardItem]) -> BatchValues + Send + Sync + 'static,
    ) -> Weighted {
        Weighted { name: name.into(), weight: 1.0, from_step: 0, scoring: Scoring::Batched(Box::new(f)) }
    }

    /// The same reward with another weight.
    pub fn weighted(self, weight: f32) -> Weighted {
        Weighted { weight, ..self }
    }

    /// The same reward, counted only from step `step` on.
    pub fn starting_at(self, step: u64) -> Weighted {
        Weighted { from_step: step, ..self }
    }
}

/// The rewards [`reward_by_name`] knows.
pub const REWARD_NAMES: &[&str] =
    &["accuracy", "format", "overlong", "length", "l1-exact", "l1-max", "no-think", "language"];

/// A reward by its config name; `overlong` ramps over the last quarter of `max_new_tokens`;
/// `length` is Kimi's group-relative length penalty over groups of `group` completions.
pub fn reward_by_name(name: &str, weight: f32, max_new_tokens: usize, group: usize) -> Result<Weighted, String> {
    let reward = match name {
        "accuracy" => accuracy(),
        "format" => format(),
        "overlong" => overlong(max_new_tokens, max_new_tokens / 4),
        "length" => kimi_length(group),
        "l1-exact" => l1_exact(L1_ALPHA),
        "l1-max" => l1_max(L1_ALPHA, L1_DELTA),
        "no-think" => no_think(),
        "language" => language(),
        other => return Err(format!("unknown reward `{other}`; known: {}", REWARD_NAMES.join(", "))),
    };
    Ok(reward.weighted(weight))
}

/// Single-completion retries after a failed batch stop after this many failures in a row.
pub const RETRY_FAILURES: usize = 3;

/// 1 for a right final answer, else 0 — or the verifier's graded score when it gives one (an
/// external verifier's `{"score": 0..1}`); truncated completions are not checked: 0. One verifier
/// call for the batch; if that call fails, one call per completion (see the module doc).
pub fn accuracy() -> Weighted {
    Weighted::batched("accuracy", accuracy_values)
}

/// The accuracy reward's values for a batch: what `accuracy`, `length` and `l1-max` all start from.
fn accuracy_values(verifier: &dyn Verifier, items: &[RewardItem]) -> BatchValues {
    let open: Vec<usize> = (0..items.len()).filter(|&k| !items[k].sampled.truncated).collect();
    let attempts: Vec<Attempt> =
        open.iter().map(|&k| Attempt { problem: items[k].problem, completion: items[k].sampled.completion }).collect();
    let checked: Vec<Result<f32, String>> = match check_batch(verifier, &attempts) {
        Ok(checked) => checked.iter().map(|c| Ok(c.reward())).collect(),
        Err(batch) => one_by_one(verifier, &attempts, &batch.to_string()),
    };
    let mut values = vec![Ok(0.0); items.len()];
    for (&k, c) in open.iter().zip(checked) {
        values[k] = c;
    }
    Ok(values)
}

/// Kimi k1.5's length penalty (Kimi Team 2025, 2501.12599), per group of `group` completions
/// (rollouts are group-major): λ = 0.5 − (len − min)/(max − min) over the group's lengths in
/// tokens; a right answer earns λ, a wrong one min(0, λ), and a group whose lengths are all equal
/// earns 0. Shorter right answers gain, longer wrong ones lose; a short wrong answer gains
/// nothing. Correctness is the verifier's, as for `accuracy` (truncated completions are wrong).
/// Kimi switches it on after a warm-up: `GrpoConfig::length_warmup`.
pub fn kimi_length(group: usize) -> Weighted {
    Weighted::batched("length", move |verifier, items| {
        let acc = accuracy_values(verifier, items)?;
        let right: Vec<bool> = acc.iter().map(|v| v.as_ref().is_ok_and(|&r| r >= 1.0)).collect();
        Ok(kimi_values(items, &right, group.max(1)).into_iter().map(Ok).collect())
    })
}

/// L1's α: reward lost per token away from the target. L1 uses 0.0003 for targets of thousands
/// of tokens; ours are tens to hundreds, so a 30-token miss costs 0.3 here as a 1,000-token miss
/// does there.
pub const L1_ALPHA: f32 = 0.01;
/// L1-Max's δ: the reward of a right answer exactly at the target.
pub const L1_DELTA: f32 = 0.5;

/// L1-Exact (Aggarwal & Welleck 2025): −α·|n_target − n| for a completion of n generated tokens
/// whose prompt asks `think for n_target tokens` (`tasks::length_target`); 0 when the prompt
/// names no target. With `accuracy` at weight 1 the sum is L1's 𝟙(right) − α|n_target − n|.
pub fn l1_exact(alpha: f32) -> Weighted {
    Weighted::per_item("l1-exact", move |item| match target_in_prompt(item.prompt) {
        Some(target) => -alpha * (target as f32 - item.sampled.tokens as f32).abs(),
        None => 0.0,
    })
}

/// L1-Max: 𝟙(right)·clip(α·(n_target − n) + δ, 0, 1) — a right answer under the target earns more
/// the shorter it is, one over it less, a wrong one nothing. It replaces `accuracy` (use it with
/// `format` only). A prompt without a target scores plain accuracy.
pub fn l1_max(alpha: f32, delta: f32) -> Weighted {
    Weighted::batched("l1-max", move |verifier, items| {
        let acc = accuracy_values(verifier, items)?;
        let value = |item: &RewardItem, right: f32| match target_in_prompt(item.prompt) {
            Some(t) => right * (alpha * (t as f32 - item.sampled.tokens as f32) + delta).clamp(0.0, 1.0),
            None => right,
        };
        Ok(items.iter().zip(acc).map(|(item, a)| a.map(|r| value(item, r))).collect())
    })
}

/// AdaptThink's bonus for answering without thinking (Zhang et al. 2025, 2505.13417): 1 for a
/// completion whose think block is empty and which gives an answer, else 0; its weight is
/// AdaptThink's δ (0.05 there). With `accuracy` the total is AdaptThink's 𝟙(right) + δ·𝟙(no think)
/// less its reference accuracy R̄_ref(x), a per-question constant that GRPO's group baseline
/// removes. So skipping the thinking pays only while it costs less than δ of accuracy: the
/// constraint "accuracy no worse than before" is what the small δ enforces. Use it with
/// `GrpoConfig::no_think_share`, which makes sure both modes are sampled.
pub fn no_think() -> Weighted {
    Weighted::per_item("no-think", |it| {
        let s = &it.sampled;
        let answered = !s.truncated && text::final_answer(s.completion).is_some();
        if answered && text::answers_without_thinking(s.completion) {
            1.0
        } else {
            0.0
        }
    })
}

/// DeepSeek-R1's language-consistency reward, for our two notations: the share of the reasoning's
/// numerals written in digits (`tasks::readability::notation_consistency`; 1 without numerals).
/// R1 adds it to the accuracy reward and reports a small accuracy cost for the readability.
pub fn language() -> Weighted {
    Weighted::per_item("language", |it| {
        deepthink_tasks::readability::notation_consistency(it.sampled.completion) as f32
    })
}

/// The length reward of each item, given which are right.
fn kimi_values(items: &[RewardItem], right: &[bool], group: usize) -> Vec<f32> {
    let mut out = vec![0.0; items.len()];
    for (g, chunk) in items.chunks(group).enumerate() {
        let lens: Vec<usize> = chunk.iter().map(|it| it.sampled.tokens).collect();
        let (lo, hi) = (lens.iter().copied().min().unwrap_or(0), lens.iter().copied().max().unwrap_or(0));
        if hi == lo {
            continue;
        }
        for (j, &len) in lens.iter().enumerate() {
            let lambda = 0.5 - (len - lo) as f32 / (hi - lo) as f32;
            let k = g * group + j;
            out[k] = if right[k] { lambda } else { lambda.min(0.0) };
        }
    }
    out
}

/// Each attempt checked on its own, after the batch of them failed with `batch`.
fn one_by_one(verifier: &dyn Verifier, attempts: &[Attempt], batch: &str) -> Vec<Result<f32, String>> {
    let mut failures_in_a_row = 0;
    let mut last = batch.to_string();
    attempts
        .iter()
        .map(|a| {
            if failures_in_a_row >= RETRY_FAILURES {
                return Err(format!("not retried ({RETRY_FAILURES} failures in a row): {last}"));
            }
            match check_batch(verifier, std::slice::from_ref(a)) {
                Ok(c) => {
                    failures_in_a_row = 0;
                    Ok(c.first().map_or(0.0, Checked::reward))
                }
                Err(e) => {
                    failures_in_a_row += 1;
                    last = e.to_string();
                    Err(last.clone())
                }
            }
        })
        .collect()
}

/// Exactly one well-formed think block (`<think>` … `</think>`) followed by a one-line answer,
/// in a completion that was not cut off.
pub fn well_formed(completion: &str, truncated: bool) -> bool {
    !truncated
        && completion.starts_with(text::THINK_OPEN)
        && completion.matches(text::THINK_OPEN).count() == 1
        && text::final_answer(completion).is_some()
}

/// 1 for a [`well_formed`] completion, else 0.
pub fn format() -> Weighted {
    Weighted::per_item("format", |it| if well_formed(it.sampled.completion, it.sampled.truncated) { 1.0 } else { 0.0 })
}

/// DAPO's soft overlong punishment: 0 up to `max_len − buffer` tokens, then falling linearly to
/// −1 at `max_len` (and −1 for a truncated completion).
pub fn overlong(max_len: usize, buffer: usize) -> Weighted {
    Weighted::per_item("overlong", move |it| {
        let s = &it.sampled;
        let free = max_len.saturating_sub(buffer);
        if s.truncated || s.tokens >= max_len {
            -1.0
        } else if s.tokens <= free {
            0.0
        } else {
            -((s.tokens - free) as f32) / buffer.max(1) as f32
        }
    })
}

/// A reward that could not be computed.
#[derive(Clone, Debug, PartialEq)]
pub struct RewardIssue {
    pub reward: String,
    pub prompt: String,
    pub what: String,
}

/// The text of a caught panic.
fn panic_text(e: &(dyn std::any::Any + Send)) -> String {
    e.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| e.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panicked".into())
}

/// One reward's raw values for every item, with the failures (each scored 0).
fn values_of(r: &Weighted, verifier: &dyn Verifier, items: &[RewardItem], issues: &mut Vec<RewardIssue>) -> Vec<f32> {
    let issue = |prompt: &str, what: String| RewardIssue { reward: r.name.clone(), prompt: prompt.to_string(), what };
    let raw: Vec<Result<f32, String>> = match &r.scoring {
        Scoring::PerItem(f) => items
            .iter()
            .map(|it| {
                catch_unwind(AssertUnwindSafe(|| f(it))).map_err(|e| format!("panicked: {}", panic_text(e.as_ref())))
            })
            .collect(),
        Scoring::Batched(f) => match catch_unwind(AssertUnwindSafe(|| f(verifier, items))) {
            Ok(Ok(v)) if v.len() == items.len() => v,
            Ok(Ok(v)) => {
                let what = format!("returned {} values for {} completions", v.len(), items.len());
                issues.push(issue(items.first().map_or("", |it| it.prompt), what));
                return vec![0.0; items.len()];
            }
            Ok(Err(why)) => {
                issues.push(issue(items.first().map_or("", |it| it.prompt), format!("failed for the batch: {why}")));
                return vec![0.0; items.len()];
            }
            Err(e) => {
                let what = format!("panicked for the batch: {}", panic_text(e.as_ref()));
                issues.push(issue(items.first().map_or("", |it| it.prompt), what));
                return vec![0.0; items.len()];
            }
        },
    };
    raw.into_iter()
        .zip(items)
        .map(|(v, it)| match v {
            Ok(v) if v.is_finite() => v,
            Ok(v) => {
                issues.push(issue(it.prompt, format!("returned {v}")));
                0.0
            }
            Err(what) => {
                issues.push(issue(it.prompt, what));
                0.0
            }
        })
        .collect()
}

/// The weighted total of every reward for each completion, each reward's raw values, and the
/// failures (each scored 0).
pub fn total_rewards(
    rewards: &[Weighted],
    verifier: &dyn Verifier,
    items: &[RewardItem],
) -> (Vec<f32>, Vec<Vec<f32>>, Vec<RewardIssue>) {
    total_rewards_at(rewards, verifier, items, u64::MAX)
}

/// [`total_rewards`] at training step `step`: a reward still in its warm-up (`from_step > step`)
/// is not computed and counts 0.
pub fn total_rewards_at(
    rewards: &[Weighted],
    verifier: &dyn Verifier,
    items: &[RewardItem],
    step: u64,
) -> (Vec<f32>, Vec<Vec<f32>>, Vec<RewardIssue>) {
    let mut totals = vec![0.0f32; items.len()];
    let mut per = Vec::with_capacity(rewards.len());
    let mut issues = Vec::new();
    for r in rewards {
        if r.from_step > step {
            per.push(vec![0.0; items.len()]);
            continue;
        }
        let values = values_of(r, verifier, items, &mut issues);
        for (t, v) in totals.iter_mut().zip(&values) {
            *t += r.weight * v;
        }
        per.push(values);
    }
    (totals, per, issues)
}

#[cfg(test)]
mod tests {
    use super::*;
    use deepthink_tasks::{task_by_name, TaskChecker, TaskConfig, TaskError, Verdict};

    fn item<'a>(
        p: &'a Problem,
        prompt: &'a str,
        completion: &'a str,
        tokens: usize,
        truncated: bool,
    ) -> RewardItem<'a> {
        RewardItem { problem: p, prompt, sampled: Sampled { completion, tokens, truncated } }
    }

    #[test]
    fn l1_rewards_follow_the_target_in_the_prompt() {
        let task = task_by_name("mult", &TaskConfig::default()).unwrap();
        let p = task.parse_question("12*3").unwrap();
        let (right, wrong) = ("<think>\n36\n</think>\n\n36", "<think>\n35\n</think>\n\n35");
        let q = "12*3\nthink for 40 tokens";
        let items = [
            item(&p, q, right, 40, false),
            item(&p, q, right, 70, false),
            item(&p, q, right, 10, false),
            item(&p, q, wrong, 40, false),
            item(&p, "12*3", right, 99, false),
        ];
        let checker = TaskChecker(task.as_ref());
        let (_, per, issues) = total_rewards(&[l1_exact(0.01)], &checker, &items);
        assert!(issues.is_empty(), "{issues:?}");
        let close = |a: &[f32], b: &[f32]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-6);
        assert!(close(&per[0], &[0.0, -0.3, -0.3, 0.0, 0.0]), "{:?}", per[0]);
        let (_, per, _) = total_rewards(&[l1_max(0.01, 0.5)], &checker, &items);
        assert!(close(&per[0], &[0.5, 0.2, 0.8, 0.0, 1.0]), "{:?}", per[0]);
    }

    #[test]
    fn the_no_think_bonus_goes_to_answers_with_an_empty_think_block() {
        let task = task_by_name("add", &TaskConfig::default()).unwrap();
        let p = task.parse_question("3+4").unwrap();
        let items = [
            item(&p, "3+4", "<think>\n\n</think>\n\n7", 5, false),
            item(&p, "3+4", "<think>\n\n</think>\n\n8", 5, false),
            item(&p, "3+4", "<think>\n3+4=7\n</think>\n\n7", 9, false),
            item(&p, "3+4", "<think>\n\n</think>\n\n", 4, false),
            item(&p, "3+4", "<think>\n\n", 2, true),
        ];
        let rewards = [accuracy(), no_think().weighted(0.05)];
        let (total, _, issues) = total_rewards(&rewards, &TaskChecker(task.as_ref()), &items);
        assert!(issues.is_empty(), "{issues:?}");
        let want = [1.05, 0.05, 1.0, 0.0, 0.0];
        assert!(total.iter().zip(want).all(|(t, w)| (t - w).abs() < 1e-6), "{total:?}");
    }

    #[test]
    fn the_language_reward_is_the_share_of_numerals_in_digits() {
        let task = task_by_name("mult", &TaskConfig::default()).unwrap();
        let p = task.parse_question("12*3").unwrap();
        let items = [
            item(&p, "12*3", "<think>\n12*3=36\n</think>\n\n36", 5, false),
            item(&p, "12*3", "<think>\n12*3=dg\n</think>\n\n36", 5, false),
        ];
        let (_, per, _) = total_rewards(&[language()], &TaskChecker(task.as_ref()), &items);
        assert_eq!(per[0], vec![1.0, 2.0 / 3.0]);
    }

    #[test]
    fn kimis_length_reward_favours_short_right_answers_within_each_group() {
        let task = task_by_name("mult", &TaskConfig::default()).unwrap();
        let p = task.parse_question("12*3").unwrap();
        let (right, wrong) = ("<think>\n36\n</think>\n\n36", "<think>\n35\n</think>\n\n35");
        // Group 1: lengths 10, 20, 30 (right, right, wrong); group 2: equal lengths.
        let items = [
            item(&p, "12*3", right, 10, false),
            item(&p, "12*3", right, 20, false),
            item(&p, "12*3", wrong, 30, false),
            item(&p, "12*3", right, 5, false),
            item(&p, "12*3", wrong, 5, false),
            item(&p, "12*3", right, 5, false),
        ];
        let (_, per, issues) = total_rewards(&[kimi_length(3)], &TaskChecker(task.as_ref()), &items);
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!(per[0], vec![0.5, 0.0, -0.5, 0.0, 0.0, 0.0]);
        let short_wrong = [item(&p, "q", wrong, 10, false), item(&p, "q", right, 30, false)];
        let (_, per, _) = total_rewards(&[kimi_length(2)], &TaskChecker(task.as_ref()), &short_wrong);
        assert_eq!(per[0], vec![0.0, -0.5], "a short wrong answer gains nothing; a long right one loses");
        let warm = kimi_length(3).starting_at(5);
        let (total, _, _) = total_rewards_at(&[warm], &TaskChecker(task.as_ref()), &items, 4);
        assert!(total.iter().all(|&t| t == 0.0), "still warming up");
    }

    #[test]
    fn accuracy_and_format_judge_the_answer_and_the_block() {
        let task = task_by_name("mult", &TaskConfig::default()).unwrap();
        let p = task.parse_question("12*3").unwrap();
        let items = [
            item(&p, "12*3", "<think>\n12*3=36\n</think>\n\n36", 10, false),
            item(&p, "12*3", "<think>\n12*3=35\n</think>\n\n35", 10, false),
            item(&p, "12*3", "36", 2, false),
            item(&p, "12*3", "<think>\n12*3=36\n</think>\n\n36", 10, true),
        ];
        let (total, per, issues) = total_rewards(&[accuracy(), format()], &TaskChecker(task.as_ref()), &items);
        assert_eq!(per[0], vec![1.0, 0.0, 0.0, 0.0]);
        assert_eq!(per[1], vec![1.0, 1.0, 0.0, 0.0]);
        assert_eq!(total, vec![2.0, 1.0, 0.0, 0.0]);
        assert!(issues.is_empty());
    }

    #[test]
    fn a_panicking_or_nan_reward_scores_zero_and_names_the_prompt() {
        let task = task_by_name("mult", &TaskConfig::default()).unwrap();
        let p = task.parse_question("12*3").unwrap();
        let bad = Weighted::per_item("bad", |it| if it.sampled.tokens > 3 { panic!("boom") } else { f32::NAN });
        let broken = Weighted::batched("broken", |_, _| Err("the verifier process exited".into()));
        let items = [item(&p, "12*3", "abcd", 4, false), item(&p, "7*7", "ab", 2, false)];
        let (total, _, issues) = total_rewards(&[bad, accuracy(), broken], &TaskChecker(task.as_ref()), &items);
        assert_eq!(total, vec![0.0, 0.0]);
        assert_eq!(issues.len(), 3);
        assert!(issues[0].what.contains("boom") && issues[0].prompt == "12*3");
        assert!(issues[1].what.contains("NaN") && issues[1].prompt == "7*7");
        assert!(issues[2].reward == "broken" && issues[2].what.contains("exited"), "{:?}", issues[2]);
    }

    /// Counts its calls and the attempts it saw.
    struct Counting(std::sync::Mutex<Vec<usize>>);

    impl Verifier for Counting {
        fn name(&self) -> String {
            "counting".into()
        }
        fn check(&self, attempts: &[Attempt<'_>]) -> Result<Vec<Checked>, TaskError> {
            self.0.lock().unwrap().push(attempts.len());
            Ok(attempts.iter().map(|_| Checked::new(Verdict::Correct, None)).collect())
        }
    }

    #[test]
    fn accuracy_calls_the_verifier_once_per_batch_and_skips_truncated_completions() {
        let task = task_by_name("mult", &TaskConfig::default()).unwrap();
        let p = task.parse_question("12*3").unwrap();
        let items: Vec<RewardItem> = (0..128).map(|k| item(&p, "12*3", "x", 1, k % 4 == 0)).collect();
        let verifier = Counting(Default::default());
        let (total, _, _) = total_rewards(&[accuracy()], &verifier, &items);
        assert_eq!(*verifier.0.lock().unwrap(), vec![96], "one call with the 96 untruncated completions");
        assert_eq!(total.iter().filter(|&&t| t == 1.0).count(), 96);
    }

    #[test]
    fn rewards_by_name_and_overlong_shaping() {
        assert!(reward_by_name("brevity", 1.0, 100, 4)
            .err()
            .unwrap()
            .contains("accuracy, format, overlong, length, l1-exact, l1-max"));
        let task = task_by_name("mult", &TaskConfig::default()).unwrap();
        let p = task.parse_question("12*3").unwrap();
        let o = reward_by_name("overlong", 2.0, 100, 4).unwrap();
        assert_eq!(o.weight, 2.0);
        let items = [item(&p, "", "", 70, false), item(&p, "", "", 90, false), item(&p, "", "", 100, false)];
        let (_, per, _) = total_rewards(&[o], &TaskChecker(task.as_ref()), &items);
        assert_eq!(per[0], vec![0.0, -0.6, -1.0]);
    }

    /// Gives every attempt a partial score.
    struct Graded;

    impl Verifier for Graded {
        fn name(&self) -> String {
            "graded".into()
        }
        fn check(&self, attempts: &[Attempt<'_>]) -> Result<Vec<Checked>, TaskError> {
            Ok(attempts.iter().map(|_| Checked { verdict: Verdict::Wrong, answer: None, score: Some(0.25) }).collect())
        }
    }

    #[test]
    fn a_graded_verifier_score_is_the_accuracy_reward() {
        let task = task_by_name("mult", &TaskConfig::default()).unwrap();
        let p = task.parse_question("12*3").unwrap();
        let items = [item(&p, "12*3", "x", 1, false), item(&p, "12*3", "x", 1, true)];
        let (total, _, _) = total_rewards(&[accuracy()], &Graded, &items);
        assert_eq!(total, vec![0.25, 0.0], "graded, and a truncated completion still scores 0");
    }

    /// Fails any batch holding a completion that contains "bad" (as a process that crashes on
    /// one line loses the whole batch); scores every other completion 1.
    struct FailsOnBad(std::sync::Mutex<usize>);

    impl Verifier for FailsOnBad {
        fn name(&self) -> String {
            "fails-on-bad".into()
        }
        fn check(&self, attempts: &[Attempt<'_>]) -> Result<Vec<Checked>, TaskError> {
            *self.0.lock().unwrap() += 1;
            if attempts.iter().any(|a| a.completion.contains("bad")) {
                return Err(TaskError::Verifier { name: self.name(), message: "exited".into() });
            }
            Ok(attempts.iter().map(|_| Checked::new(Verdict::Correct, None)).collect())
        }
    }

    #[test]
    fn a_failed_batch_is_rescored_item_by_item_and_only_the_faulty_item_scores_zero() {
        let task = task_by_name("mult", &TaskConfig::default()).unwrap();
        let p = task.parse_question("12*3").unwrap();
        let items = [item(&p, "a", "good", 1, false), item(&p, "b", "bad", 1, false), item(&p, "c", "good", 1, false)];
        let verifier = FailsOnBad(Default::default());
        let (total, _, issues) = total_rewards(&[accuracy()], &verifier, &items);
        assert_eq!(total, vec![1.0, 0.0, 1.0]);
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert!(issues[0].prompt == "b" && issues[0].what.contains("exited"), "{:?}", issues[0]);
        assert_eq!(*verifier.0.lock().unwrap(), 4, "the batch, then each of the three");
    }

    #[test]
    fn a_verifier_that_fails_everything_is_retried_only_a_few_times() {
        let task = task_by_name("mult", &TaskConfig::default()).unwrap();
        let p = task.parse_question("12*3").unwrap();
        let items: Vec<RewardItem> = (0..50).map(|_| item(&p, "q", "bad", 1, false)).collect();
        let verifier = FailsOnBad(Default::default());
        let (total, _, issues) = total_rewards(&[accuracy()], &verifier, &items);
        assert!(total.iter().all(|&t| t == 0.0));
        assert_eq!(issues.len(), 50, "every completion reported");
        assert_eq!(*verifier.0.lock().unwrap(), 1 + RETRY_FAILURES);
        assert!(issues[49].what.starts_with("not retried"), "{:?}", issues[49]);
    }
}
