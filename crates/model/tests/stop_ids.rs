//! Several end-of-sequence ids (Llama 3's `generation_config.json` lists three): every one is
//! read, every one stops generation, and a checkpoint saves them back.

use std::path::PathBuf;

use deepthink_model::{generate, load_checkpoint, save_checkpoint, FinishReason, GenRequest, SamplingParams};

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name)
}

fn copy_of(name: &str, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for f in ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"] {
        std::fs::copy(golden(name).join(f), to.join(f)).unwrap();
    }
}

#[test]
fn every_listed_eos_id_stops_generation_and_survives_a_save() {
    let dir = tempfile::tempdir().unwrap();
    let ck_dir = dir.path().join("ck");
    copy_of("tiny-llama3", &ck_dir);
    let plain = load_checkpoint(&ck_dir).unwrap();
    assert_eq!(plain.tokenizer.stop_ids(), &[0], "config.json's eos_token_id");
    // Greedy decoding's first token, made a stop token by generation_config.json.
    let prompt = vec![3, 4, 5];
    let params = SamplingParams { max_new_tokens: 8, ..SamplingParams::default() };
    let free = generate(&plain.model, &[GenRequest::new(prompt.clone(), params.clone())], &[], &mut |_, _| {}).unwrap();
    let first = free[0].tokens[0];
    std::fs::write(ck_dir.join("generation_config.json"), format!("{{\"eos_token_id\": [0, 7, {first}]}}")).unwrap();
    let ck = load_checkpoint(&ck_dir).unwrap();
    let stops = ck.tokenizer.stop_ids();
    assert_eq!(&stops[..2], &[0, 7]);
    assert!(stops.contains(&first) && stops.len() == if first == 0 || first == 7 { 2 } else { 3 }, "{stops:?}");
    let out = generate(&ck.model, &[GenRequest::new(prompt, params)], ck.tokenizer.stop_ids(), &mut |_, _| {}).unwrap();
    assert_eq!(out[0].finish, FinishReason::Stop);
    assert_eq!(out[0].tokens, vec![first], "stopped on the listed id");
    let saved = dir.path().join("saved");
    save_checkpoint(&saved, &ck.model, &ck.tokenizer, &serde_json::json!({}), &[]).unwrap();
    assert_eq!(load_checkpoint(&saved).unwrap().tokenizer.stop_ids(), ck.tokenizer.stop_ids());
    std::fs::write(ck_dir.join("generation_config.json"), "{\"eos_token_id\": [0, 128009]}").unwrap();
    let err = load_checkpoint(&ck_dir).err().unwrap().to_string();
    assert!(err.contains("generation_config.json") && err.contains("128009"), "{err}");
}
