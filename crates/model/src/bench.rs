//! The engine's own benchmark kernels, which `deepthink bench` times against PyTorch and which
//! the search and GRPO benchmarks use as the engine's ceiling: batched greedy decoding of
//! synthetic prompts. (The training step's kernel is `deepthink_train::bench`.)

use std::time::Instant;

use crate::error::ModelError;
use crate::generate::{generate, GenRequest};
use crate::model::Model;
use crate::sampling::SamplingParams;

/// The middle value (the upper one of an even count); NaN for none.
pub fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Median seconds (of `reps`, after one warm-up) to decode `new_tokens` greedy tokens for each
/// of `n_seqs` sequences from 16-token synthetic prompts, batched. An error if a sequence stops
/// early (no stop tokens are given, so none should).
pub fn decode_seconds(model: &Model, n_seqs: usize, new_tokens: usize, reps: usize) -> Result<f64, ModelError> {
    let v = model.cfg.vocab_size as u32;
    let reqs: Vec<GenRequest> = (0..n_seqs)
        .map(|i| {
            GenRequest::new(
                (0..16).map(|j| (i as u32 * 3 + j * 7 + 1) % v).collect(),
                SamplingParams { max_new_tokens: new_tokens, ..Default::default() },
            )
        })
        .collect();
    let mut times = Vec::new();
    for _ in 0..reps + 1 {
        let t0 = Instant::now();
        let outs = generate(model, &reqs, &[], &mut |_, _| {})?;
        if outs.iter().any(|o| o.tokens.len() != new_tokens) {
            return Err(ModelError::Input("a benchmark sequence stopped early".into()));
        }
        times.push(t0.elapsed().as_secs_f64());
    }
    times.remove(0);
    Ok(median(times))
}

/// Peak resident memory of this process in MiB (Linux; 0 elsewhere).
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse::<f64>().unwrap_or(0.0))
        })
        .unwrap_or(0.0)
        / 1024.0
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn median_is_the_upper_middle() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 3.0);
        assert!(median(Vec::new()).is_nan());
    }
}
