//! The sampling half of a GRPO step: draw the step's problems, sample a group of completions for
//! each with the batched KV-cached generator (a group's identical prompts share one prefill),
//! reward them and turn the rewards into group-relative advantages.
//!
//! The prompt pre-fills `<think>\n` (the chat template's generation prompt, as TinyZero does), so
//! the policy always starts inside a think block; completions are rewarded as the text of the
//! whole assistant turn, pre-fill included.
//!
//! **Both modes sampled** (AdaptThink's importance sampling, Zhang et al. 2025): with
//! `no_think_share` > 0 the first ⌈share·group⌉ completions of every group start with the
//! empty think block the template writes with thinking off (`\n</think>\n\n` after the pre-fill).
//! Those tokens are part of the completion, trained on with the log-probability the policy gives
//! them, so a right direct answer raises the policy's own chance of closing the block at once.
//! AdaptThink samples the first token from π_IS (½ each way) and weights it by π_θ/π_IS; here it
//! is simply forced, as the thinking budget's forced `</think>` is — the departure keeps the
//! update on-policy in form and lets the clip see ratios near 1.

use deepthink_model::{generate, ChatTokenizer, FinishReason, GenOutput, GenRequest, Model, SamplingParams, ThinkTags};
use deepthink_tasks::text::answers_without_thinking;
use deepthink_tasks::{Problem, Split, Task, Verifier};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::error::TrainError;
use crate::grpo::advantage::group_advantages;
use crate::grpo::config::{GrpoConfig, StepMetrics};
use crate::grpo::reward::{total_rewards_at, RewardItem, Sampled, Weighted};

/// One step's sampled groups: `prompts × group` completions, group-major.
pub struct Rollout {
    pub problems: Vec<Problem>,
    pub questions: Vec<String>,
    /// Prompt token ids of each completion (a group repeats its prompt).
    pub prompts: Vec<Vec<u32>>,
    pub outputs: Vec<GenOutput>,
    /// Each completion as text, starting with the pre-filled `<think>\n`.
    pub texts: Vec<String>,
    /// Tokens at the start of each completion that were forced, not sampled (`no_think_share`).
    pub forced: Vec<usize>,
}

/// Sample step `step`'s groups: problems and sampling seeds are a pure function of the run's
/// seed and the step, so a resumed run samples what an uninterrupted one would have.
pub fn sample_groups(
    model: &Model,
    tok: &ChatTokenizer,
    task: &dyn Task,
    cfg: &GrpoConfig,
    step: u64,
) -> Result<Rollout, TrainError> {
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed ^ step.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let problems: Vec<Problem> = (0..cfg.prompts).map(|_| task.generate(&mut rng, Split::Train)).collect();
    let questions: Vec<String> = problems.iter().map(|p| task.prompt(p, cfg.prompt)).collect();
    let tags = ThinkTags::for_budget(tok, &cfg.thinking)?;
    let forced_per_group = forced_no_think(cfg);
    let mut reqs = Vec::with_capacity(cfg.prompts * cfg.group);
    let mut forced: Vec<Vec<u32>> = Vec::with_capacity(cfg.prompts * cfg.group);
    for (i, q) in questions.iter().enumerate() {
        let ids = tok.prompt_ids(q, true)?;
        let skip = if forced_per_group > 0 { no_think_opening(tok, q, &ids)? } else { Vec::new() };
        for j in 0..cfg.group {
            let seed = cfg.seed ^ (step << 20) ^ ((i * cfg.group + j) as u64);
            let opening = if j < forced_per_group { skip.clone() } else { Vec::new() };
            // The decoder may sample one token past a full context (it is never fed back), but
            // the update runs prompt and completion through the model together: keep them inside it.
            let room = model.cfg.max_seq_len.saturating_sub(ids.len() + opening.len()).max(1);
            let params = SamplingParams {
                temperature: cfg.temperature,
                max_new_tokens: cfg.max_new_tokens.min(room),
                seed,
                thinking: cfg.thinking.clone(),
                ..SamplingParams::default()
            };
            let mut req = GenRequest::new(ids.iter().chain(&opening).copied().collect(), params);
            req.think_tags = tags.clone();
            reqs.push(req);
            forced.push(opening);
        }
    }
    let mut outputs = generate(model, &reqs, tok.stop_ids(), &mut |_, _| {})?;
    let mut prompts: Vec<Vec<u32>> = reqs.into_iter().map(|r| r.prompt).collect();
    let forced_lens: Vec<usize> = forced.iter().map(Vec::len).collect();
    for ((out, prompt), opening) in outputs.iter_mut().zip(&mut prompts).zip(forced) {
        // The forced opening belongs to the completion: move it out of the prompt.
        prompt.truncate(prompt.len() - opening.len());
        out.logprobs.splice(0..0, std::iter::repeat_n(0.0, opening.len()));
        out.tokens.splice(0..0, opening);
    }
    let texts = outputs
        .iter()
        .map(|o| {
            let body: Vec<u32> = o.tokens.iter().copied().filter(|t| !tok.stop_ids().contains(t)).collect();
            format!("{}{}", tok.generation_prefill(true), tok.decode(&body))
        })
        .collect();
    Ok(Rollout { problems, questions, prompts, outputs, texts, forced: forced_lens })
}

/// How many completions of each group start without thinking: ⌈share·group⌉, fewer than the group.
fn forced_no_think(cfg: &GrpoConfig) -> usize {
    if cfg.no_think_share <= 0.0 {
        return 0;
    }
    ((cfg.no_think_share * cfg.group as f32).ceil() as usize).min(cfg.group - 1)
}

/// The tokens that close an empty think block after the thinking prompt `ids` of question `q`:
/// what the template's no-thinking prompt adds to it.
fn no_think_opening(tok: &ChatTokenizer, q: &str, ids: &[u32]) -> Result<Vec<u32>, TrainError> {
    let without = tok.prompt_ids(q, false)?;
    match without.strip_prefix(ids) {
        Some(rest) if !rest.is_empty() => Ok(rest.to_vec()),
        _ => Err(TrainError::Config(
            "`no_think_share` needs a chat template whose no-thinking prompt extends its thinking prompt \
             (`<think>\\n` then `\\n</think>\\n\\n`); this one does not"
                .into(),
        )),
    }
}

impl Rollout {
    /// Completion `k`'s prompt followed by its generated tokens.
    pub fn sequence(&self, k: usize) -> Vec<u32> {
        self.prompts[k].iter().chain(&self.outputs[k].tokens).copied().collect()
    }

    /// Positions the policy ran forward to sample every completion: prompts and generated tokens.
    pub fn positions(&self) -> usize {
        self.prompts.iter().zip(&self.outputs).map(|(p, o)| p.len() + o.tokens.len()).sum()
    }

    /// Completion `k` was cut off by the generation cap.
    pub fn is_truncated(&self, k: usize) -> bool {
        self.outputs[k].finish == FinishReason::Length
    }

    /// Reward every completion, record the reward metrics in `m`, and return the advantages.
    /// A reward that panics or returns NaN scores 0 and is reported with its prompt.
    pub fn score(
        &self,
        rewards: &[Weighted],
        verifier: &dyn Verifier,
        cfg: &GrpoConfig,
        step: u64,
        m: &mut StepMetrics,
    ) -> Vec<f32> {
        let items: Vec<RewardItem> = self
            .outputs
            .iter()
            .enumerate()
            .map(|(k, o)| {
                let i = k / cfg.group;
                let sampled =
                    Sampled { completion: &self.texts[k], tokens: o.tokens.len(), truncated: self.is_truncated(k) };
                RewardItem { problem: &self.problems[i], prompt: self.questions[i].as_str(), sampled }
            })
            .collect();
        let (total, per, issues) = total_rewards_at(rewards, verifier, &items, step);
        for issue in &issues {
            eprintln!("step {step}: reward `{}` on prompt {:?}: {} (scored 0)", issue.reward, issue.prompt, issue.what);
        }
        let n = total.len() as f64;
        m.reward_mean = total.iter().map(|&r| f64::from(r)).sum::<f64>() / n;
        m.reward_std = (total.iter().map(|&r| (f64::from(r) - m.reward_mean).powi(2)).sum::<f64>() / n).sqrt();
        let mean_of = |name: &str| {
            cfg.rewards
                .iter()
                .position(|r| r.name == name)
                .map_or(f64::NAN, |k| per[k].iter().map(|&v| f64::from(v)).sum::<f64>() / n)
        };
        m.accuracy = mean_of("accuracy");
        m.format = mean_of("format");
        m.no_think = self.texts.iter().filter(|t| answers_without_thinking(t)).count() as f64 / n;
        m.completion_len_mean = self.outputs.iter().map(|o| o.tokens.len() as f64).sum::<f64>() / n;
        m.completion_len_max = self.outputs.iter().map(|o| o.tokens.len()).max().unwrap_or(0);
        m.truncated = (0..self.outputs.len()).filter(|&k| self.is_truncated(k)).count() as f64 / n;
        group_advantages(&total, cfg.group, cfg.scale_rewards)
    }
}
