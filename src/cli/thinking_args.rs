//! The thinking-budget flags shared by `ask`, `eval` and `train grpo`: one mechanism
//! ([`deepthink_model::thinking`]), enforced in the decode loop, spelled the same everywhere.

use clap::Args;
use deepthink_model::{ChatTokenizer, GenRequest, SamplingParams, ThinkTags, ThinkingBudget};

#[derive(Args, Clone, Debug, Default)]
pub struct ThinkingArgs {
    /// Budget forcing (s1): after this many thinking tokens the decoder writes `</think>` and
    /// the model answers. Thinking tokens are those strictly between `<think>` and `</think>`.
    #[arg(long, value_name = "N")]
    pub max_thinking_tokens: Option<usize>,
    /// Keep thinking at least this long: an earlier `</think>` is replaced by --wait-word.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub min_thinking_tokens: usize,
    /// What replaces a suppressed `</think>` (s1 appends "Wait"; a vocabulary without capitals
    /// gets it in lower case).
    #[arg(long, default_value = deepthink_model::thinking::DEFAULT_WAIT)]
    pub wait_word: String,
}

impl ThinkingArgs {
    /// The budget these flags set (inactive when neither bound is given).
    pub fn budget(&self) -> anyhow::Result<ThinkingBudget> {
        let b = ThinkingBudget {
            max: self.max_thinking_tokens,
            min: self.min_thinking_tokens,
            wait: self.wait_word.clone(),
        };
        b.validate()?;
        Ok(b)
    }

    /// A request to continue `prompt` under these flags' budget (`ask`, `chat`).
    pub fn request(
        &self,
        tok: &ChatTokenizer,
        prompt: Vec<u32>,
        temperature: f32,
        seed: u64,
        max_new_tokens: usize,
    ) -> anyhow::Result<GenRequest> {
        let thinking = self.budget()?;
        let think_tags = ThinkTags::for_budget(tok, &thinking)?;
        let params = SamplingParams { temperature, seed, max_new_tokens, thinking, ..SamplingParams::default() };
        Ok(GenRequest { think_tags, ..GenRequest::new(prompt, params) })
    }
}
