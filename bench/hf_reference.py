"""transformers' side of `deepthink bench --hf`: the same checkpoint, measured the way deepthink
measures itself, eager mode, on the CPU, weights in the asked dtype.

Reads the run's inputs (written by deepthink: a 64-token sequence, the decode prompts, new
tokens, repetitions) and prints one JSON line: load_s, peak_rss_mib (over the whole run),
single_ms_per_token and batched_ms_per_step (median per-step time of greedy decoding with the KV
cache, the prefill step not counted), and writes the 64 × vocab logits of the fixed sequence as
raw float32 to --logits.

    python bench/hf_reference.py --model DIR --dtype bf16 --inputs inputs.json --logits out.f32 --threads 2
"""
import argparse
import json
import statistics
import time

import torch
from transformers import AutoModelForCausalLM


def decode_step_seconds(model, prompts, new_tokens, reps):
    ids = torch.tensor(prompts)
    times = []
    for _ in range(reps + 1):
        with torch.no_grad():
            out = model(ids, use_cache=True)
            past, nxt = out.past_key_values, out.logits[:, -1].argmax(-1, keepdim=True)
            t0 = time.perf_counter()
            for _ in range(new_tokens - 1):
                out = model(nxt, past_key_values=past, use_cache=True)
                past, nxt = out.past_key_values, out.logits[:, -1].argmax(-1, keepdim=True)
            times.append((time.perf_counter() - t0) / (new_tokens - 1))
    return statistics.median(times[1:])


def peak_rss_mib():
    """This process's peak resident memory (VmHWM; `ru_maxrss` would include the parent's at fork)."""
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--dtype", choices=["f32", "bf16"], default="f32")
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--logits", required=True)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    inp = json.load(open(a.inputs))
    t0 = time.perf_counter()
    dtype = torch.float32 if a.dtype == "f32" else torch.bfloat16
    model = AutoModelForCausalLM.from_pretrained(a.model, dtype=dtype).eval()
    load_s = time.perf_counter() - t0
    with torch.no_grad():
        logits = model(torch.tensor([inp["logits_input"]])).logits[0].float()
    logits.numpy().tofile(a.logits)
    single = decode_step_seconds(model, inp["prompts"][:1], inp["new_tokens"], inp["reps"])
    batched = decode_step_seconds(model, inp["prompts"], inp["new_tokens"], inp["reps"])
    print(json.dumps({
        "load_s": load_s, "peak_rss_mib": peak_rss_mib(), "single_ms_per_token": 1000 * single,
        "batched_ms_per_step": 1000 * batched, "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
