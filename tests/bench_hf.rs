//! `deepthink bench --hf` on a small checkpoint with a byte-level BPE tokenizer, without the
//! references: the report has every figure, derived from the model's own size and dtype.

use std::process::Command;

use deepthink_model::{bpe::train_bpe, save_checkpoint, Model, ModelConfig, ModelShape};

fn bench(dir: &std::path::Path, dtype: &str) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_deepthink"))
        .args(["bench", "--hf", dir.to_str().unwrap(), "--dtype", dtype, "--new-tokens", "3", "--batch", "2"])
        .args(["--reps", "1", "--threads", "2"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("single sequence ms/token") && stdout.contains("copy bandwidth"), "{stdout}");
    serde_json::from_str(stdout.lines().last().unwrap()).unwrap()
}

#[test]
fn bench_hf_reports_load_logits_and_decode_figures_per_dtype() {
    let texts = ["What is 12 + 30?", "42", "Spell cat backward.", "tac"].repeat(20);
    let tok = train_bpe(texts.iter().map(|s| &**s), 300).unwrap();
    let shape =
        ModelShape { d_model: 32, n_layers: 2, n_heads: 2, n_kv_heads: 1, ffn_dim: 48, ..ModelShape::default() };
    let model = Model::new_random(ModelConfig::from_shape(&shape, tok.vocab_size()).unwrap(), 1);
    let dir = tempfile::tempdir().unwrap();
    save_checkpoint(dir.path(), &model, &tok, &serde_json::json!({}), &[]).unwrap();
    let f32 = bench(dir.path(), "f32");
    let bf16 = bench(dir.path(), "bf16");
    let per_token = model.n_params() - if model.cfg.tie_embeddings { 0 } else { model.cfg.vocab_size * 32 };
    assert_eq!(f32["weight_bytes_per_token"], serde_json::json!((4 * per_token) as f64));
    assert_eq!(bf16["weight_bytes_per_token"], serde_json::json!((2 * per_token) as f64));
    for v in [&f32, &bf16] {
        let d = &v["deepthink"];
        for key in ["load_s", "peak_rss_mib", "single_ms_per_token", "batched_tokens_per_s", "single_gb_per_s"] {
            assert!(d[key].as_f64().is_some_and(|x| x > 0.0), "{key}: {v}");
        }
        assert!(v["machine"]["copy_gb_per_s"].as_f64().is_some_and(|x| x > 0.0), "{v}");
        assert_eq!(v["references"], serde_json::json!({}), "no reference was asked for");
    }
}
