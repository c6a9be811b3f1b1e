#!/usr/bin/env python3
"""The table of issue 14 §4 (prompting on a capable and on weaker bases) from the predictions
that scripts/prompting_figures.sh writes into docs/imitation/prompting/: for each base and prompt
style, held-out accuracy, the share of completions that reason (a non-empty think block: the
instruction was followed), and the share of the reasoning's `a*b=c` and `a+b=c` lines whose
arithmetic is right (the skill the base brings to the reasoning).
`python3 scripts/prompting_table.py [DOCDIR]`."""
import json
import re
import sys
from pathlib import Path

BASES = ["capable", "capable-3000", "small", "small-3000", "few-instructions", "few-instructions-3000"]
PROMPTS = ["plain", "cot", "few-shot", "supervised"]


LINE = re.compile(r"^(\d+)([*+])(\d+)=(\d+)$")


def lines_right(rows):
    """Right and all `a*b=c` / `a+b=c` lines in the think blocks."""
    right = total = 0
    for r in rows:
        body = r["completion"].split("<think>", 1)[-1].split("</think>", 1)[0]
        for line in body.splitlines():
            m = LINE.match(line.strip())
            if m:
                a, op, b, c = int(m[1]), m[2], int(m[3]), int(m[4])
                total += 1
                right += (a * b if op == "*" else a + b) == c
    return right, total


def cell(rows):
    n = len(rows)
    right = sum(r["verdict"] == "correct" for r in rows)
    reasoned = sum(r["reasoning_tokens"] > 2 for r in rows)
    ok, total = lines_right(rows)
    lines = f"{100 * ok / total:.0f}% of {total}" if total else "–"
    return f"**{100 * right / n:.1f}%** · reasons {100 * reasoned / n:.0f}% · lines right {lines}"


def main():
    docs = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/imitation/prompting")
    print("| base | " + " | ".join(PROMPTS) + " |")
    print("|---|" + "---|" * len(PROMPTS))
    for base in BASES:
        cells = []
        for prompt in PROMPTS:
            f = docs / f"{base}-{prompt}-predictions.jsonl"
            if not f.exists():
                cells.append("")
                continue
            cells.append(cell([json.loads(l) for l in f.open() if l.strip()]))
        if any(cells):
            print(f"| `{base}` | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
