//! Turning a sequence's tokens into text as they arrive, and counting its reasoning tokens.
//!
//! [`Detokenizer`] decodes the whole sequence so far and hands out what is new (decoding token
//! by token would split characters that a byte-level BPE spreads over several tokens, and lose
//! the spaces some decoders add between tokens); a piece ending in U+FFFD (half a character) is
//! held back until the rest arrives. Special tokens (end of turn) decode to nothing.

use deepthink_model::ChatTokenizer;

pub struct Detokenizer<'a> {
    tok: &'a ChatTokenizer,
    ids: Vec<u32>,
    shown: usize,
    text: String,
}

impl<'a> Detokenizer<'a> {
    pub fn new(tok: &'a ChatTokenizer) -> Self {
        Detokenizer { tok, ids: Vec::new(), shown: 0, text: String::new() }
    }

    /// Add a token; returns the text it completes (often one character, sometimes nothing).
    pub fn push(&mut self, token: u32) -> String {
        if self.tok.stop_ids().contains(&token) {
            return String::new();
        }
        self.ids.push(token);
        self.text = self.tok.decode(&self.ids);
        if self.text.ends_with('\u{FFFD}') || !self.text.is_char_boundary(self.shown.min(self.text.len())) {
            return String::new();
        }
        let piece = self.text.get(self.shown..).unwrap_or_default().to_string();
        self.shown = self.text.len();
        piece
    }

    /// The tokens pushed so far, end-of-turn tokens left out.
    pub fn ids(&self) -> &[u32] {
        &self.ids
    }

    /// Everything decoded so far, held-back bytes included.
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// The generated tokens that are reasoning: strictly between `<think>` and `</think>`, where a
/// prompt that pre-filled `<think>` opens the block before the first token; a block never closed
/// runs to the end. Counted on the token ids themselves, so the count is exact for any tokenizer.
pub fn reasoning_tokens(tokens: &[u32], tok: &ChatTokenizer, prefilled: bool) -> usize {
    let open = tok.token_id(deepthink_model::tokenizer::THINK);
    let close = tok.token_id(deepthink_model::tokenizer::END_THINK);
    let start = if prefilled {
        0
    } else {
        match tokens.iter().position(|&t| Some(t) == open) {
            Some(i) => i + 1,
            None => return 0,
        }
    };
    let body = &tokens[start.min(tokens.len())..];
    let end = body.iter().position(|&t| Some(t) == close).unwrap_or(body.len());
    body[..end].iter().filter(|t| !tok.stop_ids().contains(t)).count()
}

/// Whether `text` (a template's pre-fill, or a whole prompt) ends inside a think block: its last
/// tag is `<think>`, so what follows starts as reasoning.
pub fn prefill_opens_thinking(text: &str) -> bool {
    let open = text.rfind(deepthink_model::tokenizer::THINK);
    let close = text.rfind(deepthink_model::tokenizer::END_THINK);
    matches!((open, close), (Some(o), c) if c.is_none_or(|c| c < o))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_add_up_to_the_text_and_reasoning_is_counted_on_ids() {
        let tok = ChatTokenizer::char_level().unwrap();
        let ids = tok.encode("12\n</think>\n\n408").unwrap();
        let mut d = Detokenizer::new(&tok);
        let joined: String = ids.iter().map(|&t| d.push(t)).collect();
        assert_eq!(joined, "12\n</think>\n\n408");
        assert_eq!(reasoning_tokens(&ids, &tok, true), 3);
        assert_eq!(reasoning_tokens(&tok.encode("<think>ab</think>c").unwrap(), &tok, false), 2);
        assert_eq!(reasoning_tokens(&tok.encode("abc").unwrap(), &tok, true), 3, "cut off: all reasoning");
        assert_eq!(reasoning_tokens(&tok.encode("abc").unwrap(), &tok, false), 0);
        assert!(prefill_opens_thinking("<think>\n") && !prefill_opens_thinking("<think>\n\n</think>\n\n"));
        assert!(prefill_opens_thinking("<|assistant|><think>\na</think>b<|user|>q<|assistant|><think>\n"));
        assert!(!prefill_opens_thinking("no tags"));
    }
}
