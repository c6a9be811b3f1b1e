use deepthink_model::config::{ModelConfig, ModelShape};
use deepthink_model::Model;

/// A tiny model with every optional part switched on or off.
pub fn tiny(qkv_bias: bool, tie: bool, seed: u64) -> Model {
    let shape = ModelShape {
        d_model: 16,
        n_layers: 2,
        n_heads: 4,
        n_kv_heads: 2,
        ffn_dim: 24,
        max_seq_len: 160,
        tie_embeddings: tie,
        qkv_bias,
    };
    let cfg = ModelConfig::from_shape(&shape, 64).unwrap();
    let mut m = Model::new_random(cfg, seed);
    // Larger weights than the training init so every path carries signal.
    for (i, p) in m.params.iter_mut().enumerate() {
        *p += 0.1 * ((i as f32) * 0.7).sin();
    }
    m
}

#[allow(dead_code)] // not every test binary that includes this module uses it
pub fn tokens(n: usize, seed: u32) -> Vec<u32> {
    (0..n as u32).map(|i| (i * 7 + seed * 3 + 1) % 11).collect()
}
