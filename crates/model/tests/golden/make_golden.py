"""Golden values for deepthink's model crate, from Hugging Face transformers (PyTorch, float32).

For each committed checkpoint in this folder: load it with AutoModelForCausalLM.from_pretrained,
run a fixed batch, and save logits, the mean cross-entropy loss over labelled positions, and the
gradient of that loss for every parameter (golden.safetensors); plus chat-template renderings and
token ids from AutoTokenizer (golden.json). Run from this folder:

    python make_golden.py [NAME ...]     # needs torch, transformers, safetensors; default: every case
"""
import json
import pathlib
import sys

import torch
from safetensors.torch import save_file
from transformers import AutoModelForCausalLM, AutoTokenizer

HERE = pathlib.Path(__file__).parent
torch.manual_seed(0)

for name in sys.argv[1:] or ["tiny-llama", "tiny-qwen2-tied", "tiny-llama3"]:
    d = HERE / name
    model = AutoModelForCausalLM.from_pretrained(d, torch_dtype=torch.float32, attn_implementation="eager")
    model.train()  # no dropout in these configs; train() only enables grads bookkeeping
    b, t = 2, 9
    ids = (torch.arange(b * t).reshape(b, t) * 7 + 3) % 11
    labels = (ids * 5 + 2) % 11
    labels[:, :2] = -100  # unlabelled positions, like a prompt
    out = model(input_ids=ids)
    logits = out.logits
    v = logits.shape[-1]
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, v), labels.reshape(-1), ignore_index=-100)
    loss.backward()
    tensors = {
        "input_ids": ids.float().contiguous(),
        "labels": labels.float().contiguous(),
        "logits": logits.detach().contiguous(),
        "loss": loss.detach().reshape(1),
    }
    for pname, p in model.named_parameters():
        tensors[f"grad.{pname}"] = p.grad.detach().contiguous()
    if model.config.tie_word_embeddings:
        tensors.pop("grad.lm_head.weight", None)
    save_file(tensors, str(d / "golden.safetensors"))

    tok = AutoTokenizer.from_pretrained(d)
    chats = [
        ([{"role": "user", "content": "123*456"}], True, True),
        ([{"role": "user", "content": "12*34"}], True, False),
        ([{"role": "user", "content": "7*8"}, {"role": "assistant", "content": "<think>\n7*8=56\n</think>\n\n56"}], False, True),
    ]
    cases = []
    for msgs, gen, think in chats:
        text = tok.apply_chat_template(msgs, tokenize=False, add_generation_prompt=gen, enable_thinking=think)
        ids_ = tok(text, add_special_tokens=False)["input_ids"]
        cases.append({
            "messages": msgs, "add_generation_prompt": gen, "enable_thinking": think, "text": text,
            "ids": ids_, "decoded_skip_special": tok.decode(ids_, skip_special_tokens=True),
        })
    (d / "golden.json").write_text(json.dumps({"chat": cases}, indent=1) + "\n")
    print(name, "loss", float(loss))
