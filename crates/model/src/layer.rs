//! The decoder layer's math, stated once, with every place it is implemented and the test that
//! pins each implementation to the others. (Documentation only: the code is in the modules named.)
//!
//! The layer is written more than once on purpose: training needs the activations kept for the
//! backward pass over a padded batch, decoding needs a KV cache over a ragged batch and no
//! allocation per token, and each is several times faster in its own form than in the other's.
//!
//! # The math (Llama; Qwen2 adds the q/k/v biases)
//!
//! For a row `x` (one position, `d` wide), `H` query heads and `Hkv` key/value heads of width
//! `hd`, and `g = H / Hkv` query heads per key/value head:
//!
//! ```text
//! h      = RMSNorm(x) ⊙ w_attn_norm                      RMSNorm(v) = v / sqrt(mean(v²) + ε)
//! q, k, v = h·Wqᵀ (+bq), h·Wkᵀ (+bk), h·Wvᵀ (+bv)         (one fused qkv product)
//! q, k   = RoPE(q, pos), RoPE(k, pos)                     Hugging Face's rotate_half convention
//! a_i    = Σ_{j ≤ pos} softmax_j(q_i·k_{⌊i/g⌋, j} / √hd) · v_{⌊i/g⌋, j}    per query head i (causal GQA)
//! x      = x + concat(a)·Woᵀ
//! h      = RMSNorm(x) ⊙ w_mlp_norm
//! x      = x + (SiLU(h·Wgateᵀ) ⊙ h·Wupᵀ)·Wdownᵀ           SwiGLU
//! ```
//!
//! and after the last layer `logits = (RMSNorm(x) ⊙ w_final_norm)·Wₒᵤₜᵀ` (`Wₒᵤₜ` is the embedding
//! matrix when embeddings are tied). Tensor names and numerics follow `transformers`'
//! `modeling_llama.py` / `modeling_qwen2.py`.
//!
//! # Where it is implemented
//!
//! | part | training (padded batch, tape kept) | decoding (ragged batch, KV cache) |
//! |---|---|---|
//! | layer loop | [`crate::train_pass`] (`forward_train_with`, `backward`) | [`crate::infer`] (`forward_step`, `forward_rows`) |
//! | attention | [`crate::attention`] (causal GQA forward and backward, 64-row blocks); [`crate::prefix_attention`] over a [`crate::prefix_batch::PrefixBatch`] (GRPO's update: each prompt once, its completions after it) | [`crate::decode_attention`] (one query row against the cache, GQA heads in pairs) and `infer`'s plain loop for other head sizes |
//! | row-wise ops | [`crate::ops`] (RMSNorm, RoPE, SwiGLU, cross-entropy, with backward) | the same `ops` kernels, row by row |
//! | products | [`crate::matmul`] (`gemm`) | `matmul`'s dot-product kernels up to 128 rows, `gemm` above |
//! | parallelism | over rows and sequences | per operation for prefill; [`crate::decode_rows`]: one row group per thread through the whole stack for decode steps |
//! | `exp` | [`crate::fast_exp`] in SwiGLU and both softmaxes | the same |
//!
//! # What pins them together
//!
//! | claim | test |
//! |---|---|
//! | training logits and every gradient equal `transformers`' to 1e-4 | `tests/golden_transformers.rs` (`logits_and_gradients_match_transformers`; golden values and the script that made them in `tests/golden/`) |
//! | a prefix batch gives the padded grid's logits and gradients (the prompt repeated per completion) | `tests/prefix_batch.rs`, and `prefix_attention::tests` for the attention alone |
//! | the hand-written backward is the forward's derivative | `tests/gradients.rs` (finite differences, Llama and tied Qwen2 shapes, across attention row blocks) |
//! | decoding with the cache gives the training forward's logits | `tests/decode_consistency.rs` (prefill and step-by-step, ragged slots, three attention blocks) |
//! | row-group decoding gives the per-operation path's logits bit for bit (≤ 128 rows) | `decode_rows::tests::row_groups_give_the_per_operation_paths_logits_bit_for_bit` |
//! | paired-head decode attention equals head-by-head f64 attention | `decode_attention::tests::matches_head_by_head_attention_for_every_grouping_and_length` |
//! | a sequence's tokens do not depend on what shares its batch or when it joined | `tests/engine.rs` (`a_sequence_joining_mid_batch_decodes_as_it_does_alone`) |
//! | fast `exp` is within 3 ulp of `f64::exp` | `fast_exp::tests::agrees_with_f64_exp_over_the_normal_range` |
