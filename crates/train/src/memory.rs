//! Whether a model can be trained here: full AdamW in F32 holds the weights, their gradients and
//! two moment estimates — 16 bytes a parameter before any activation — so a 0.5B model needs
//! ~8 GB and a 1.5B one ~24 GB. Training refuses up front, with the figures, when that is more
//! than the machine has free, rather than swapping for hours; inference (`ask`, `eval`, search)
//! needs only the weights.

use crate::error::TrainError;

/// Bytes a parameter costs in training: F32 weights, gradients, and AdamW's two moments.
pub const BYTES_PER_PARAMETER: u64 = 16;

/// The memory Linux reports free for new allocations (`MemAvailable`), if it can be read.
pub fn available_bytes() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Refuse to train `n_params` parameters when the optimizer state and gradients still to be
/// allocated (12 of the 16 bytes a parameter: the weights are already loaded) exceed `available`.
pub fn ensure_trainable(n_params: usize, available: Option<u64>) -> Result<(), TrainError> {
    let Some(free) = available else { return Ok(()) };
    let more = 12 * n_params as u64;
    if more <= free {
        return Ok(());
    }
    let gb = |b: u64| b as f64 / 1e9;
    Err(TrainError::Config(format!(
        "training {:.2}B parameters needs ~{:.1} GB ({BYTES_PER_PARAMETER} bytes a parameter: F32 weights, gradients and AdamW's \
         two moments, before activations), but only {:.1} GB is free; this model is for inference here (ask, eval, search)",
        n_params as f64 / 1e9,
        gb(BYTES_PER_PARAMETER * n_params as u64),
        gb(free + 4 * n_params as u64),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_that_does_not_fit_is_refused_with_the_figures() {
        assert!(ensure_trainable(500_000_000, Some(16_000_000_000)).is_ok(), "0.5B in 16 GB free");
        let e = ensure_trainable(1_540_000_000, Some(14_000_000_000)).unwrap_err().to_string();
        assert!(e.contains("1.54B") && e.contains("24.6 GB") && e.contains("inference"), "{e}");
        assert!(ensure_trainable(usize::MAX / 32, None).is_ok(), "no /proc/meminfo: no check");
        assert!(available_bytes().is_none_or(|b| b > 0));
    }
}
