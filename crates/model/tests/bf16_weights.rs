//! Weights held in BF16 (`--dtype bf16`): the same model as its weights rounded to BF16 and held
//! in f32, whichever path a product takes, and loaded straight from a checkpoint.

use std::path::PathBuf;

use deepthink_model::{load_checkpoint, load_checkpoint_as, KvCache, Model, StepToken, WeightDtype};

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name)
}

/// Logits after prefilling `n_seqs` prompts of `len` tokens and decoding two more for each.
fn logits(model: &Model, n_seqs: usize, len: usize, threads: usize) -> Vec<Vec<f32>> {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    let v = model.cfg.vocab_size;
    pool.install(|| {
        let mut cache = KvCache::new(model, n_seqs, len + 4);
        let prefill: Vec<StepToken> = (0..n_seqs)
            .flat_map(|slot| {
                (0..len).map(move |t| StepToken { slot, token: ((t * 7 + slot * 3) % v) as u32, want_logits: true })
            })
            .collect();
        let mut out = vec![model.forward_step(&mut cache, &prefill).unwrap().to_vec()];
        for step in 0..2 {
            let steps: Vec<StepToken> = (0..n_seqs)
                .map(|slot| StepToken { slot, token: ((slot * 5 + step) % v) as u32, want_logits: true })
                .collect();
            out.push(model.forward_step(&mut cache, &steps).unwrap().to_vec());
        }
        out
    })
}

#[test]
fn a_bf16_model_computes_what_its_rounded_f32_twin_computes() {
    for name in ["tiny-qwen3", "tiny-llama3", "tiny-qwen2-tied"] {
        let half = load_checkpoint(&golden(name)).unwrap().model.into_dtype(WeightDtype::Bf16);
        let twin = half.clone().into_dtype(WeightDtype::F32);
        assert_eq!(half.dtype(), WeightDtype::Bf16);
        // Few rows (the dot-product kernels, serial and row-grouped): bit for bit.
        for threads in [1, 2] {
            assert_eq!(logits(&half, 8, 5, threads), logits(&twin, 8, 5, threads), "{name}, {threads} threads");
        }
        // Many rows (a prefill of 8 × 25 tokens goes through gemm on widened blocks): to rounding.
        let (a, b) = (logits(&half, 8, 25, 2), logits(&twin, 8, 25, 2));
        for (x, y) in a.iter().flatten().zip(b.iter().flatten()) {
            assert!((x - y).abs() <= 1e-4 * (1.0 + y.abs()), "{name}: {x} vs {y}");
        }
    }
}

#[test]
fn loading_as_bf16_rounds_each_tensor_once_and_training_refuses_it() {
    let dir = golden("tiny-qwen3-sharded");
    let direct = load_checkpoint_as(&dir, WeightDtype::Bf16).unwrap().model;
    let via_f32 = load_checkpoint(&dir).unwrap().model.into_dtype(WeightDtype::Bf16);
    assert_eq!(direct.dtype(), WeightDtype::Bf16);
    assert_eq!(direct.into_dtype(WeightDtype::F32).params, via_f32.clone().into_dtype(WeightDtype::F32).params);
    let Err(e) = via_f32.forward_train(&[1, 2, 3, 4], 1, 4) else { panic!("a BF16 model trained") };
    let e = e.to_string();
    assert!(e.contains("training needs the weights in f32") && e.contains("bf16"), "{e}");
    let e = deepthink_model::checkpoint::model_safetensors(&via_f32).unwrap_err().to_string();
    assert!(e.contains("saving a checkpoint"), "{e}");
}
