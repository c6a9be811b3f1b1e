"""Builds, with `transformers`, small models of the two families whose GGUF export needs more than
`llama` and `qwen2` do — Llama 3 with `rope_scaling` of type `llama3` (exported as llama.cpp's
`rope_freqs.weight`) and Qwen3 (q/k norms) — with the committed byte-level BPE tokenizer, so that
`bench/gguf_check.py` can run each export in llama.cpp:

    python bench/make_gguf_cases.py OUT
    for m in llama3 qwen3; do
      deepthink export --model OUT/$m --gguf OUT/$m.gguf && python bench/gguf_check.py OUT/$m OUT/$m.gguf
    done

Same shapes as crates/model/tests/golden/make_hf_models.py, with a vocabulary of 384 rows (the
tokenizer's 362 tokens, padded) and `original_max_position_embeddings` 64, so Llama 3's frequencies
fall in all three of its bands.
"""
import pathlib
import shutil
import sys

import torch
from transformers import LlamaConfig, LlamaForCausalLM, Qwen3Config, Qwen3ForCausalLM

TOKENIZER = pathlib.Path(__file__).resolve().parent.parent / "crates/model/tests/golden/tiny-qwen-tokenizer"
ENDOFTEXT, IM_END = 357, 359

llama3 = LlamaConfig(
    vocab_size=384, hidden_size=64, intermediate_size=96, num_hidden_layers=2, num_attention_heads=4,
    num_key_value_heads=2, head_dim=16, max_position_embeddings=128, rms_norm_eps=1e-5,
    rope_theta=500000.0, tie_word_embeddings=True, bos_token_id=ENDOFTEXT, eos_token_id=IM_END,
    rope_scaling={"rope_type": "llama3", "factor": 32.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                  "original_max_position_embeddings": 64},
)
qwen3 = Qwen3Config(
    vocab_size=384, hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4,
    num_key_value_heads=2, head_dim=16, max_position_embeddings=128, rms_norm_eps=1e-6,
    rope_theta=1000000.0, tie_word_embeddings=True, attention_bias=False, use_sliding_window=False,
    sliding_window=None, max_window_layers=2, bos_token_id=ENDOFTEXT, eos_token_id=IM_END,
)

out = pathlib.Path(sys.argv[1])
for seed, (name, cls, cfg) in enumerate([("llama3", LlamaForCausalLM, llama3), ("qwen3", Qwen3ForCausalLM, qwen3)]):
    torch.manual_seed(seed)
    model = cls(cfg)
    with torch.no_grad():  # larger weights than the 0.02 init, so greedy decoding is not degenerate
        for p in model.parameters():
            if p.dim() > 1:
                p.normal_(0.0, 0.1)
            else:
                p.uniform_(0.5, 1.5)
    model.save_pretrained(out / name, safe_serialization=True)
    for f in ["tokenizer.json", "tokenizer_config.json"]:
        shutil.copy(TOKENIZER / f, out / name / f)
    print("wrote", out / name)
