"""Builds random-weight checkpoints with the exact configurations of two real models, made by
`transformers` itself, for `deepthink bench --hf` (no machine here reaches the model hub):

- qwen2.5-0.5b/: Qwen2.5-0.5B-Instruct — 24 layers, d 896, 14 heads / 2 KV heads, SwiGLU 4864,
  vocab 151,936, tied embeddings, q/k/v biases, RoPE theta 1,000,000 (494 M parameters);
- r1-distill-1.5b/: DeepSeek-R1-Distill-Qwen-1.5B — 28 layers, d 1536, 12 heads / 2 KV heads,
  SwiGLU 8960, vocab 151,936, untied output, RoPE theta 10,000 (1.78 B parameters).

The values are those of the published `config.json` files. Weights are transformers' own
initialisation (normal, std 0.02), saved in BF16 as the real checkpoints ship, with the
byte-level BPE tokenizer of crates/model/tests/golden/tiny-qwen-tokenizer (the model's vocabulary
rows beyond it are padding, as Qwen's 151,665 tokens are padded to 151,936 rows). The special-token
ids (`bos_token_id`, `eos_token_id`) are that tokenizer's `<|endoftext|>` and `<|im_end|>`, since
the real ids (151643, 151645) name tokens it does not have.

    python bench/make_real_size.py OUT_DIR [qwen2.5-0.5b] [r1-distill-1.5b]
"""
import pathlib
import shutil
import sys

import torch
from transformers import Qwen2Config, Qwen2ForCausalLM

COMMON = dict(
    architectures=["Qwen2ForCausalLM"], hidden_act="silu", initializer_range=0.02, rms_norm_eps=1e-6,
    vocab_size=151936, use_sliding_window=False, attention_dropout=0.0,
)
ENDOFTEXT, IM_END = 357, 359  # in the tiny tokenizer; 151643 and 151645 in Qwen's
CONFIGS = {
    "qwen2.5-0.5b": dict(
        hidden_size=896, intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14,
        num_key_value_heads=2, max_position_embeddings=32768, max_window_layers=21, rope_theta=1000000.0,
        sliding_window=32768, tie_word_embeddings=True, bos_token_id=ENDOFTEXT, eos_token_id=IM_END,
    ),
    "r1-distill-1.5b": dict(
        hidden_size=1536, intermediate_size=8960, num_hidden_layers=28, num_attention_heads=12,
        num_key_value_heads=2, max_position_embeddings=131072, max_window_layers=21, rope_theta=10000.0,
        sliding_window=4096, tie_word_embeddings=False, bos_token_id=ENDOFTEXT, eos_token_id=ENDOFTEXT,
    ),
}
TOKENIZER = pathlib.Path(__file__).resolve().parent.parent / "crates/model/tests/golden/tiny-qwen-tokenizer"


def build(out: pathlib.Path, name: str, seed: int):
    torch.manual_seed(seed)
    config = Qwen2Config(**COMMON, **CONFIGS[name])
    model = Qwen2ForCausalLM(config).to(torch.bfloat16)
    model.save_pretrained(out / name, safe_serialization=True)
    for f in ["tokenizer.json", "tokenizer_config.json"]:
        shutil.copy(TOKENIZER / f, out / name / f)
    n = sum(p.numel() for p in model.parameters())
    print(f"wrote {out / name}: {n / 1e6:.1f} M parameters")


if __name__ == "__main__":
    out = pathlib.Path(sys.argv[1])
    names = sys.argv[2:] or list(CONFIGS)
    for i, name in enumerate(names):
        build(out, name, seed=i)
