#!/usr/bin/env python3
"""Tables for issue 14 §3 (Stream of Search on countdown-4) from the predictions that
scripts/stream_of_search.sh copies into docs/imitation/sos/.

For each trace style: held-out accuracy, wrong, no answer, cut off, answers `none` (a `stream`
model saying its search found nothing; counted under no answer too), mean completion tokens; and
what the model's own search did, replayed line by line against the trace grammar of
crates/tasks/src/countdown/trace_search.rs:
  * combinations tried a problem (lines `a op b = v ...`);
  * arithmetic slips (`v` is not `a op b`, or a division that does not come out even), also per
    operation;
  * illegal moves (an operand that is not in the current list, or a written list that is not the
    current list with a and b replaced by v);
  * revisits: descents (`... [list]` without `seen`) into a list, as a multiset, that the trace
    had already descended into — retrying a branch it had already failed from, which the
    `visited` markers are there to prevent;
  * `seen` marks, and how many of them name a list that was indeed explored before;
  * the share of traces past 40 combinations (`seen` lines not counted), the reference search's
    budget, after which a reference trace writes `back [root]` and the solver's path;
  * `yes` lines, and how many of them name the target;
  * slips on a trace's last combination line, and how many of those write the target.
Then the per-problem agreement of each pair of styles. The reference traces of each style are
replayed too when REFDIR holds `STYLE.jsonl` files from `deepthink data` (the training data's own
figures, for comparison): `python3 scripts/sos_table.py [DOCDIR] [REFDIR]`.
"""
import itertools
import json
import re
import sys
from collections import Counter
from fractions import Fraction
from pathlib import Path

STYLES = ["optimal", "search", "visited", "found", "stream"]
# trace_search.rs's NO_SOLUTION: a `stream` trace whose search ran out answers it.
NO_SOLUTION = "none"
# trace_search.rs's NODE_BUDGET: a reference search past it falls back to the solver's path.
NODE_BUDGET = 40
COMBO = re.compile(r"^(-?\d+)\s*([-+*/])\s*(-?\d+)\s*=\s*(-?\d+)\s*(.*)$")
LIST = re.compile(r"^\[([-\d,\s]*)\]\s*(seen)?$")
BACK = re.compile(r"^back\s*\[([-\d,\s]*)\]$")


def numbers(text):
    return [int(x) for x in text.split(",") if x.strip()]


def apply(a, op, b):
    if op == "+":
        return Fraction(a + b)
    if op == "-":
        return Fraction(a - b)
    if op == "*":
        return Fraction(a * b)
    return Fraction(a, b) if b != 0 else None


def think_lines(completion):
    body = completion.split("<think>", 1)[-1].split("</think>", 1)[0]
    return [line.strip() for line in body.splitlines() if line.strip()]


def replay(question, completion):
    """What one trace did: counts of combinations, slips (all and per operation), illegal moves,
    revisits, seen marks, and `yes` lines (all and at the target)."""
    start, target = question
    state = Counter(start)
    descended = set()
    out = Counter()
    last = None  # the last combination line's (slipped, value)
    for line in think_lines(completion):
        back = BACK.match(line)
        if back:
            state = Counter(numbers(back.group(1)))
            continue
        combo = COMBO.match(line)
        if not combo:
            continue
        a, op, b, v, rest = int(combo[1]), combo[2], int(combo[3]), int(combo[4]), combo[5].strip()
        out["combinations"] += 1
        out[f"{op} lines"] += 1
        value = apply(a, op, b)
        slipped = value is None or value != v
        last = (slipped, v)
        if slipped:
            out["slips"] += 1
            out[f"{op} slips"] += 1
        if rest == "yes":
            out["yes lines"] += 1
            out["yes at target"] += v == target
        after = state.copy()
        after[a] -= 1
        after[b] -= 1
        legal = after[a] >= 0 and after[b] >= 0
        after[v] += 1
        after = +after
        listed = LIST.match(rest)
        if listed:
            written = Counter(numbers(listed.group(1)))
            if not legal or written != after:
                out["illegal"] += 1
            key = tuple(sorted(written.elements()))
            if listed.group(2):
                out["seen marks"] += 1
                out["seen right"] += key in descended
            else:
                out["descents"] += 1
                out["revisits"] += key in descended
                descended.add(key)
                state = written
        else:
            if not legal:
                out["illegal"] += 1
            elif rest == "":
                state = after  # an `optimal` line: bare, the path goes on from its result
    if last and last[0]:
        out["last-line slips"] += 1
        out["last-line slips at target"] += last[1] == target
    return out


def load(path):
    return [json.loads(line) for line in path.open() if line.strip()]


def parse_question(question):
    """`4 19 20 3 -> 37` as ([4, 19, 20, 3], 37)."""
    left, right = question.split("->")
    return [int(x) for x in left.split()], int(right)


def style_totals(rows, completion_of, question_of):
    """The replay counts summed over rows, and the number of traces past the node budget."""
    total = Counter()
    long_ones = 0
    for r in rows:
        one = replay(parse_question(question_of(r)), completion_of(r))
        long_ones += one["combinations"] - one["seen marks"] > NODE_BUDGET
        total += one
    return total, long_ones


def style_row(rows, total, long_ones):
    n = len(rows)
    c = total["combinations"]
    d = total["descents"]
    return [
        f"{c / n:.1f}",
        f"{100 * total['slips'] / max(c, 1):.1f}%",
        f"{100 * total['illegal'] / max(c, 1):.1f}%",
        f"{100 * total['revisits'] / max(d, 1):.1f}% ({total['revisits']}/{d})",
        f"{total['seen marks']} ({total['seen right']} right)",
        f"{100 * long_ones / n:.1f}%",
    ]


def main():
    docs = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/imitation/sos")
    refs = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    preds = {s: load(docs / f"{s}-predictions.jsonl") for s in STYLES if (docs / f"{s}-predictions.jsonl").exists()}
    print("| trained on | real training tokens | steps | held-out accuracy | wrong | no answer | cut off | answers `none` | mean completion tokens |")
    print("|---|---|---|---|---|---|---|---|---|")
    for s, rows in preds.items():
        last = json.loads((docs / f"{s}-last-step.json").read_text())
        n = len(rows)
        v = Counter(r["verdict"] for r in rows)
        cut = sum(r["truncated"] for r in rows)
        tokens = sum(r["tokens"] for r in rows) / n
        none = sum(r["completion"].split("</think>")[-1].strip() == NO_SOLUTION for r in rows)
        print(f"| `{s}` | {last['real_tokens'] / 1e6:.2f} M | {last['step']:,} | **{100 * v['correct'] / n:.1f}%** "
              f"| {100 * v['wrong'] / n:.1f}% | {100 * v['noanswer'] / n:.1f}% | {100 * cut / n:.1f}% | {100 * none / n:.1f}% | {tokens:.0f} |")
    print()
    print("| trace | combinations a problem | arithmetic slips (of combinations) | illegal moves | revisits of an explored list (of descents) | `seen` marks | past 40 combinations |")
    print("|---|---|---|---|---|---|---|")
    model_totals = {}
    for s, rows in preds.items():
        total, long_ones = style_totals(rows, lambda r: r["completion"], lambda r: r["question"])
        model_totals[s] = total
        cells = style_row(rows, total, long_ones)
        print(f"| model trained on `{s}` ({len(rows)} held-out) | " + " | ".join(cells) + " |")
    if refs:
        for s in STYLES:
            f = refs / f"{s}.jsonl"
            if f.exists():
                rows = load(f)
                totals = style_totals(rows, lambda r: r["completion"][0]["content"], lambda r: r["prompt"][0]["content"])
                print(f"| `{s}` reference traces ({len(rows)} training problems) | " + " | ".join(style_row(rows, *totals)) + " |")
    print()
    print("| model trained on | slips in `+` lines | `-` | `*` | `/` | slips on the last line (writing the target) | `yes` lines naming the target |")
    print("|---|---|---|---|---|---|---|")
    for s, t in model_totals.items():
        ops = [f"{100 * t[op + ' slips'] / max(t[op + ' lines'], 1):.0f}% of {t[op + ' lines']}" for op in "+-*/"]
        last = f"{t['last-line slips']} of {t['slips']} ({t['last-line slips at target']})"
        print(f"| `{s}` | " + " | ".join(ops) + f" | {last} | {t['yes at target']} of {t['yes lines']} |")
    print()
    print("| pair | both right | only the first | only the second | neither |")
    print("|---|---|---|---|---|")
    for x, y in itertools.combinations(preds, 2):
        right = {s: {r["question"]: r["verdict"] == "correct" for r in preds[s]} for s in (x, y)}
        common = right[x].keys() & right[y].keys()
        cell = Counter((right[x][q], right[y][q]) for q in common)
        print(f"| `{x}` / `{y}` | {cell[(True, True)]} | {cell[(True, False)]} | {cell[(False, True)]} | {cell[(False, False)]} |")


if __name__ == "__main__":
    main()
