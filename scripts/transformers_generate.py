"""Load a deepthink checkpoint with Hugging Face transformers and answer a question with it.

Shows the checkpoint format is plain transformers: AutoTokenizer renders the chat template from
tokenizer_config.json (ending with the pre-filled `<think>\\n`), AutoModelForCausalLM loads
config.json + model.safetensors, and greedy generation reproduces `deepthink ask`.

    python scripts/transformers_generate.py models/default "123*456"
"""
import sys

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

model_dir, question = sys.argv[1], sys.argv[2]
tok = AutoTokenizer.from_pretrained(model_dir)
model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
prompt = tok.apply_chat_template([{"role": "user", "content": question}], tokenize=False, add_generation_prompt=True)
ids = tok(prompt, return_tensors="pt", add_special_tokens=False).input_ids
out = model.generate(ids, max_new_tokens=256, do_sample=False, eos_token_id=tok.eos_token_id, pad_token_id=tok.eos_token_id)
completion = tok.decode(out[0, ids.shape[1]:], skip_special_tokens=True)
print("<think>\n" + completion)
