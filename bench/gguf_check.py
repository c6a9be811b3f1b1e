"""Checks a `deepthink export --gguf` file against its checkpoint:

1. with the `gguf` package (llama.cpp's own reader): every tensor is there with the shape and
   type llama.cpp expects, and a `llama` model's q/k rows are permuted exactly as llama.cpp's
   `convert_hf_to_gguf.py` permutes them;
2. with `llama-cpp-python` (llama.cpp built from source by pip): greedy decoding from the same
   prompt tokens gives the same tokens as `transformers` on the checkpoint (which deepthink's own
   logits match to 1e-4, crates/model/tests/golden_transformers.rs).

    pip install gguf llama-cpp-python transformers torch
    deepthink export --model CK --gguf m.gguf && python bench/gguf_check.py CK m.gguf [QUESTION]
"""
import sys

import numpy as np
import gguf
from safetensors.numpy import load_file


def permute(w, n_head, n_head_kv):  # convert_hf_to_gguf.py, LlamaModel.permute
    if n_head_kv is not None and n_head != n_head_kv:
        n_head = n_head_kv
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


ck, path = sys.argv[1], sys.argv[2]
import json
cfg = json.load(open(f"{ck}/config.json"))
weights = load_file(f"{ck}/model.safetensors")
reader = gguf.GGUFReader(path)
tensors = {t.name: t for t in reader.tensors}
arch = bytes(reader.fields["general.architecture"].parts[-1]).decode()
def values(t):  # the gguf reader gives BF16 data as raw bytes
    raw = np.array(t.data)
    if t.tensor_type == gguf.GGMLQuantizationType.BF16:
        return (raw.view(np.uint16).astype(np.uint32) << 16).view(np.float32)
    return raw.astype(np.float32)


q = values(tensors["blk.0.attn_q.weight"]).reshape(weights["model.layers.0.self_attn.q_proj.weight"].shape)
want = weights["model.layers.0.self_attn.q_proj.weight"]
if arch == "llama":
    want = permute(want, cfg["num_attention_heads"], cfg["num_attention_heads"])
print(f"{path}: {len(tensors)} tensors, architecture {arch}, q/k layout as llama.cpp's converter: {np.allclose(q, want, atol=1e-2)}")

try:
    from llama_cpp import Llama
except ImportError:
    print("llama-cpp-python not installed: skipping the decode check")
    sys.exit(0)
import torch
from transformers import AutoModelForCausalLM

from transformers import AutoTokenizer

question = sys.argv[3] if len(sys.argv) > 3 else "What is 2 + 2?"
tok = AutoTokenizer.from_pretrained(ck)
prompt = tok.apply_chat_template([{"role": "user", "content": question}], add_generation_prompt=True, tokenize=True)
prompt = list(prompt["input_ids"] if hasattr(prompt, "keys") else prompt)
n = 16
# Logits on the prompt itself, position by position: greedy tokens alone can agree on a degenerate
# model, the logits cannot.
llm = Llama(model_path=path, n_ctx=128, logits_all=True, verbose=False, n_threads=2)
llm.eval(prompt)
cpp_logits = np.array(llm.scores[: len(prompt)], dtype=np.float32)
hf = AutoModelForCausalLM.from_pretrained(ck, dtype=torch.float32)
with torch.no_grad():
    hf_logits = hf(torch.tensor([prompt])).logits[0].numpy()
diff = float(np.abs(cpp_logits[:, : hf_logits.shape[1]] - hf_logits).max())
print(f"logits on the {len(prompt)}-token prompt, llama.cpp vs transformers: max |diff| {diff:.2e} (max |logit| {float(np.abs(hf_logits).max()):.2f})")
ours = []
for t in llm.generate(prompt, temp=0.0, top_k=1, reset=True):
    ours.append(t)
    if len(ours) == n:
        break
ref = hf.generate(torch.tensor([prompt]), max_new_tokens=n, do_sample=False, eos_token_id=None, pad_token_id=0)[0, len(prompt):].tolist()
same = sum(a == b for a, b in zip(ours, ref))
print(f"greedy tokens from the chat prompt for {question!r}, llama.cpp vs transformers: {same}/{n} equal")
print(f"  llama.cpp:    {ours}\n  transformers: {ref}\n  text: {tok.decode(ours)!r}")
sys.exit(0 if ours == ref else 1)
