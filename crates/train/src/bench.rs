//! The training step's benchmark kernel, which `deepthink bench` times against PyTorch eager:
//! forward, cross-entropy, backward, clipping and an AdamW update of a 32 × 128 synthetic batch.

use std::time::Instant;

use deepthink_model::bench::median;
use deepthink_model::ops::cross_entropy_in_place;
use deepthink_model::{Model, ModelError};

use crate::optim::{clip_grad_norm, AdamW, AdamWConfig};

/// Median training tokens per second over `reps` steps (after one warm-up).
pub fn train_tokens_per_s(model: &mut Model, reps: usize) -> Result<f64, ModelError> {
    let (b, t) = (32, 128);
    let v = model.cfg.vocab_size as u32;
    let tokens: Vec<u32> = (0..b * t).map(|i| (i as u32 * 7 + 3) % v).collect();
    let targets: Vec<Option<u32>> = (0..b * t).map(|i| Some((i as u32 * 5 + 1) % v)).collect();
    let mut opt = AdamW::new(AdamWConfig::default(), &model.layout);
    let mut grads = vec![0.0; model.n_params()];
    let mut times = Vec::new();
    let mut tape = Default::default();
    for _ in 0..reps + 1 {
        let t0 = Instant::now();
        let mut logits = model.forward_train_with(&tokens, b, t, &mut tape)?;
        cross_entropy_in_place(&mut logits, &targets, v as usize);
        grads.fill(0.0);
        model.backward(&mut tape, &logits, &mut grads);
        clip_grad_norm(&mut grads, 1.0);
        opt.update(&mut model.params, &grads, 1e-4);
        times.push(t0.elapsed().as_secs_f64());
    }
    times.remove(0);
    Ok((b * t) as f64 / median(times))
}
