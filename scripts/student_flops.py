#!/usr/bin/env python3
"""A training run's own compute, in FLOPs, from its metrics.jsonl (issue 14 §1: distillation
against RL at equal student compute).

    python3 scripts/student_flops.py RUN_DIR [RUN_DIR ...]

A RUN_DIR is a `train sft|grpo` run or a pipeline stage directory (metrics.jsonl and
checkpoint/); a directory without metrics.jsonl (a generate stage) is skipped with a note. The count is Kaplan et al.'s rule: 2·N FLOPs a position forward, 6·N forward and
backward, with N the parameters that multiply (all but the input embedding, a lookup):

- SFT: 6·N · the real (unpadded) tokens trained on;
- GRPO: 2·N · (positions sampled + forward-only update positions) + 6·N · update positions,
  from the step lines' `rollout_tokens`, `frozen_tokens` and `update_tokens`.

Held-out evaluation during training is left out on both sides. Attention's own products (~4·T·d
a position and layer) are left out too: both sides train on traces of the same length, so they
change both counts alike.
"""

import json
import struct
import sys
from pathlib import Path


def multiplying_params(checkpoint: Path) -> int:
    raw = (checkpoint / "model.safetensors").read_bytes()
    (header_len,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + header_len])
    total = 0
    for name, t in header.items():
        if name == "__metadata__" or name.endswith("embed_tokens.weight"):
            continue
        n = 1
        for d in t["shape"]:
            n *= d
        total += n
    return total


def run_flops(run: Path) -> dict:
    lines = [json.loads(l) for l in (run / "metrics.jsonl").read_text().splitlines() if l.strip()]
    state = json.loads((run / "checkpoint" / "deepthink.json").read_text())
    n = multiplying_params(run / "checkpoint")
    steps = [l for l in lines if "step" in l and l["step"] > 0]
    if state["trainer"] == "grpo":
        missing = [l["step"] for l in steps if "rollout_tokens" not in l]
        if missing:
            raise SystemExit(f"{run}: step {missing[0]} has no rollout_tokens (run before they were logged)")
        forward = sum(l["rollout_tokens"] + l["frozen_tokens"] for l in steps)
        both = sum(l["update_tokens"] for l in steps)
        flops = 2 * n * forward + 6 * n * both
        detail = {"sampled_and_frozen_positions": forward, "update_positions": both}
    else:
        real = max(l.get("real_tokens", 0) for l in steps)
        flops = 6 * n * real
        detail = {"trained_tokens": real}
    return {"run": str(run), "trainer": state["trainer"], "steps": state["step"], "params": n, "flops": flops, **detail}


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    for arg in sys.argv[1:]:
        if not (Path(arg) / "metrics.jsonl").exists():
            # A pipeline's generate, filter or mix stage: no training steps of its own.
            print(f"  {arg}: no metrics.jsonl (not a training run), skipped", file=sys.stderr)
            continue
        r = run_flops(Path(arg))
        print(json.dumps(r))
        print(f"  {r['run']}: {r['trainer']}, {r['steps']} steps, N = {r['params']:,}: {r['flops'] / 1e12:.3f} TFLOPs", file=sys.stderr)


if __name__ == "__main__":
    main()
