"""transformers' side of `deepthink bench --hf`: the same checkpoint, measured the way deepthink
measures itself, eager mode, on the CPU, weights in the asked dtype.

Reads the run's inputs (written by deepthink: a 64-token sequence, the decode prompts, new
tokens, repetitions) and prints one JSON line: load_s, peak_rss_mib (over the whole run),
single_ms_per_token and batched_ms_per_step (median per-step time of greedy decoding with the KV
cache, the prefill step not counted), and writes the 64 × vocab logits of the fixed sequence as
raw float32 to --logits.

    python bench/hf_reference.py --model DIR --dtype bf16 --inputs inputs.json --logits out.f32 --threads 2
"""
import time

import torch
from transformers import AutoModelForCausalLM

from reference_protocol import arguments, decode_step_seconds, report


def greedy(out):
    return out.past_key_values, out.logits[:, -1].argmax(-1, keepdim=True)


def decode(model, prompts, new_tokens, reps):
    ids = torch.tensor(prompts)
    with torch.no_grad():
        return decode_step_seconds(
            lambda: greedy(model(ids, use_cache=True)),
            lambda s: greedy(model(s[1], past_key_values=s[0], use_cache=True)),
            new_tokens, reps,
        )


def main():
    a, inp = arguments(("--model", dict(required=True)), ("--dtype", dict(choices=["f32", "bf16"], default="f32")))
    torch.set_num_threads(a.threads)
    t0 = time.perf_counter()
    dtype = torch.float32 if a.dtype == "f32" else torch.bfloat16
    model = AutoModelForCausalLM.from_pretrained(a.model, dtype=dtype).eval()
    load_s = time.perf_counter() - t0
    with torch.no_grad():
        logits = model(torch.tensor([inp["logits_input"]])).logits[0].float()
    logits.numpy().tofile(a.logits)
    single = decode(model, inp["prompts"][:1], inp["new_tokens"], inp["reps"])
    batched = decode(model, inp["prompts"], inp["new_tokens"], inp["reps"])
    report(load_s, single, batched, torch=torch.__version__)


if __name__ == "__main__":
    main()
