//! The tokenizer and chat template, in Hugging Face's formats (`tokenizer.json`,
//! `tokenizer_config.json`) through the `tokenizers` crate, so `transformers` loads them as they are.
//!
//! deepthink's own models are character-level: one token per character of a small alphabet,
//! plus turn markers and end-of-sequence as *special* tokens and `<think>` / `</think>` as
//! *added but not special* tokens — atomic, yet kept by every decoder, as in DeepSeek-R1 and
//! Qwen3 (TRL decodes with `skip_special_tokens=True`, which would erase special ones).
//! The chat template is Jinja, rendered with `minijinja`; with thinking on the generation
//! prompt ends with `<think>\n`, with thinking off with `<think>\n\n</think>\n\n` (Qwen3).

use std::path::Path;

use serde::Serialize;
use tokenizers::Tokenizer;

use crate::chat_template::{render_chat_template, TemplateVars};
use crate::error::ModelError;
use crate::fsutil::write_atomic;

pub const END: &str = "<|end|>";
pub const USER: &str = "<|user|>";
pub const ASSISTANT: &str = "<|assistant|>";
pub const THINK: &str = "<think>";
pub const END_THINK: &str = "</think>";
pub const UNK: &str = "<unk>";

/// Characters of the character-level vocabulary, in id order after the marker tokens.
pub const ALPHABET: &str = "\n 0123456789abcdefghijklmnopqrstuvwxyz+-*/=()[],.:|<>?!";

/// The text of `dir/tokenizer_config.json`, with the chat template merged in from
/// `chat_template.jinja` when the config lacks one — where `transformers` ≥ 4.43 (and so TRL's
/// checkpoints) keep it.
pub fn tokenizer_config_text(dir: &Path) -> Result<String, ModelError> {
    let cfg_path = dir.join("tokenizer_config.json");
    let text = std::fs::read_to_string(&cfg_path).map_err(|e| ModelError::io(&cfg_path, e))?;
    let jinja = dir.join("chat_template.jinja");
    if !jinja.exists() {
        return Ok(text);
    }
    let mut cfg: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| ModelError::Checkpoint { path: cfg_path.clone(), msg: e.to_string() })?;
    match cfg.as_object_mut() {
        Some(obj) if !obj.contains_key("chat_template") => {
            let template = std::fs::read_to_string(&jinja).map_err(|e| ModelError::io(&jinja, e))?;
            obj.insert("chat_template".into(), template.into());
            Ok(cfg.to_string())
        }
        _ => Ok(text),
    }
}

/// The chat template shared by deepthink and `transformers`' `apply_chat_template`.
pub const CHAT_TEMPLATE: &str = "{%- for message in messages %}{%- if message['role'] == 'user' %}{{ '<|user|>' + message['content'] }}{%- elif message['role'] == 'assistant' %}{{ '<|assistant|>' + message['content'] + '<|end|>' }}{%- endif %}{%- endfor %}{%- if add_generation_prompt %}{%- if enable_thinking is defined and enable_thinking is false %}{{ '<|assistant|><think>\\n\\n</think>\\n\\n' }}{%- else %}{{ '<|assistant|><think>\\n' }}{%- endif %}{%- endif %}";

/// One chat message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Message {
    pub role: String,
    pub content: String,
}

impl Message {
    pub fn user(content: impl Into<String>) -> Self {
        Message { role: "user".into(), content: content.into() }
    }
    pub fn assistant(content: impl Into<String>) -> Self {
        Message { role: "assistant".into(), content: content.into() }
    }
}

/// A tokenizer together with its chat template and the ids deepthink needs.
#[derive(Clone)]
pub struct ChatTokenizer {
    inner: Tokenizer,
    template: String,
    eos: u32,
    unk: Option<u32>,
    eos_token: String,
    /// Every token that ends generation: `eos` first, then the checkpoint's other end-of-turn ids
    /// (`generation_config.json` may list several, as Llama 3's `[128001, 128008, 128009]`).
    stops: Vec<u32>,
    /// `tokenizer_config.json`'s `bos_token`, which templates such as Llama 3's and DeepSeek's print.
    bos_token: Option<String>,
    /// What the generation prompt pre-fills of the assistant turn: `[thinking off, thinking on]`.
    prefill: [String; 2],
}

fn tok_err(e: impl std::fmt::Display) -> ModelError {
    ModelError::Tokenizer(e.to_string())
}

impl ChatTokenizer {
    /// deepthink's character-level tokenizer.
    pub fn char_level() -> Result<Self, ModelError> {
        let markers = [(END, true), (USER, true), (ASSISTANT, true), (THINK, false), (END_THINK, false), (UNK, true)];
        let mut vocab = serde_json::Map::new();
        let mut added = Vec::new();
        for (id, (tok, special)) in markers.iter().enumerate() {
            vocab.insert(tok.to_string(), id.into());
            added.push(serde_json::json!({"id": id, "content": tok, "single_word": false, "lstrip": false,
                "rstrip": false, "normalized": false, "special": special}));
        }
        for (i, ch) in ALPHABET.chars().enumerate() {
            vocab.insert(ch.to_string(), (markers.len() + i).into());
        }
        let json = serde_json::json!({
            "version": "1.0", "truncation": null, "padding": null, "added_tokens": added,
            "normalizer": null, "pre_tokenizer": null, "post_processor": null,
            "decoder": {"type": "Fuse"},
            "model": {"type": "BPE", "dropout": null, "unk_token": UNK, "continuing_subword_prefix": null,
                "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
                "vocab": vocab, "merges": []}
        });
        let inner = Tokenizer::from_bytes(json.to_string().as_bytes()).map_err(tok_err)?;
        Self::from_tokenizer(inner, CHAT_TEMPLATE.to_string(), END)
    }

    /// A tokenizer with this chat template and end-of-sequence token (the char-level one, one
    /// loaded from disk, or one built elsewhere, e.g. by `bpe::train_bpe`).
    pub fn from_tokenizer(inner: Tokenizer, template: String, eos_token: &str) -> Result<Self, ModelError> {
        Self::build(inner, template, eos_token, None)
    }

    /// The tokenizer, its ids, and the pre-fill its template gives (read once, here).
    fn build(
        inner: Tokenizer,
        template: String,
        eos_token: &str,
        bos_token: Option<String>,
    ) -> Result<Self, ModelError> {
        let eos = inner
            .token_to_id(eos_token)
            .ok_or_else(|| ModelError::Tokenizer(format!("eos token `{eos_token}` is not in the vocabulary")))?;
        let unk = inner.token_to_id(UNK);
        let mut tok = ChatTokenizer {
            inner,
            template,
            eos,
            unk,
            eos_token: eos_token.to_string(),
            stops: vec![eos],
            bos_token,
            prefill: Default::default(),
        };
        tok.prefill = [tok.find_prefill(false), tok.find_prefill(true)];
        Ok(tok)
    }

    /// The part of the assistant turn the generation prompt pre-fills: what the prompt adds
    /// after a one-message conversation, from `<think>` on. Empty when the template pre-fills no
    /// think block, or when it cannot render that conversation (its render errors then surface
    /// on use).
    fn find_prefill(&self, thinking: bool) -> String {
        let user = [Message::user("x")];
        let (Ok(prompt), Ok(base)) = (self.render(&user, true, thinking), self.render(&user, false, thinking)) else {
            return String::new();
        };
        // What the generation prompt adds after the conversation: the assistant header, then
        // whatever the template opens the reply with — the pre-fill is that part from `<think>` on
        // (`<think>\n`, or Qwen3's empty block `<think>\n\n</think>\n\n` with thinking off).
        let added = prompt.strip_prefix(base.as_str()).unwrap_or("");
        added.find(THINK).map_or_else(String::new, |at| added[at..].to_string())
    }

    /// The `tokenizers` tokenizer inside (vocabulary, merges, added tokens).
    pub fn inner(&self) -> &Tokenizer {
        &self.inner
    }

    /// The chat template's source.
    pub fn template(&self) -> &str {
        &self.template
    }

    /// `tokenizer_config.json`'s `bos_token`, if any.
    pub fn bos_token(&self) -> Option<&str> {
        self.bos_token.as_deref()
    }

    /// The same tokenizer with another chat template (its pre-fill read afresh).
    pub fn with_template(&self, template: String) -> Result<Self, ModelError> {
        let tok = Self::build(self.inner.clone(), template, &self.eos_token, self.bos_token.clone())?;
        Ok(ChatTokenizer { stops: self.stops.clone(), ..tok })
    }

    /// The assistant text the generation prompt pre-fills, which every completion read back
    /// from a generation starts with: `<think>\n` with thinking on for deepthink's template,
    /// `<think>\n\n</think>\n\n` with it off (Qwen3's convention), empty for a template that
    /// pre-fills nothing.
    pub fn generation_prefill(&self, enable_thinking: bool) -> &str {
        &self.prefill[usize::from(enable_thinking)]
    }

    /// Load `tokenizer.json` and `tokenizer_config.json` (for `chat_template` and `eos_token`).
    pub fn load(dir: &Path) -> Result<Self, ModelError> {
        let tj = dir.join("tokenizer.json");
        let json = std::fs::read(&tj).map_err(|e| ModelError::io(&tj, e))?;
        Self::from_bytes(&json, &tokenizer_config_text(dir)?, dir)
    }

    /// Build from the contents of `tokenizer.json` and `tokenizer_config.json`; `dir` names
    /// their origin in errors.
    pub fn from_bytes(tokenizer_json: &[u8], tokenizer_config: &str, dir: &Path) -> Result<Self, ModelError> {
        let tj = dir.join("tokenizer.json");
        let inner = Tokenizer::from_bytes(tokenizer_json)
            .map_err(|e| ModelError::Checkpoint { path: tj.clone(), msg: e.to_string() })?;
        let cfg_path = dir.join("tokenizer_config.json");
        let text = tokenizer_config;
        let cfg: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| ModelError::Checkpoint { path: cfg_path.clone(), msg: e.to_string() })?;
        let template = cfg.get("chat_template").and_then(|t| t.as_str()).ok_or_else(|| ModelError::Checkpoint {
            path: cfg_path.clone(),
            msg: "field `chat_template` missing".into(),
        })?;
        let token = |key: &str| match cfg.get(key) {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(v) => v.get("content").and_then(|c| c.as_str()).map(str::to_string),
            None => None,
        };
        let eos = token("eos_token").unwrap_or_else(|| END.to_string());
        Self::build(inner, template.to_string(), &eos, token("bos_token"))
    }

    /// Write `tokenizer.json` and `tokenizer_config.json` into `dir` (each atomically).
    pub fn save(&self, dir: &Path) -> Result<(), ModelError> {
        let json = self.inner.to_string(true).map_err(tok_err)?;
        write_atomic(&dir.join("tokenizer.json"), json.as_bytes())?;
        let mut decoder = serde_json::Map::new();
        for (id, tok) in self.inner.get_added_tokens_decoder() {
            decoder.insert(
                id.to_string(),
                serde_json::json!({"content": tok.content, "special": tok.special,
                "lstrip": false, "rstrip": false, "normalized": false, "single_word": false}),
            );
        }
        let cfg = serde_json::json!({
            "tokenizer_class": "PreTrainedTokenizerFast",
            "chat_template": self.template,
            "eos_token": self.eos_token,
            "pad_token": self.eos_token,
            "unk_token": self.unk.map(|_| UNK),
            "bos_token": self.bos_token,
            "clean_up_tokenization_spaces": false,
            "model_max_length": 1_000_000,
            "added_tokens_decoder": decoder,
        });
        let text = serde_json::to_string_pretty(&cfg).map_err(tok_err)?;
        write_atomic(&dir.join("tokenizer_config.json"), text.as_bytes())
    }

    pub fn vocab_size(&self) -> usize {
        self.inner.get_vocab_size(true)
    }

    pub fn eos_id(&self) -> u32 {
        self.eos
    }

    /// Every token id that ends generation, `eos_id` first.
    pub fn stop_ids(&self) -> &[u32] {
        &self.stops
    }

    /// Also stop on `ids` (each must be in the vocabulary; `field` names where they came from).
    pub fn with_stop_ids(mut self, ids: &[u32], field: &str) -> Result<Self, ModelError> {
        let n = self.vocab_size();
        for &id in ids {
            if id as usize >= n {
                return Err(ModelError::Tokenizer(format!(
                    "{field}: end-of-sequence id {id} is outside the vocabulary ({n} tokens)"
                )));
            }
            if !self.stops.contains(&id) {
                self.stops.push(id);
            }
        }
        Ok(self)
    }

    pub fn token_id(&self, token: &str) -> Option<u32> {
        self.inner.token_to_id(token)
    }

    /// Encode text (markers such as `<think>` become their single tokens). A character outside
    /// the vocabulary is an error naming it, not a silent `<unk>`.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>, ModelError> {
        let enc = self.inner.encode(text, false).map_err(tok_err)?;
        if let Some(unk) = self.unk {
            if let Some(i) = enc.get_ids().iter().position(|&id| id == unk) {
                let (a, b) = enc.get_offsets()[i];
                let what = text.get(a..b).unwrap_or("?");
                return Err(ModelError::Input(format!(
                    "character {what:?} is not in this model's vocabulary (it knows: {ALPHABET:?})"
                )));
            }
        }
        Ok(enc.get_ids().to_vec())
    }

    /// Decode ids to text, keeping `<think>` / `</think>` and dropping special tokens.
    pub fn decode(&self, ids: &[u32]) -> String {
        self.inner.decode(ids, true).unwrap_or_default()
    }

    /// Render a conversation with the chat template.
    pub fn render(
        &self,
        messages: &[Message],
        add_generation_prompt: bool,
        enable_thinking: bool,
    ) -> Result<String, ModelError> {
        let vars = TemplateVars {
            bos_token: self.bos_token.clone(),
            eos_token: Some(self.eos_token.clone()),
            date_string: None,
        };
        render_chat_template(&self.template, &messages, add_generation_prompt, enable_thinking, &vars)
    }

    /// Token ids of the generation prompt for one user message.
    pub fn prompt_ids(&self, user: &str, thinking: bool) -> Result<Vec<u32>, ModelError> {
        self.encode(&self.render(&[Message::user(user)], true, thinking)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn think_markers_are_single_tokens_that_survive_decoding() {
        let t = ChatTokenizer::char_level().unwrap();
        let ids = t.encode("<think>\n1+1\n</think>\n\n2<|end|>").unwrap();
        assert_eq!(ids[0], t.token_id(THINK).unwrap());
        assert_eq!(ids.len(), 1 + 1 + 3 + 1 + 1 + 2 + 1 + 1);
        assert_eq!(t.decode(&ids), "<think>\n1+1\n</think>\n\n2");
    }

    #[test]
    fn the_prefill_comes_from_the_template() {
        let t = ChatTokenizer::char_level().unwrap();
        assert_eq!(t.generation_prefill(true), "<think>\n");
        assert_eq!(t.generation_prefill(false), "<think>\n\n</think>\n\n");
        let plain = ChatTokenizer::from_tokenizer(
            t.inner.clone(),
            "{% for m in messages %}{{ m['content'] }}{% endfor %}".into(),
            END,
        )
        .unwrap();
        assert_eq!(plain.generation_prefill(true), "");
    }

    #[test]
    fn generation_prompt_prefills_think() {
        let t = ChatTokenizer::char_level().unwrap();
        let on = t.render(&[Message::user("123*456")], true, true).unwrap();
        assert_eq!(on, "<|user|>123*456<|assistant|><think>\n");
        let off = t.render(&[Message::user("1*2")], true, false).unwrap();
        assert_eq!(off, "<|user|>1*2<|assistant|><think>\n\n</think>\n\n");
        let conv =
            t.render(&[Message::user("1*2"), Message::assistant("<think>\n\n</think>\n\n2")], false, true).unwrap();
        assert_eq!(conv, "<|user|>1*2<|assistant|><think>\n\n</think>\n\n2<|end|>");
    }

    #[test]
    fn unknown_characters_are_named() {
        let t = ChatTokenizer::char_level().unwrap();
        let e = t.encode("12×3").unwrap_err().to_string();
        assert!(e.contains("'×'") || e.contains("\"×\""), "{e}");
    }

    #[test]
    fn save_and_load_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let t = ChatTokenizer::char_level().unwrap();
        t.save(dir.path()).unwrap();
        let u = ChatTokenizer::load(dir.path()).unwrap();
        assert_eq!(u.encode("12*34<think>").unwrap(), t.encode("12*34<think>").unwrap());
        assert_eq!(u.eos_id(), t.eos_id());
        assert!(t.vocab_size() <= 64);
    }

    #[test]
    fn the_template_may_live_in_chat_template_jinja() {
        // transformers >= 4.43 (and so TRL's checkpoints) save the template beside the config
        let dir = tempfile::tempdir().unwrap();
        let t = ChatTokenizer::char_level().unwrap();
        t.save(dir.path()).unwrap();
        let cfg_path = dir.path().join("tokenizer_config.json");
        let mut cfg: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&cfg_path).unwrap()).unwrap();
        let template = cfg.as_object_mut().unwrap().remove("chat_template").unwrap();
        std::fs::write(&cfg_path, cfg.to_string()).unwrap();
        let missing = match ChatTokenizer::load(dir.path()) {
            Ok(_) => panic!("loaded without a chat template"),
            Err(e) => e.to_string(),
        };
        assert!(missing.contains("chat_template"), "{missing}");
        std::fs::write(dir.path().join("chat_template.jinja"), template.as_str().unwrap()).unwrap();
        let u = ChatTokenizer::load(dir.path()).unwrap();
        let q = [Message::user("12*34".to_string())];
        assert_eq!(u.render(&q, true, true).unwrap(), t.render(&q, true, true).unwrap());
    }
}
