//! Helpers shared by the binary's test files.

use std::process::{Command, Output};

/// Run the deepthink binary.
pub fn deepthink(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_deepthink")).args(args).output().expect("run deepthink")
}

/// Run the deepthink binary and assert it succeeded.
pub fn succeeds(args: &[&str]) -> Output {
    let out = deepthink(args);
    assert!(out.status.success(), "deepthink {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// A one-layer, 16-wide model: the smallest shape a training run takes.
pub const TINY_SHAPE: &[&str] = &["--d-model", "16", "--layers", "1", "--heads", "2", "--kv-heads", "1", "--ffn", "16"];

/// Two steps of [`TINY_SHAPE`]: the smallest training run.
pub fn tiny_run() -> Vec<&'static str> {
    let mut flags = vec!["--steps", "2", "--batch-size", "2"];
    flags.extend_from_slice(TINY_SHAPE);
    flags
}
