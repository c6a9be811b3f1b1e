//! deepthink's model crate: a Llama/Qwen2-family decoder that trains and decodes on the CPU.
//!
//! - [`config`]: `config.json` ⇄ [`ModelConfig`]
//! - [`params`]: the flat parameter buffer and its named [`Layout`]; [`dtype`]: weights held in
//!   F32 or, for inference, BF16
//! - [`layer`]: the decoder layer's math in one place, where each implementation of it lives, and
//!   the tests that pin them to each other
//! - [`model`], [`train_pass`], [`attention`], [`ops`], [`matmul`]: the forward and backward passes;
//!   [`prefix_batch`], [`prefix_attention`]: the same passes with a shared prompt stored once
//! - [`infer`], [`sampling`], [`engine`], [`generate`]: KV-cached decoding, step-wise (sequences join
//!   and leave between steps) and batched; [`thinking`]: the thinking budget it enforces
//! - [`tokenizer`], [`checkpoint`]: Hugging Face formats on disk

pub mod attention;
pub mod bench;
pub mod bpe;
pub mod chat_template;
pub mod checkpoint;
pub mod config;
pub mod decode_attention;
mod decode_rows;
pub mod dtype;
pub mod engine;
pub mod error;
pub mod fast_exp;
pub mod fsutil;
pub mod generate;
pub mod gguf;
pub mod infer;
pub mod layer;
pub mod matmul;
pub mod model;
pub mod ops;
pub mod params;
pub mod prefix_attention;
pub mod prefix_batch;
pub mod qk_norm;
pub mod rope_scaling;
pub mod sampling;
pub mod sequence;
mod step;
pub mod thinking;
pub mod tokenizer;
pub mod train_pass;

pub use checkpoint::{load_checkpoint, load_checkpoint_as, save_checkpoint, Checkpoint};
pub use config::{ModelConfig, ModelShape};
pub use dtype::WeightDtype;
pub use engine::{DecodeEngine, SeqId, TokenEvent};
pub use error::ModelError;
pub use generate::{generate, generate_with_prefixes, FinishReason, GenOutput, GenRequest, PrefixStore};
pub use infer::{KvCache, KvSnapshot, StepToken};
pub use model::Model;
pub use params::Layout;
pub use sampling::SamplingParams;
pub use thinking::{ThinkTags, ThinkingBudget};
pub use tokenizer::{ChatTokenizer, Message};
