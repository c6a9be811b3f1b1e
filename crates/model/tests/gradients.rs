//! The hand-written backward pass against finite differences, and the candle trap from
//! `docs/background/cpu-backends.md`: every parameter must receive a gradient.

mod common;

use deepthink_model::ops::cross_entropy_in_place;
use deepthink_model::Model;

fn loss_and_grads(m: &Model, toks: &[u32], targets: &[Option<u32>], b: usize, t: usize) -> (f64, Vec<f32>) {
    let (mut logits, mut tape) = m.forward_train(toks, b, t).unwrap();
    let (sum, n) = cross_entropy_in_place(&mut logits, targets, m.cfg.vocab_size);
    let mut grads = vec![0.0; m.n_params()];
    m.backward(&mut tape, &logits, &mut grads);
    (sum / n as f64, grads)
}

fn loss(m: &Model, toks: &[u32], targets: &[Option<u32>], b: usize, t: usize) -> f64 {
    let (mut logits, _) = m.forward_train(toks, b, t).unwrap();
    let (sum, n) = cross_entropy_in_place(&mut logits, targets, m.cfg.vocab_size);
    sum / n as f64
}

fn check(qkv_bias: bool, tie: bool) {
    check_shape(qkv_bias, tie, 2, 6);
}

fn check_shape(qkv_bias: bool, tie: bool, b: usize, t: usize) {
    let mut m = common::tiny(qkv_bias, tie, 3);
    let toks = common::tokens(b * t, 1);
    let targets: Vec<Option<u32>> =
        (0..b * t).map(|i| if i % 6 == 0 { None } else { Some(((i * 5) % 11) as u32) }).collect();
    let (_, grads) = loss_and_grads(&m, &toks, &targets, b, t);
    let entries = m.layout.entries.clone();
    let mut worst = 0.0f64;
    for e in &entries {
        let len = e.range.len();
        for k in 0..3 {
            // Embedding rows: only rows of tokens in the batch have a gradient, so probe those.
            let offset = if e.name == "model.embed_tokens.weight" {
                let d = m.cfg.d_model;
                toks[k * 5] as usize * d + (k * 3 + 1) % d
            } else {
                (k * 7919 + 13) % len
            };
            let i = e.range.start + offset;
            let orig = m.params[i];
            let eps = 1e-2f32;
            m.params[i] = orig + eps;
            let up = loss(&m, &toks, &targets, b, t);
            m.params[i] = orig - eps;
            let down = loss(&m, &toks, &targets, b, t);
            m.params[i] = orig;
            let fd = (up - down) / (2.0 * eps as f64);
            let an = grads[i] as f64;
            let err = (fd - an).abs() / (fd.abs().max(an.abs()) + 1e-3);
            worst = worst.max(err);
            assert!(err < 0.05, "{} [{}]: analytic {an:.6e} vs finite difference {fd:.6e}", e.name, i - e.range.start);
        }
    }
    eprintln!("bias={qkv_bias} tie={tie}: worst relative error {worst:.2e}");
}

#[test]
fn gradients_match_finite_differences_llama() {
    check(false, false);
}

#[test]
fn gradients_match_finite_differences_qwen2_tied() {
    check(true, true);
}

#[test]
fn gradients_match_finite_differences_across_attention_row_blocks() {
    // 150 positions span three 64-row attention blocks.
    check_shape(false, false, 1, 150);
}

#[test]
fn every_parameter_tensor_receives_a_gradient() {
    let (b, t) = (2, 8);
    let m = common::tiny(true, false, 5);
    let toks = common::tokens(b * t, 2);
    let targets: Vec<Option<u32>> = toks.iter().map(|&x| Some((x + 1) % 11)).collect();
    let (_, grads) = loss_and_grads(&m, &toks, &targets, b, t);
    for e in &m.layout.entries {
        let g = &grads[e.range.clone()];
        let norm: f32 = g.iter().map(|x| x * x).sum();
        // Embedding rows of unused tokens get none; the tensor as a whole must.
        assert!(norm > 0.0, "{} received no gradient", e.name);
    }
}
