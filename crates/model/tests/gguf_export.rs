//! GGUF export: the container's header, its counts and alignment, and the refusals. (That the
//! q/k permutation matches llama.cpp's converter and that llama.cpp runs the file is checked by
//! `bench/gguf_check.py`, which needs the `gguf` and `llama-cpp-python` packages.)

use deepthink_model::gguf::{write_gguf, GgufDtype};
use deepthink_model::{bpe::train_bpe, ChatTokenizer, Model, ModelConfig, ModelShape};

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

#[test]
fn a_bpe_model_exports_as_gguf_v3_and_a_character_level_one_is_refused() {
    let texts = ["What is 12 + 30?", "42", "Spell cat backward.", "tac"].repeat(20);
    let tok = train_bpe(texts.iter().map(|s| &**s), 300).unwrap();
    let shape =
        ModelShape { d_model: 16, n_layers: 2, n_heads: 2, n_kv_heads: 1, ffn_dim: 24, ..ModelShape::default() };
    let model = Model::new_random(ModelConfig::from_shape(&shape, tok.vocab_size()).unwrap(), 1);
    let dir = tempfile::tempdir().unwrap();
    for (dtype, name) in [(GgufDtype::F32, "f32"), (GgufDtype::F16, "f16"), (GgufDtype::BF16, "bf16")] {
        let path = dir.path().join(format!("m-{name}.gguf"));
        write_gguf(&path, &model, &tok, dtype).unwrap();
        let b = std::fs::read(&path).unwrap();
        assert_eq!(&b[..4], b"GGUF");
        assert_eq!(u32::from_le_bytes(b[4..8].try_into().unwrap()), 3, "version");
        assert_eq!(u64_at(&b, 8), model.layout.entries.len() as u64, "one GGUF tensor per checkpoint tensor");
        assert!(u64_at(&b, 16) >= 20, "metadata keys");
        assert_eq!(b.len() % 32, 0, "data padded to the alignment");
        let matrices: usize = model.layout.entries.iter().filter(|e| e.shape.len() == 2).map(|e| e.range.len()).sum();
        let vectors: usize = model.layout.entries.iter().filter(|e| e.shape.len() == 1).map(|e| e.range.len()).sum();
        let bytes_each = if dtype == GgufDtype::F32 { 4 } else { 2 };
        assert!(b.len() >= matrices * bytes_each + vectors * 4, "{name}: {} bytes", b.len());
    }
    let char_level = ChatTokenizer::char_level().unwrap();
    let m = Model::new_random(ModelConfig::from_shape(&shape, char_level.vocab_size()).unwrap(), 1);
    let e = write_gguf(&dir.path().join("c.gguf"), &m, &char_level, GgufDtype::F32).unwrap_err().to_string();
    assert!(e.contains("byte-level BPE"), "{e}");
    assert!(!dir.path().join("c.gguf").exists(), "nothing written");
}
