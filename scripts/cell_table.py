#!/usr/bin/env python3
"""Per-cell tables from `deepthink eval --predictions FILE`: for each operation (+, -, x), a grid
of first-operand digits (rows) by second-operand digits (columns) giving accuracy, problems and
mean thinking tokens; then one row per other group (countdown sizes).

    deepthink eval --task mix --min-digits 1 --max-digits 5 --per-group 100 \
        --max-new-tokens 800 --predictions preds.jsonl
    python3 scripts/cell_table.py preds.jsonl > cells.md
"""
import collections, json, re, sys

def main(path):
    cells = collections.defaultdict(lambda: [0, 0, 0])  # group -> [n, correct, thinking tokens]
    for line in open(path):
        p = json.loads(line)
        c = cells[p["group"]]
        c[0] += 1
        c[1] += p["verdict"] == "correct"
        c[2] += p["reasoning_tokens"]
    ops = {"+": "a+b", "-": "a-b", "x": "a×b"}
    other = []
    for op, title in ops.items():
        groups = {g: v for g, v in cells.items() if re.fullmatch(rf"\d+{re.escape(op)}\d+", g)}
        if not groups:
            continue
        rows = sorted({int(g.split(op)[0]) for g in groups})
        cols = sorted({int(g.split(op)[1]) for g in groups})
        print(f"### {title}: accuracy (problems) · thinking tokens\n")
        print("| digits | " + " | ".join(str(c) for c in cols) + " |")
        print("|---|" + "---|" * len(cols))
        for r in rows:
            out = []
            for c in cols:
                n, k, t = groups.get(f"{r}{op}{c}", (0, 0, 0))
                out.append(f"{100 * k / n:.1f}% ({n}) · {t / n:.0f}" if n else "–")
            print(f"| **{r}** | " + " | ".join(out) + " |")
        n = sum(v[0] for v in groups.values()); k = sum(v[1] for v in groups.values())
        low = min(groups.items(), key=lambda kv: kv[1][1] / kv[1][0])
        print(f"\nall {title}: {100 * k / n:.2f}% of {n}; lowest cell {low[0]}: {100 * low[1][1] / low[1][0]:.1f}%\n")
    for g, (n, k, t) in sorted(cells.items()):
        if not re.fullmatch(r"\d+[+\-x]\d+", g):
            other.append(f"| {g} | {100 * k / n:.1f}% | {n} | {t / n:.1f} |")
    if other:
        print("| group | accuracy | problems | thinking tokens |\n|---|---|---|---|")
        print("\n".join(other))

if __name__ == "__main__":
    main(sys.argv[1])
