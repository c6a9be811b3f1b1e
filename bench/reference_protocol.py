"""What `deepthink bench --hf`'s reference scripts (hf_reference.py, llamacpp_reference.py) share:
the command line deepthink passes, the inputs file it writes, the way a decode is timed, and the
one JSON line each prints back (`src/cli/bench_hf.rs` reads it)."""
import argparse
import json
import statistics
import time


def arguments(*model_args):
    """Parse `--inputs --logits --threads` plus each side's own (name, kwargs) arguments; returns the
    arguments and the loaded inputs (logits_input, prompts, new_tokens, reps)."""
    ap = argparse.ArgumentParser()
    for name, kwargs in model_args:
        ap.add_argument(name, **kwargs)
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--logits", required=True)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    return a, json.load(open(a.inputs))


def decode_step_seconds(prefill, step, new_tokens, reps):
    """Median seconds per decode step over `reps` runs after one warm-up: each run calls
    `prefill()` (not timed; it returns the state) and then `step(state)` for the other
    `new_tokens - 1` tokens."""
    times = []
    for _ in range(reps + 1):
        state = prefill()
        t0 = time.perf_counter()
        for _ in range(new_tokens - 1):
            state = step(state)
        times.append((time.perf_counter() - t0) / (new_tokens - 1))
    return statistics.median(times[1:])


def peak_rss_mib():
    """This process's peak resident memory (VmHWM; `ru_maxrss` would include the parent's at fork)."""
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def report(load_s, single_s, batched_s, **versions):
    print(json.dumps({
        "load_s": load_s, "peak_rss_mib": peak_rss_mib(), "single_ms_per_token": 1000 * single_s,
        "batched_ms_per_step": 1000 * batched_s, **versions,
    }))
