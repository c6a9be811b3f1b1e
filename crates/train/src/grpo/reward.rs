//! Rewards for RL: plain functions of (task, problem, completion), combined with weights
//! (DESIGN.md), as in DeepSeek-R1-Zero — an accuracy reward from the task's verifier and a format
//! reward for the think block; nothing rewards *how* the model reasons.
//!
//! **Truncated completions** (cut off at the generation cap) have no answer, so they score 0 on
//! accuracy and format: the cap is part of the task. The trainer reports the truncated fraction
//! every step — when it nears 1, every reward is 0, every advantage is 0 and learning stops (the
//! failure users of other trainers report most); raise the cap or add the `overlong` shaping term,
//! which makes the last `buffer` tokens before the cap cost progressively more (DAPO's soft
//! overlong punishment, Yu et al. 2025), so the gradient points away from the cap before it hits.
//!
//! A reward function that panics or returns a non-finite value scores 0 for that completion, and
//! the trainer logs which function, which prompt and what happened — a long run does not die on one
//! bad completion.

use std::panic::{catch_unwind, AssertUnwindSafe};

use deepthink_tasks::{text, Problem, Task, Verdict};

/// A completion to reward.
#[derive(Clone, Copy, Debug)]
pub struct Sampled<'a> {
    /// The assistant turn (starting with the pre-filled `<think>\n`).
    pub completion: &'a str,
    /// Tokens generated.
    pub tokens: usize,
    /// Cut off by the generation cap.
    pub truncated: bool,
}

type RewardFn = Box<dyn Fn(&dyn Task, &Problem, &Sampled) -> f32 + Send + Sync>;

/// A named reward with its weight.
pub struct Weighted {
    pub name: String,
    pub weight: f32,
    pub f: RewardFn,
}

/// 1 for a right final answer, else 0.
pub fn accuracy() -> Weighted {
    Weighted {
        name: "accuracy".into(),
        weight: 1.0,
        f: Box::new(
            |task, p, s| {
                if !s.truncated && task.verify(p, s.completion).verdict == Verdict::Correct {
                    1.0
                } else {
                    0.0
                }
            },
        ),
    }
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
    Weighted {
        name: "format".into(),
        weight: 1.0,
        f: Box::new(|_, _, s| if well_formed(s.completion, s.truncated) { 1.0 } else { 0.0 }),
    }
}

/// DAPO's soft overlong punishment: 0 up to `max_len − buffer` tokens, then falling linearly to
/// −1 at `max_len` (and −1 for a truncated completion).
pub fn overlong(max_len: usize, buffer: usize) -> Weighted {
    Weighted {
        name: "overlong".into(),
        weight: 1.0,
        f: Box::new(move |_, _, s| {
            let free = max_len.saturating_sub(buffer);
            if s.truncated || s.tokens >= max_len {
                -1.0
            } else if s.tokens <= free {
                0.0
            } else {
                -((s.tokens - free) as f32) / buffer.max(1) as f32
            }
        }),
    }
}

/// A reward that could not be computed.
#[derive(Clone, Debug, PartialEq)]
pub struct RewardIssue {
    pub reward: String,
    pub prompt: String,
    pub what: String,
}

/// The weighted total of every reward for each completion, each reward's raw values, and the
/// failures (each scored 0).
pub fn total_rewards(
    rewards: &[Weighted],
    task: &dyn Task,
    items: &[(&Problem, &str, Sampled)],
) -> (Vec<f32>, Vec<Vec<f32>>, Vec<RewardIssue>) {
    let mut totals = vec![0.0f32; items.len()];
    let mut per = Vec::with_capacity(rewards.len());
    let mut issues = Vec::new();
    for r in rewards {
        let mut values = Vec::with_capacity(items.len());
        for (k, (p, prompt, s)) in items.iter().enumerate() {
            let v = match catch_unwind(AssertUnwindSafe(|| (r.f)(task, p, s))) {
                Ok(v) if v.is_finite() => v,
                Ok(v) => {
                    issues.push(RewardIssue {
                        reward: r.name.clone(),
                        prompt: prompt.to_string(),
                        what: format!("returned {v}"),
                    });
                    0.0
                }
                Err(e) => {
                    let what = e
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| e.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "panicked".into());
                    issues.push(RewardIssue {
                        reward: r.name.clone(),
                        prompt: prompt.to_string(),
                        what: format!("panicked: {what}"),
                    });
                    0.0
                }
            };
            totals[k] += r.weight * v;
            values.push(v);
        }
        per.push(values);
    }
    (totals, per, issues)
}

#[cfg(test)]
mod tests {
    use super::*;
    use deepthink_tasks::{task_by_name, TaskConfig};

    #[test]
    fn accuracy_and_format_judge_the_answer_and_the_block() {
        let task = task_by_name("mult", &TaskConfig::default()).unwrap();
        let p = task.parse_question("12*3").unwrap();
        let s = |c: &'static str, truncated| Sampled { completion: c, tokens: c.len(), truncated };
        let items = [
            (&p, "12*3", s("<think>\n12*3=36\n</think>\n\n36", false)),
            (&p, "12*3", s("<think>\n12*3=35\n</think>\n\n35", false)),
            (&p, "12*3", s("36", false)),
            (&p, "12*3", s("<think>\n12*3=36\n</think>\n\n36", true)),
        ];
        let (total, per, issues) = total_rewards(&[accuracy(), format()], task.as_ref(), &items);
        assert_eq!(per[0], vec![1.0, 0.0, 0.0, 0.0]);
        assert_eq!(per[1], vec![1.0, 1.0, 0.0, 0.0]);
        assert_eq!(total, vec![2.0, 1.0, 0.0, 0.0]);
        assert!(issues.is_empty());
    }

    #[test]
    fn a_panicking_or_nan_reward_scores_zero_and_names_the_prompt() {
        let task = task_by_name("mult", &TaskConfig::default()).unwrap();
        let p = task.parse_question("12*3").unwrap();
        let bad = Weighted {
            name: "bad".into(),
            weight: 1.0,
            f: Box::new(|_, _, s| if s.tokens > 3 { panic!("boom") } else { f32::NAN }),
        };
        let items = [
            (&p, "12*3", Sampled { completion: "abcd", tokens: 4, truncated: false }),
            (&p, "7*7", Sampled { completion: "ab", tokens: 2, truncated: false }),
        ];
        let (total, _, issues) = total_rewards(&[bad, accuracy()], task.as_ref(), &items);
        assert_eq!(total, vec![0.0, 0.0]);
        assert_eq!(issues.len(), 2);
        assert!(issues[0].what.contains("boom") && issues[0].prompt == "12*3");
        assert!(issues[1].what.contains("NaN") && issues[1].prompt == "7*7");
    }

    #[test]
    fn overlong_shaping_ramps_down_before_the_cap() {
        let task = task_by_name("mult", &TaskConfig::default()).unwrap();
        let p = task.parse_question("12*3").unwrap();
        let at = |tokens| Sampled { completion: "", tokens, truncated: false };
        let o = overlong(100, 20);
        assert_eq!((o.f)(task.as_ref(), &p, &at(80)), 0.0);
        assert_eq!((o.f)(task.as_ref(), &p, &at(90)), -0.5);
        assert_eq!((o.f)(task.as_ref(), &p, &at(100)), -1.0);
    }
}
