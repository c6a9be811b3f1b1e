#!/usr/bin/env python3
"""A deepthink verifier process for every reasoning-gym task (`--verifier-cmd`).

Reads one JSON line per completion on stdin — {"id", "question", "answer", "metadata",
"completion"} — and writes one {"id", "score"} line each, using reasoning-gym's own
`score_answer` for the dataset named in `metadata.source_dataset`. The model's answer is the
`\\boxed{...}` content or the last non-empty line after the only `</think>` (the same rule as
deepthink's `qa` task); no such answer scores 0.

    pip install reasoning-gym
    deepthink eval --task qa --problems gym.jsonl --verifier-cmd "python3 scripts/reasoning_gym_verifier.py"
"""
import functools
import json
import re
import sys

import reasoning_gym


def read_answer(completion):
    if completion.count("</think>") != 1:
        return None
    after = completion.split("</think>", 1)[1].strip()
    boxes = re.findall(r"\\boxed\{([^{}]*)\}", after)
    if boxes:
        first = boxes[0].strip()
        return first if first and all(b.strip() == first for b in boxes) else None
    lines = [l.strip() for l in after.splitlines() if l.strip()]
    return lines[-1] if lines else None


@functools.lru_cache(maxsize=None)
def scorer(name):
    # get_score_answer_fn builds the dataset (spell_backward reads its word list): once per name
    return reasoning_gym.get_score_answer_fn(name)


def score(req):
    answer = read_answer(req.get("completion", ""))
    if answer is None:
        return 0.0
    meta = req.get("metadata") or {}
    name = meta.get("source_dataset")
    entry = {"question": req.get("question", ""), "answer": req.get("answer", ""), "metadata": meta}
    if not name:
        return 1.0 if answer == str(entry["answer"]).strip() else 0.0
    return float(scorer(name)(answer, entry))


for line in sys.stdin:
    req = json.loads(line)
    try:
        s = min(1.0, max(0.0, score(req)))
    except Exception as e:  # a scorer that fails on one answer scores it 0, and says why
        print(f"reasoning_gym_verifier: {type(e).__name__}: {e}", file=sys.stderr)
        s = 0.0
    print(json.dumps({"id": req.get("id"), "score": s}), flush=True)
