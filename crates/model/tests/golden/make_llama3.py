"""Builds tiny-llama3/: a random Llama-3.x model made by transformers itself (not by deepthink), from
Llama-3.2-1B's configuration shrunk to test size — RoPE theta 500,000, `rope_scaling` of type
`llama3` (factor 32, low/high frequency factors 1 and 4), tied embeddings — with
`original_max_position_embeddings` shrunk to 64 so that, at head_dim 16, its frequencies fall in
all three of llama3's bands (kept, blended, divided). The character-level tokenizer is copied from
tiny-llama/ (token ids of the golden batch stay below 11). Then `python make_golden.py tiny-llama3`
writes its golden values. Run from this folder (needs torch, transformers):

    python make_llama3.py && python make_golden.py tiny-llama3
"""
import pathlib
import shutil

import torch
from transformers import LlamaConfig, LlamaForCausalLM

HERE = pathlib.Path(__file__).parent
out = HERE / "tiny-llama3"
torch.manual_seed(3)
config = LlamaConfig(
    vocab_size=64, hidden_size=64, intermediate_size=96, num_hidden_layers=2, num_attention_heads=4,
    num_key_value_heads=2, head_dim=16, max_position_embeddings=128, rms_norm_eps=1e-5,
    rope_theta=500000.0, tie_word_embeddings=True, bos_token_id=None, eos_token_id=0,
    rope_scaling={"rope_type": "llama3", "factor": 32.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                  "original_max_position_embeddings": 64},
)
model = LlamaForCausalLM(config)
with torch.no_grad():  # larger weights than the 0.02 init, so the logits are far from uniform
    for p in model.parameters():
        p.mul_(5.0 if p.dim() > 1 else 1.0)
model.save_pretrained(out, safe_serialization=True)
for f in ["tokenizer.json", "tokenizer_config.json"]:
    shutil.copy(HERE / "tiny-llama" / f, out / f)
print("wrote", out)
