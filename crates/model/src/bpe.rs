//! Training a byte-level BPE tokenizer for open text (the `tokenizers` crate's trainer, as GPT-2,
//! Llama-3 and Qwen tokenizers are built): any text — capitals, punctuation, any Unicode —
//! encodes, because every byte is in the base alphabet. deepthink's turn markers and
//! end-of-sequence are special tokens and `<think>` / `</think>` added, non-special ones, as in the
//! character-level tokenizer, and the chat template is deepthink's, so every other part of the
//! toolkit (templates, pre-fill, training, decoding) works unchanged with it.

use tokenizers::models::bpe::{BpeTrainerBuilder, BPE};
use tokenizers::models::TrainerWrapper;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::{AddedToken, Tokenizer};

use crate::error::ModelError;
use crate::tokenizer::{ChatTokenizer, ASSISTANT, CHAT_TEMPLATE, END, END_THINK, THINK, USER};

/// Smallest vocabulary accepted: the 256 byte symbols, the markers, and some merges.
pub const MIN_VOCAB: usize = 300;

/// A byte-level BPE tokenizer of (at most) `vocab_size` tokens trained on `texts`, with
/// deepthink's markers and chat template.
pub fn train_bpe<'a>(
    texts: impl Iterator<Item = &'a str> + Send,
    vocab_size: usize,
) -> Result<ChatTokenizer, ModelError> {
    if vocab_size < MIN_VOCAB {
        return Err(ModelError::Input(format!("vocab_size {vocab_size}: must be at least {MIN_VOCAB}")));
    }
    let err = |e: tokenizers::Error| ModelError::Tokenizer(e.to_string());
    let special: Vec<AddedToken> =
        [END, USER, ASSISTANT].iter().map(|t| AddedToken::from(t.to_string(), true)).collect();
    let trainer = BpeTrainerBuilder::new()
        .vocab_size(vocab_size)
        .min_frequency(2)
        .show_progress(false)
        .special_tokens(special.clone())
        .initial_alphabet(ByteLevel::alphabet().into_iter().collect())
        .build();
    let mut trainer = TrainerWrapper::BpeTrainer(trainer);
    let mut tok = Tokenizer::new(BPE::default());
    tok.with_pre_tokenizer(Some(ByteLevel::default().add_prefix_space(false)));
    tok.with_decoder(Some(ByteLevel::default()));
    tok.train(&mut trainer, texts).map_err(err)?;
    tok.add_special_tokens(&special);
    tok.add_tokens(&[AddedToken::from(THINK.to_string(), false), AddedToken::from(END_THINK.to_string(), false)]);
    ChatTokenizer::from_tokenizer(tok, CHAT_TEMPLATE.to_string(), END)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenizer::Message;

    #[test]
    fn any_text_round_trips_and_the_markers_stay_single_tokens() {
        let corpus = [
            "Spell this word backward (example: sun -> nus): ammonia",
            "Calculate 5 - 3 - 6.",
            "Ünïcödé, CAPITALS & punctuation!",
        ];
        let texts: Vec<&str> = corpus.iter().copied().cycle().take(300).collect();
        let tok = train_bpe(texts.into_iter(), 400).unwrap();
        for text in [corpus[0], corpus[2], "never seen: ½ → ∞ 🙂"] {
            let ids = tok.encode(text).unwrap();
            assert_eq!(tok.decode(&ids), text);
        }
        let conv = tok
            .render(&[Message::user("Why?"), Message::assistant("<think>\nBecause.\n</think>\n\nYes")], false, true)
            .unwrap();
        let ids = tok.encode(&conv).unwrap();
        for marker in [THINK, END_THINK, USER, ASSISTANT, END] {
            let id = tok.token_id(marker).unwrap();
            assert_eq!(ids.iter().filter(|&&t| t == id).count(), 1, "{marker} is one token");
        }
        assert_eq!(tok.decode(&ids), "Why?<think>\nBecause.\n</think>\n\nYes", "specials dropped, think markers kept");
        assert_eq!(tok.generation_prefill(true), "<think>\n");
        assert!(tok.vocab_size() <= 400 + 5);
        assert!(train_bpe(["a"].into_iter(), 10).is_err());
    }
}
