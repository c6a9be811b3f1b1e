//! Training: AdamW with warm-up + cosine, supervised fine-tuning (imitation learning) on
//! question → reasoning → answer, with resumable runs and per-step metrics.

pub mod bench;
pub mod config_file;
pub mod data_file;
pub mod distill;
pub mod error;
pub mod examples;
pub mod grpo;
pub mod memory;
pub mod metrics;
pub mod optim;
pub mod pipeline;
pub mod pretrain;
pub mod provenance;
pub mod run_loop;
pub mod run_state;
pub mod schedule;
pub mod sft;
pub mod step_records;
pub mod verifier;

pub use error::TrainError;
pub use provenance::TrainedOn;
pub use sft::{train_sft, SftConfig, SftData, SftOutcome};
pub use verifier::{train_verifier, VerifierConfig, VerifierOutcome};
