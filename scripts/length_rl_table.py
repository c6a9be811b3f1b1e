#!/usr/bin/env python3
"""Per-bin accuracy, thinking tokens, redundant rechecks and direct answers from
`deepthink eval --predictions FILE` on `add` (issue 13's length-aware RL and AdaptThink figures).

A bin is the larger operand's digit count. `rechecks` counts reasoning lines opening
`wait, check again` (the `recheck` trace's redundant re-verifications, tasks::add::recheck);
`direct` is the share answered with an empty think block.

    deepthink eval --model M --task add --min-digits 1 --max-digits 3 --per-group 100 \
        --max-new-tokens 600 --predictions preds.jsonl
    python3 scripts/length_rl_table.py NAME=preds.jsonl [NAME=preds.jsonl ...] > table.md
"""
import collections, json, sys

def bins_of(path):
    bins = collections.defaultdict(lambda: [0, 0, 0, 0, 0])  # n, right, tokens, rechecks, direct
    for line in open(path):
        p = json.loads(line)
        a, b = p["group"].split("+")
        think = p["completion"].split("</think>")[0]
        for key in (f"{max(int(a), int(b))} digits", "all"):
            c = bins[key]
            c[0] += 1
            c[1] += p["verdict"] == "correct"
            c[2] += p["reasoning_tokens"]
            c[3] += sum(l.strip().startswith("wait, check again") for l in think.splitlines())
            c[4] += think.strip() in ("", "<think>")
    return bins

def main(args):
    runs = [(a.split("=", 1)[0], bins_of(a.split("=", 1)[1])) for a in args]
    keys = sorted({k for _, b in runs for k in b if k != "all"}) + ["all"]
    print("| model | " + " | ".join(keys) + " |")
    print("|---|" + "---|" * len(keys))
    for name, bins in runs:
        cells = []
        for k in keys:
            n, right, tokens, rechecks, direct = bins[k]
            cells.append(f"{100 * right / n:.1f}% · {tokens / n:.1f} tok · {rechecks / n:.2f} rechecks · {100 * direct / n:.0f}% direct")
        print(f"| {name} | " + " | ".join(cells) + " |")

if __name__ == "__main__":
    main(sys.argv[1:])
