#!/usr/bin/env python3
"""L1 on countdown `search` (issue 13 §2): one row per model, one column per target.

Reads DIR/<model>-<N>.jsonl, the predictions of `deepthink eval --length-target N --predictions`
(scripts/l1_countdown.sh). A cell is mean |n - N| / N, the share of runs over N, the share of
repeated reasoning lines, and accuracy, where n is the completion's generated tokens (what the
eval's `length_control` scores). Two repeat shares: every repeated line (what `eval` reports), and
repeated lines other than `back [...]`, which a search trace writes again whenever it returns to
the same state, so only a retried branch counts. Also the branches tried per completion (lines
ending in `no`, plus the last).

    python3 scripts/l1_countdown_table.py DIR > DIR/table.md
"""
import collections, glob, json, os, re, sys


def reasoning_lines(completion):
    body = completion.split("</think>")[0].replace("<think>", "")
    return [l for l in body.split("\n") if l.strip()]


def repeated(lines):
    seen, rep = set(), 0
    for l in lines:
        rep += l in seen
        seen.add(l)
    return rep / len(lines) if lines else 0.0


def main(root):
    cells = collections.defaultdict(dict)
    for path in sorted(glob.glob(os.path.join(root, "*-*.jsonl"))):
        model, n = re.match(r"(.+)-(\d+)\.jsonl$", os.path.basename(path)).groups()
        n = int(n)
        preds = [json.loads(l) for l in open(path)]
        k = max(len(preds), 1)
        lines = [reasoning_lines(p["completion"]) for p in preds]
        cells[model][n] = {
            "n": len(preds),
            "accuracy": sum(p["verdict"] == "correct" for p in preds) / k,
            "tokens": sum(p["tokens"] for p in preds) / k,
            "error": sum(abs(p["tokens"] - n) / n for p in preds) / k,
            "over": sum(p["tokens"] > n for p in preds) / k,
            "repeated": sum(repeated(ls) for ls in lines) / k,
            "retried": sum(repeated([l for l in ls if not l.startswith("back")]) for ls in lines) / k,
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
