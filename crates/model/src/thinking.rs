//! The one thinking-budget mechanism, in the decode loop: budget forcing as in s1 (Muennighoff et
//! al. 2025, "s1: Simple test-time scaling"). Every path that decodes — `ask`, `eval`, every
//! search strategy, GRPO rollouts and the server — goes through [`crate::DecodeEngine`], so a
//! budget set in a request's [`SamplingParams`](crate::SamplingParams) means the same everywhere.
//!
//! Thinking tokens are the tokens a sequence *generates* strictly between `<think>` and
//! `</think>`, appended wait words included (a prompt that ends inside the think block, as
//! deepthink's and Qwen3's templates pre-fill it, starts the count at 0).
//! - **Maximum** ([`ThinkingBudget::max`]): once a sequence has thought that many tokens, the engine
//!   writes `</think>` as its next token instead of sampling, and the model goes on to answer.
//!   A forced sequence therefore has exactly `max` thinking tokens.
//! - **Minimum** ([`ThinkingBudget::min`]): while fewer have been thought, a sampled `</think>`
//!   is replaced by the wait word (s1 appends "Wait"), whose tokens count as thinking — and so is
//!   an end-of-turn token sampled inside the think block (a departure: s1's models never end their
//!   turn mid-thought, but small ones perturbed by the wait word do).
//!
//! Departures from s1: s1 counts thinking tokens by the tokenizer of the model and forces
//! "Final Answer:" after the delimiter; here the model writes its own answer after `</think>`,
//! as the text contract's answer format needs nothing more. The tags must be single tokens in
//! the model's vocabulary (added tokens, as in deepthink's, Qwen3's and R1's tokenizers);
//! a budget on a model without them is refused when the sequence is added.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::error::ModelError;
use crate::tokenizer::{ChatTokenizer, END_THINK, THINK};

/// The word s1 appends when it suppresses the end of thinking.
pub const DEFAULT_WAIT: &str = "Wait";

/// A request's thinking budget (inactive by default: no maximum, no minimum).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ThinkingBudget {
    /// Force `</think>` after this many thinking tokens (`None`: no limit).
    #[serde(default)]
    pub max: Option<usize>,
    /// Suppress `</think>` (appending [`ThinkingBudget::wait`]) until this many.
    #[serde(default)]
    pub min: usize,
    /// What replaces a suppressed `</think>`.
    #[serde(default = "default_wait")]
    pub wait: String,
}

fn default_wait() -> String {
    DEFAULT_WAIT.to_string()
}

impl Default for ThinkingBudget {
    fn default() -> Self {
        ThinkingBudget { max: None, min: 0, wait: default_wait() }
    }
}

impl ThinkingBudget {
    /// Whether the budget changes decoding at all.
    pub fn is_active(&self) -> bool {
        self.max.is_some() || self.min > 0
    }

    /// Check the fields; the error names the field and value.
    pub fn validate(&self) -> Result<(), ModelError> {
        if let Some(max) = self.max {
            if self.min > max {
                return Err(ModelError::Input(format!(
                    "`min_thinking_tokens` ({}) is above the thinking budget ({max})",
                    self.min
                )));
            }
        }
        if self.min > 0 && self.wait.is_empty() {
            return Err(ModelError::Input("the wait word is empty, so `min_thinking_tokens` cannot be met".into()));
        }
        Ok(())
    }

    /// The budget left after `spent` thinking tokens already written (a continued partial
    /// reasoning): both bounds shrink by it.
    pub fn after(&self, spent: usize) -> ThinkingBudget {
        ThinkingBudget {
            max: self.max.map(|m| m.saturating_sub(spent)),
            min: self.min.saturating_sub(spent),
            wait: self.wait.clone(),
        }
    }
}

/// The token ids a budget needs: the tags and the wait word, for one tokenizer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThinkTags {
    pub open: u32,
    pub close: u32,
    /// The wait word's tokens (not empty).
    pub wait: Vec<u32>,
    /// End-of-turn tokens, suppressed like `</think>` below the minimum.
    pub ends: Vec<u32>,
}

impl ThinkTags {
    /// The tags a request under `budget` needs: `None` when the budget is inactive (nothing to
    /// enforce, and a tokenizer without the tags is fine), else those of [`ThinkTags::new`].
    pub fn for_budget(tok: &ChatTokenizer, budget: &ThinkingBudget) -> Result<Option<Self>, ModelError> {
        budget.is_active().then(|| ThinkTags::new(tok, &budget.wait)).transpose()
    }

    /// The tags of `tok`, with `wait` as the wait word (in lower case when the vocabulary cannot
    /// spell it otherwise); an error when a tag is not one token.
    pub fn new(tok: &ChatTokenizer, wait: &str) -> Result<Self, ModelError> {
        let single = |tag: &str| {
            tok.token_id(tag).ok_or_else(|| {
                ModelError::Input(format!(
                    "this model's tokenizer has no single token for {tag}, so a thinking budget cannot be enforced"
                ))
            })
        };
        // deepthink's own vocabulary has no capitals: "Wait" is written "wait" there.
        let wait = match (wait.is_empty(), tok.encode(wait)) {
            (true, _) => Vec::new(),
            (false, Ok(ids)) => ids,
            (false, Err(e)) => tok.encode(&wait.to_lowercase()).map_err(|_| e)?,
        };
        Ok(ThinkTags { open: single(THINK)?, close: single(END_THINK)?, wait, ends: tok.stop_ids().to_vec() })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// No think block opened yet.
    Before,
    /// Inside the think block, with this many thinking tokens generated.
    Inside(usize),
    /// The think block is closed (or the prompt closed it): the budget no longer applies.
    After,
}

/// One sequence's budget as it decodes: which tokens to force, and what a sampled token becomes.
#[derive(Clone, Debug)]
pub(crate) struct ThinkTracker {
    tags: ThinkTags,
    max: Option<usize>,
    min: usize,
    phase: Phase,
    forced: VecDeque<u32>,
}

impl ThinkTracker {
    /// A tracker for a sequence continuing `prompt`: inside the think block when the prompt's
    /// last tag opens it.
    pub(crate) fn new(tags: ThinkTags, budget: &ThinkingBudget, prompt: &[u32]) -> Self {
        let last_tag = prompt.iter().rev().find(|&&t| t == tags.open || t == tags.close);
        let phase = match last_tag {
            Some(&t) if t == tags.open => Phase::Inside(0),
            Some(_) => Phase::After,
            None => Phase::Before,
        };
        let mut tracker = ThinkTracker { tags, max: budget.max, min: budget.min, phase, forced: VecDeque::new() };
        tracker.force_close_if_spent();
        tracker
    }

    /// The token the engine must write next instead of sampling, if any.
    pub(crate) fn next_forced(&mut self) -> Option<u32> {
        self.forced.pop_front()
    }

    /// Record the token chosen for this step; returns the token to emit in its place (a
    /// suppressed `</think>` becomes the first token of the wait word).
    pub(crate) fn observe(&mut self, token: u32) -> u32 {
        let emitted = match self.phase {
            Phase::Before => {
                if token == self.tags.open {
                    self.phase = Phase::Inside(0);
                }
                token
            }
            Phase::Inside(n) if (token == self.tags.close || self.tags.ends.contains(&token)) && n < self.min => {
                self.forced.extend(self.tags.wait[1..].iter().copied());
                self.phase = Phase::Inside(n + 1);
                self.tags.wait[0]
            }
            Phase::Inside(_) if token == self.tags.close => {
                self.phase = Phase::After;
                self.forced.clear();
                token
            }
            Phase::Inside(n) => {
                self.phase = Phase::Inside(n + 1);
                token
            }
            Phase::After => token,
        };
        self.force_close_if_spent();
        emitted
    }

    fn force_close_if_spent(&mut self) {
        if let (Phase::Inside(n), Some(max)) = (self.phase, self.max) {
            if n >= max && self.forced.back() != Some(&self.tags.close) {
                self.forced.clear();
                self.forced.push_back(self.tags.close);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPEN: u32 = 1;
    const CLOSE: u32 = 2;
    const WAIT: [u32; 2] = [7, 8];
    const END: u32 = 3;

    fn tracker(max: Option<usize>, min: usize, prompt: &[u32]) -> ThinkTracker {
        let tags = ThinkTags { open: OPEN, close: CLOSE, wait: WAIT.to_vec(), ends: vec![END] };
        ThinkTracker::new(tags, &ThinkingBudget { max, min, wait: "w".into() }, prompt)
    }

    /// Run a tracker over what a model would sample, returning what is emitted.
    fn decode(t: &mut ThinkTracker, sampled: &[u32]) -> Vec<u32> {
        let mut out = Vec::new();
        let mut it = sampled.iter();
        while out.len() < 20 {
            let token = match t.next_forced() {
                Some(f) => f,
                None => match it.next() {
                    Some(&s) => s,
                    None => break,
                },
            };
            out.push(t.observe(token));
        }
        out
    }

    #[test]
    fn the_maximum_forces_the_close_after_exactly_max_thinking_tokens() {
        let mut t = tracker(Some(3), 0, &[9, OPEN]);
        assert_eq!(decode(&mut t, &[5, 5, 5, 5, 5, 5]), vec![5, 5, 5, CLOSE, 5, 5, 5]);
        let mut zero = tracker(Some(0), 0, &[OPEN]);
        assert_eq!(decode(&mut zero, &[5, 5]), vec![CLOSE, 5, 5]);
    }

    #[test]
    fn the_minimum_replaces_an_early_close_with_the_wait_word() {
        let mut t = tracker(None, 4, &[OPEN]);
        // Closes after 1 token: replaced by the two wait tokens (3 thinking tokens), then again.
        assert_eq!(decode(&mut t, &[5, CLOSE, CLOSE, 6, CLOSE]), vec![5, 7, 8, 7, 8, 6, CLOSE]);
    }

    #[test]
    fn below_the_minimum_an_end_of_turn_is_suppressed_too() {
        let mut t = tracker(None, 3, &[OPEN]);
        assert_eq!(decode(&mut t, &[5, END, 6, END]), vec![5, 7, 8, 6, END], "after the minimum it ends the turn");
    }

    #[test]
    fn a_budget_waits_for_the_block_to_open_and_ignores_a_closed_one() {
        let mut before = tracker(Some(1), 0, &[9]);
        assert_eq!(decode(&mut before, &[5, OPEN, 5, 5]), vec![5, OPEN, 5, CLOSE, 5]);
        let mut closed = tracker(Some(0), 3, &[OPEN, 5, CLOSE]);
        assert_eq!(decode(&mut closed, &[CLOSE, 5]), vec![CLOSE, 5]);
    }

    #[test]
    fn the_maximum_cuts_a_wait_word_short() {
        let mut t = tracker(Some(2), 2, &[OPEN]);
        assert_eq!(decode(&mut t, &[5, CLOSE, 6]), vec![5, 7, CLOSE, 6]);
    }

    #[test]
    fn bad_budgets_name_the_field() {
        let b = ThinkingBudget { max: Some(2), min: 3, ..ThinkingBudget::default() };
        assert!(b.validate().unwrap_err().to_string().contains("`min_thinking_tokens` (3)"));
        assert_eq!(ThinkingBudget { max: Some(5), min: 2, ..ThinkingBudget::default() }.after(3).max, Some(2));
    }
}
