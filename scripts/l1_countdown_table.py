#!/usr/bin/env python3
"""L1 on countdown `search` (issue 13 §2): one row per model, one column per target.

Reads what scripts/l1_countdown.sh writes for each model and target N: DIR/<model>-<N>.json (the
report of `deepthink eval --length-target N --json`) and DIR/<model>-<N>.jsonl (its predictions).
A cell is mean |n - N| / N, the share of runs over N, the share of repeated reasoning lines and
accuracy, as the report's `length_control` and `accuracy` give them; and, from the predictions,
the share of repeated lines other than `back [...]` (which a search trace writes again whenever it
returns to the same state, so only a retried branch counts) and the branches tried per completion
(lines ending in `no`, plus the last).

    python3 scripts/l1_countdown_table.py DIR > DIR/table.md
"""
import collections, glob, json, os, re, sys


def reasoning_lines(completion):
    body = completion.split("</think>")[0].replace("<think>", "")
    return [l for l in body.split("\n") if l.strip()]


def retried(lines):
    """The share of `lines` that repeat an earlier one, `back [...]` lines left out (as the
    report's repeated-line share, `tasks::length_target::repeated_line_share`, over the rest)."""
    kept = [l for l in lines if not l.startswith("back")]
    seen, rep = set(), 0
    for l in kept:
        rep += l in seen
        seen.add(l)
    return rep / len(kept) if kept else 0.0


def main(root):
    cells = collections.defaultdict(dict)
    for path in sorted(glob.glob(os.path.join(root, "*-*.json"))):
        model, n = re.match(r"(.+)-(\d+)\.json$", os.path.basename(path)).groups()
        n = int(n)
        report = json.load(open(path))
        control = report["length_control"]
        preds = [json.loads(l) for l in open(path + "l")]
        k = max(len(preds), 1)
        lines = [reasoning_lines(p["completion"]) for p in preds]
        cells[model][n] = {
            "n": report["n"],
            "accuracy": report["accuracy"],
            "tokens": report["mean_tokens"],
            "error": control["mean_relative_error"],
            "over": control["over_target"],
            "repeated": control["repeated_lines"],
            "retried": sum(retried(ls) for ls in lines) / k,
            "branches": sum(sum(l.endswith(" no") for l in ls) + 1 for ls in lines) / k,
        }
    targets = sorted({n for m in cells.values() for n in m})
    print("# L1 on countdown-3 `search`: mean |n − N|/N · over N · repeated lines (retried branches) · accuracy\n")
    print("| model | " + " | ".join(f"N = {n}" for n in targets) + " |")
    print("|---|" + "---|" * len(targets))
    for model, row in cells.items():
        out = []
        for n in targets:
            c = row.get(n)
            out.append("" if c is None else
                       f"{100 * c['error']:.1f}% · {100 * c['over']:.0f}% over · {100 * c['repeated']:.1f}% "
                       f"({100 * c['retried']:.1f}%) · {100 * c['accuracy']:.1f}%")
        print(f"| {model} | " + " | ".join(out) + " |")
    print("\nMean generated tokens and branches tried per completion:\n")
    print("| model | " + " | ".join(f"N = {n}" for n in targets) + " |")
    print("|---|" + "---|" * len(targets))
    for model, row in cells.items():
        print(f"| {model} | " + " | ".join(
            f"{row[n]['tokens']:.1f} · {row[n]['branches']:.2f}" if n in row else "" for n in targets) + " |")
    print(f"\n{next(iter(next(iter(cells.values())).values()))['n']} held-out problems per cell, greedy.")


if __name__ == "__main__":
    main(sys.argv[1])
