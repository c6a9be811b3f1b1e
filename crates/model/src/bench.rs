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

/// Seconds per decode step (after the prefill step, which is not counted) when the `prompts`
/// decode `new_tokens` greedy tokens each through one [`crate::DecodeEngine`]: the median of
/// `reps` runs after one warm-up. Every step feeds one token per sequence.
pub fn decode_step_seconds(
    model: &Model,
    prompts: &[Vec<u32>],
    new_tokens: usize,
    reps: usize,
) -> Result<f64, ModelError> {
    if new_tokens < 2 {
        return Err(ModelError::Input("timing decode steps needs at least 2 new tokens".into()));
    }
    let longest = prompts.iter().map(Vec::len).max().unwrap_or(0);
    let mut times = Vec::new();
    for _ in 0..reps + 1 {
        let mut engine = crate::DecodeEngine::new(model, prompts.len(), longest + new_tokens, &[]);
        for p in prompts {
            engine
                .add(GenRequest::new(p.clone(), SamplingParams { max_new_tokens: new_tokens, ..Default::default() }))?;
        }
        engine.step()?; // prefill, and the first token
        let t0 = Instant::now();
        for _ in 1..new_tokens {
            if engine.step()?.len() != prompts.len() {
                return Err(ModelError::Input("a benchmark sequence stopped early".into()));
            }
        }
        times.push(t0.elapsed().as_secs_f64() / (new_tokens - 1) as f64);
    }
    times.remove(0);
    Ok(median(times))
}

/// This machine's memory bandwidth in GB/s, as STREAM's "copy" counts it (bytes read plus bytes
/// written): the best of 5 copies of a 256 MiB buffer on the current thread pool.
pub fn copy_bandwidth_gbs() -> f64 {
    use rayon::prelude::*;
    const N: usize = 64 << 20; // f32s: 256 MiB
    let src: Vec<f32> = (0..N).map(|i| i as f32).collect();
    let mut dst = vec![0.0f32; N];
    let chunk = N.div_ceil(rayon::current_num_threads().max(1));
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let t0 = Instant::now();
        dst.par_chunks_mut(chunk).zip(src.par_chunks(chunk)).for_each(|(d, s)| d.copy_from_slice(s));
        best = best.min(t0.elapsed().as_secs_f64());
    }
    std::hint::black_box(&dst);
    (2 * N * 4) as f64 / best / 1e9
}

/// The arithmetic this machine reaches in `f32`: GFLOP/s of a 1024³ product through `gemm` on
/// the current thread pool, the best of 3.
pub fn gemm_gflops() -> f64 {
    use crate::matmul::{gemm_into, View, Write};
    const N: usize = 1024;
    let a: Vec<f32> = (0..N * N).map(|i| (i % 7) as f32).collect();
    let mut c = vec![0.0f32; N * N];
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let t0 = Instant::now();
        gemm_into(&mut c, N, View::rows(&a, N), View::rows(&a, N), (N, N, N), 1.0, Write::Set, true);
        best = best.min(t0.elapsed().as_secs_f64());
    }
    std::hint::black_box(&c);
    2.0 * (N * N * N) as f64 / best / 1e9
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
