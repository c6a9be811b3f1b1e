//! The sampling half of a GRPO step: draw the step's problems, sample a group of completions for
//! each with the batched KV-cached generator (a group's identical prompts share one prefill),
//! reward them and turn the rewards into group-relative advantages.
//!
//! The prompt pre-fills `<think>\n` (the chat template's generation prompt, as TinyZero does), so
//! the policy always starts inside a think block; completions are rewarded as the text of the
//! whole assistant turn, pre-fill included.

use deepthink_model::{generate, ChatTokenizer, FinishReason, GenOutput, GenRequest, Model, SamplingParams, ThinkTags};
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
    let mut reqs = Vec::with_capacity(cfg.prompts * cfg.group);
    for (i, q) in questions.iter().enumerate() {
        let ids = tok.prompt_ids(q, true)?;
        for j in 0..cfg.group {
            let seed = cfg.seed ^ (step << 20) ^ ((i * cfg.group + j) as u64);
            let params = SamplingParams {
                temperature: cfg.temperature,
                max_new_tokens: cfg.max_new_tokens,
                seed,
                thinking: cfg.thinking.clone(),
                ..SamplingParams::default()
            };
            let mut req = GenRequest::new(ids.clone(), params);
            req.think_tags = tags.clone();
            reqs.push(req);
        }
    }
    let outputs = generate(model, &reqs, tok.stop_ids(), &mut |_, _| {})?;
    let texts = outputs
        .iter()
        .map(|o| {
            let body: Vec<u32> = o.tokens.iter().copied().filter(|t| !tok.stop_ids().contains(t)).collect();
            format!("{}{}", tok.generation_prefill(true), tok.decode(&body))
        })
        .collect();
    Ok(Rollout { problems, questions, prompts: reqs.into_iter().map(|r| r.prompt).collect(), outputs, texts })
}

impl Rollout {
    /// Completion `k`'s prompt followed by its generated tokens.
    pub fn sequence(&self, k: usize) -> Vec<u32> {
        self.prompts[k].iter().chain(&self.outputs[k].tokens).copied().collect()
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
        m.completion_len_mean = self.outputs.iter().map(|o| o.tokens.len() as f64).sum::<f64>() / n;
        m.completion_len_max = self.outputs.iter().map(|o| o.tokens.len()).max().unwrap_or(0);
        m.truncated = (0..self.outputs.len()).filter(|&k| self.is_truncated(k)).count() as f64 / n;
        group_advantages(&total, cfg.group, cfg.scale_rewards)
    }
}
