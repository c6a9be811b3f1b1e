"""Builds random models made by transformers itself (not by deepthink), each from a real family's
configuration shrunk to test size, with the character-level tokenizer of tiny-llama/ (token ids of
the golden batch stay below 11):

- tiny-qwen3/: Qwen3-0.6B's configuration — q/k RMSNorm, `head_dim` 16 with 4 heads of a 32-wide
  model (not 32 / 4), RoPE theta 1,000,000, tied embeddings, no attention bias;
- tiny-llama3/: Llama-3.2-1B's configuration — RoPE theta 500,000, `rope_scaling` of type
`llama3` (factor 32, low/high frequency factors 1 and 4), tied embeddings — with
`original_max_position_embeddings` shrunk to 64 so that, at head_dim 16, its frequencies fall in
all three of llama3's bands (kept, blended, divided).

Then `make_golden.py` writes their golden values. Run from this folder (needs torch, transformers):

    python make_hf_models.py && python make_golden.py tiny-llama3 tiny-qwen3
"""
import pathlib
import shutil

import torch
from transformers import LlamaConfig, LlamaForCausalLM, Qwen3Config, Qwen3ForCausalLM

HERE = pathlib.Path(__file__).parent


def save(model, name, seed):
    torch.manual_seed(seed)
    with torch.no_grad():  # larger weights than the 0.02 init, so the logits are far from uniform
        for p in model.parameters():
            if p.dim() > 1:
                p.normal_(0.0, 0.1)
            else:
                p.uniform_(0.5, 1.5)  # norm gains (q/k norms included) away from 1
    out = HERE / name
    model.save_pretrained(out, safe_serialization=True)
    for f in ["tokenizer.json", "tokenizer_config.json"]:
        shutil.copy(HERE / "tiny-llama" / f, out / f)
    print("wrote", out)


llama3 = LlamaConfig(
    vocab_size=64, hidden_size=64, intermediate_size=96, num_hidden_layers=2, num_attention_heads=4,
    num_key_value_heads=2, head_dim=16, max_position_embeddings=128, rms_norm_eps=1e-5,
    rope_theta=500000.0, tie_word_embeddings=True, bos_token_id=None, eos_token_id=0,
    rope_scaling={"rope_type": "llama3", "factor": 32.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                  "original_max_position_embeddings": 64},
)
qwen3 = Qwen3Config(
    vocab_size=64, hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4,
    num_key_value_heads=2, head_dim=16, max_position_embeddings=128, rms_norm_eps=1e-6,
    rope_theta=1000000.0, tie_word_embeddings=True, attention_bias=False, use_sliding_window=False,
    sliding_window=None, max_window_layers=2, bos_token_id=None, eos_token_id=0,
)
torch.manual_seed(0)
save(LlamaForCausalLM(llama3), "tiny-llama3", 3)
save(Qwen3ForCausalLM(qwen3), "tiny-qwen3", 4)

# The same Qwen3 model saved in shards (model.safetensors.index.json and its shards), as transformers
# writes checkpoints above its shard size; it must load to the same weights.
sharded = HERE / "tiny-qwen3-sharded"
Qwen3ForCausalLM.from_pretrained(HERE / "tiny-qwen3").save_pretrained(sharded, max_shard_size="30KB")
for f in ["tokenizer.json", "tokenizer_config.json"]:
    shutil.copy(HERE / "tiny-llama" / f, sharded / f)
print("wrote", sharded)
