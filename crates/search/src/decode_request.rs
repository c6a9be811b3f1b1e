//! A [`Request`] as the decode engine takes it, and the engine's output as a [`Continuation`]:
//! shared by every generator that runs deepthink's own model — [`crate::LocalGenerator`] in
//! process, and the server's generator over its continuous-batching engine.
//!
//! The prompt is the chat template's rendering (thinking on) followed by the request's prefix.
//! Stop strings end a sequence inside the decode loop (as token sequences, exact for
//! deepthink's character-level tokenizer), and the text is cut after the first match as the
//! final word. A thinking budget set on the generator applies to every request that sets none
//! of its own; a request that continues a partial reasoning has the thinking tokens of its
//! prefix taken off the budget, so the budget bounds the whole think block.

use deepthink_model::{ChatTokenizer, FinishReason, GenOutput, GenRequest, ThinkTags, ThinkingBudget};

use crate::error::SearchError;
use crate::generator::{Continuation, Request};

/// The decode request for `r`.
pub fn decode_request(
    tok: &ChatTokenizer,
    r: &Request,
    default_budget: &ThinkingBudget,
) -> Result<GenRequest, SearchError> {
    let mut text = tok.render(&r.messages, true, true)?;
    text.push_str(&r.prefix);
    let prompt = tok.encode(&text)?;
    let stop_sequences = r.stop.iter().filter(|s| !s.is_empty()).map(|s| tok.encode(s)).collect::<Result<_, _>>()?;
    let mut params = r.params.clone();
    if !params.thinking.is_active() {
        params.thinking = default_budget.clone();
    }
    if params.thinking.is_active() && !r.prefix.contains(deepthink_model::tokenizer::END_THINK) {
        params.thinking = params.thinking.after(count_tokens(tok, &r.prefix));
    }
    let think_tags = ThinkTags::for_budget(tok, &params.thinking)?;
    Ok(GenRequest { prompt, params, stop_sequences, think_tags, ignore_eos: false })
}

/// How many tokens `text` is for `tok` (characters, for text it cannot encode): what
/// `Generator::count_tokens` reports for deepthink's own model.
pub fn count_tokens(tok: &ChatTokenizer, text: &str) -> usize {
    tok.encode(text).map_or_else(|_| text.chars().count(), |ids| ids.len())
}

/// Cut `text` just after the earliest stop string, if any occurs.
fn cut_at_stop(text: &str, stop: &[String]) -> Option<usize> {
    stop.iter().filter(|s| !s.is_empty()).filter_map(|s| text.find(s.as_str()).map(|i| i + s.len())).min()
}

/// What `r` got, from the engine's output for its `prompt_len`-token prompt.
pub fn continuation(tok: &ChatTokenizer, r: &Request, out: GenOutput, prompt_len: usize) -> Continuation {
    let stops = tok.stop_ids();
    let body: Vec<u32> = out.tokens.iter().copied().filter(|t| !stops.contains(t)).collect();
    let mut text = tok.decode(&body);
    let mut finish = out.finish;
    if let Some(end) = cut_at_stop(&text, &r.stop) {
        text.truncate(end);
        finish = FinishReason::Stop;
    }
    Continuation {
        text,
        tokens: out.tokens.len(),
        prompt_tokens: out.prefilled,
        context: prompt_len,
        logprobs: if r.logprobs { out.logprobs } else { Vec::new() },
        finish,
    }
}

#[cfg(test)]
mod tests {
    use super::cut_at_stop;

    #[test]
    fn stops_at_the_earliest_stop_string() {
        let stop = vec!["\n".to_string(), "</think>".to_string()];
        assert_eq!(cut_at_stop("12\n34</think>", &stop), Some(3));
        assert_eq!(cut_at_stop("1234", &stop), None);
        assert_eq!(cut_at_stop("ab", &[String::new()]), None);
    }
}
