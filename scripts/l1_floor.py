#!/usr/bin/env python3
"""The best mean |n - N| / N any policy can reach on `add --trace recheck` with target N, when the
only choice it has is how many whole rechecks (0..3) to write (issue 13 §2, L1's control figure).

A problem's reachable lengths are L0 + k*step: L0 from a completion with no recheck, step from one
with k >= 1 rechecks of the same problem. Give it two `eval --predictions` files of the same
problems and target: one whose completions never recheck (e.g. the L1-Max model), one whose
completions all recheck (e.g. the untrained recheck-lt control).

    python3 scripts/l1_floor.py N NO_RECHECK.jsonl RECHECKS.jsonl
"""
import json, sys

MARK = "wait, check again"

def by_question(path):
    return {p["question"]: p for p in map(json.loads, open(path))}

def main(target, none_path, some_path):
    none, some = by_question(none_path), by_question(some_path)
    errors = []
    for q, p in none.items():
        r = some.get(q)
        if r is None or MARK in p["completion"] or MARK not in r["completion"]:
            continue
        step = (r["tokens"] - p["tokens"]) / r["completion"].count(MARK)
        errors.append(min(abs(p["tokens"] + k * step - target) / target for k in range(4)))
    print(f"target {target}: floor {100 * sum(errors) / len(errors):.1f}% over {len(errors)} problems")

if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], sys.argv[3])
