//! Logits, loss gradients, tokenization and chat rendering against Hugging Face `transformers`.
//!
//! `golden/make_golden.py` loads the committed checkpoints in `golden/` with
//! `AutoModelForCausalLM.from_pretrained` and writes `golden/*/golden.safetensors` and
//! `golden/*/golden.json`. CI compares against those committed files, so it needs no PyTorch.
//! `write_golden_checkpoints` (ignored) regenerates the checkpoints themselves.

mod common;

use std::path::PathBuf;

use deepthink_model::ops::cross_entropy_in_place;
use deepthink_model::{load_checkpoint, save_checkpoint, ChatTokenizer, Message};
use safetensors::SafeTensors;

const CASES: [(&str, bool, bool); 2] = [("tiny-llama", false, false), ("tiny-qwen2-tied", true, true)];
/// Checkpoints made by transformers itself (`golden/make_hf_models.py`), not by deepthink.
const MADE_BY_TRANSFORMERS: [&str; 2] = ["tiny-llama3", "tiny-qwen3"];

fn dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name)
}

#[test]
#[ignore = "regenerates the committed golden checkpoints; then run golden/make_golden.py"]
fn write_golden_checkpoints() {
    for (name, bias, tie) in CASES {
        let m = common::tiny(bias, tie, 42);
        let tok = ChatTokenizer::char_level().unwrap();
        // Token ids in the golden batch stay below 11, inside the character vocabulary.
        save_checkpoint(&dir(name), &m, &tok, &serde_json::json!({"purpose": "golden test"}), &[]).unwrap();
    }
}

fn f32s(st: &SafeTensors, name: &str) -> Vec<f32> {
    let v = st.tensor(name).unwrap();
    v.data().chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
}

#[test]
fn logits_and_gradients_match_transformers() {
    for name in CASES.iter().map(|c| c.0).chain(MADE_BY_TRANSFORMERS) {
        let ck = load_checkpoint(&dir(name)).unwrap();
        let m = ck.model;
        let bytes = std::fs::read(dir(name).join("golden.safetensors")).unwrap();
        let st = SafeTensors::deserialize(&bytes).unwrap();
        let ids: Vec<u32> = f32s(&st, "input_ids").iter().map(|&x| x as u32).collect();
        let targets: Vec<Option<u32>> =
            f32s(&st, "labels").iter().map(|&x| if x < 0.0 { None } else { Some(x as u32) }).collect();
        let shape = st.tensor("input_ids").unwrap().shape().to_vec();
        let (b, t) = (shape[0], shape[1]);
        let (mut logits, mut tape) = m.forward_train(&ids, b, t).unwrap();
        let want = f32s(&st, "logits");
        let max_diff = logits.iter().zip(&want).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        assert!(max_diff < 1e-4, "{name}: logits differ by {max_diff}");
        let (sum, n) = cross_entropy_in_place(&mut logits, &targets, m.cfg.vocab_size);
        let want_loss = f32s(&st, "loss")[0] as f64;
        assert!((sum / n as f64 - want_loss).abs() < 1e-5, "{name}: loss {} vs {want_loss}", sum / n as f64);
        let mut grads = vec![0.0; m.n_params()];
        m.backward(&mut tape, &logits, &mut grads);
        for e in &m.layout.entries {
            let want = f32s(&st, &format!("grad.{}", e.name));
            let got = &grads[e.range.clone()];
            let scale = want.iter().map(|x| x.abs()).fold(0.0, f32::max).max(1e-6);
            let diff = got.iter().zip(&want).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
            assert!(
                diff <= 1e-4 * scale.max(1.0),
                "{name}: gradient of {} differs by {diff} (max |g| {scale})",
                e.name
            );
        }
    }
}

#[test]
fn tokenizer_and_chat_template_match_transformers() {
    let text = std::fs::read_to_string(dir("tiny-llama").join("golden.json")).unwrap();
    let golden: serde_json::Value = serde_json::from_str(&text).unwrap();
    let tok = ChatTokenizer::load(&dir("tiny-llama")).unwrap();
    for case in golden["chat"].as_array().unwrap() {
        let msgs: Vec<Message> = case["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| Message {
                role: m["role"].as_str().unwrap().into(),
                content: m["content"].as_str().unwrap().into(),
            })
            .collect();
        let gen = case["add_generation_prompt"].as_bool().unwrap();
        let think = case["enable_thinking"].as_bool().unwrap();
        let ours = tok.render(&msgs, gen, think).unwrap();
        assert_eq!(ours, case["text"].as_str().unwrap());
        let ids: Vec<u32> = case["ids"].as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as u32).collect();
        assert_eq!(tok.encode(&ours).unwrap(), ids);
        assert_eq!(tok.decode(&ids), case["decoded_skip_special"].as_str().unwrap());
    }
}

#[test]
fn llama3_rope_scaling_is_read_and_changes_the_logits() {
    let ck = load_checkpoint(&dir("tiny-llama3")).unwrap();
    assert!(ck.model.cfg.rope_scaling.is_some(), "rope_parameters.rope_type = llama3 is read");
    assert_eq!(ck.model.cfg.rope_theta, 500_000.0);
    let ids: Vec<u32> = (0..9).map(|i| (i * 7 + 3) % 11).collect();
    let (scaled, _) = ck.model.forward_train(&ids, 1, 9).unwrap();
    let mut cfg = ck.model.cfg.clone();
    cfg.rope_scaling = None;
    let plain = deepthink_model::Model::from_params(cfg, ck.model.params.clone()).unwrap();
    let (unscaled, _) = plain.forward_train(&ids, 1, 9).unwrap();
    let diff = scaled.iter().zip(&unscaled).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
    assert!(
        diff > 1e-2,
        "without the scaling the logits must differ (the golden test could not fail otherwise): {diff}"
    );
}

#[test]
fn transformers_built_checkpoints_save_and_load_back_unchanged() {
    for name in MADE_BY_TRANSFORMERS {
        let ck = load_checkpoint(&dir(name)).unwrap();
        let out = tempfile::tempdir().unwrap();
        let saved = out.path().join(name);
        save_checkpoint(&saved, &ck.model, &ck.tokenizer, &serde_json::json!({}), &[]).unwrap();
        let back = load_checkpoint(&saved).unwrap();
        assert_eq!(back.model.cfg, ck.model.cfg, "{name}: config");
        assert!(back.model.params == ck.model.params, "{name}: weights");
    }
}

#[test]
fn sharded_weights_load_as_the_single_file_does_and_a_missing_shard_is_named() {
    let one = load_checkpoint(&dir("tiny-qwen3")).unwrap();
    let sharded = load_checkpoint(&dir("tiny-qwen3-sharded")).unwrap();
    assert!(sharded.model.params == one.model.params, "4 shards, the same weights");
    let tmp = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(dir("tiny-qwen3-sharded")).unwrap() {
        let f = f.unwrap();
        if !f.file_name().to_string_lossy().contains("00003") {
            std::fs::copy(f.path(), tmp.path().join(f.file_name())).unwrap();
        }
    }
    let err = load_checkpoint(tmp.path()).err().unwrap().to_string();
    assert!(err.contains("model-00003-of-00004.safetensors"), "{err}");
}
