#!/usr/bin/env python3
"""Collect scripts/recovery_figures.sh's outputs into one table and one chart spec.

    python3 scripts/recovery_chart.py

Reads, for each run NAME (rate-R, or rate-R-2x for SCALE=2), docs/imitation/recovery/NAME-clean.txt
(the held-out eval), NAME-forced.jsonl (scripts/forced_slip.py's three modes), NAME-last-step.json
(the trainer's real tokens) and runs/recovery/NAME/clean-predictions.jsonl (the eval's
completions). Writes docs/imitation/recovery/recovery.json (percent per rate: lines for the
equal-token runs, dots for the longer ones; for `deepthink plot --lines`) and prints two Markdown
tables: the figures per run, and the check on the model's own first pass — was the first result
right, and what did the check say.
Of the eval's wrong answers it also counts how many had a check whose own residues disagree (the
written `... is X` of a·b against that of the result): the check exposed the error and only its
verdict missed it.
"""
import glob, json, os, re, sys

DOCS = "docs/imitation/recovery"


def runs_present():
    """(name, rate, scale) of every run with an eval, by scale then rate."""
    found = []
    for p in glob.glob(f"{DOCS}/rate-*-clean.txt"):
        m = re.match(r"rate-([0-9.]+)(?:-(\d+)x)?-clean\.txt$", os.path.basename(p))
        if m:
            found.append((m.group(0)[: -len("-clean.txt")], m.group(1), int(m.group(2) or 1)))
    return sorted(found, key=lambda r: (r[2], float(r[1])))


def clean_accuracy(name):
    text = open(f"{DOCS}/{name}-clean.txt").read()
    m = re.search(r"accuracy ([0-9.]+)% \((\d+)/(\d+)\)", text)
    if not m:
        sys.exit(f"{DOCS}/{name}-clean.txt: no 'accuracy X% (a/b)' line")
    return float(m.group(1)), int(m.group(3))


def first_pass(p):
    """(was the first result right, the first check line or None) of one completion."""
    a, b = map(int, re.findall(r"\d+", p["question"])[:2])
    result = None
    for line in p["completion"].splitlines():
        if line.startswith("check mod 9:"):
            return result == a * b, line
        m = re.match(r"sum: \d+ = (\d+)", line)
        if m:
            result = int(m.group(1))
    return result == a * b, None


def own_checks(name):
    path = f"runs/recovery/{name}/clean-predictions.jsonl"
    if not os.path.exists(path):
        return None
    out = {"wrong": 0, "check_says_wrong": 0, "residues_disagree": 0, "passes": {}}
    for line in open(path):
        p = json.loads(line)
        right, check = first_pass(p)
        verdict = check.rsplit(" ", 1)[-1] if check else None
        key = (right, verdict, p["verdict"])
        out["passes"][key] = out["passes"].get(key, 0) + 1
        if p["verdict"] != "wrong":
            continue
        out["wrong"] += 1
        if not check:
            continue
        out["check_says_wrong"] += verdict == "wrong"
        residues = re.findall(r"is (\d)", check)
        out["residues_disagree"] += len(residues) >= 4 and residues[-2] != residues[-1]
    return out


def main():
    rows, rates, chart = [], [], {"clean": [], "row": [], "sum": [], "digit": [], "caught": []}
    longer = {}  # scale -> rate -> (clean accuracy, forced figures): dots beside the equal-token lines
    for name, rate, scale in runs_present():
        acc, n = clean_accuracy(name)
        forced = {}
        for line in open(f"{DOCS}/{name}-forced.jsonl"):
            f = json.loads(line)
            forced[f["mode"]] = f
        last = json.load(open(f"{DOCS}/{name}-last-step.json"))
        rows.append((name, acc, n, forced, last, own_checks(name)))
        if scale != 1:
            longer.setdefault(scale, {})[rate] = (acc, forced)
            continue
        rates.append(rate)
        chart["clean"].append(acc)
        for mode in ("row", "sum", "digit"):
            f = forced[mode]
            chart[mode].append(100.0 * f["final_answer_right"] / f["problems"])
        caught = sum(forced[m]["check_says_wrong"] for m in ("row", "sum"))
        chart["caught"].append(100.0 * caught / sum(forced[m]["problems"] for m in ("row", "sum")))
    spec = {
        "title": "Learning to recover: mult 2-3 digits, long trace; lines 7.9 M training tokens, lone dots 2x",
        "x_desc": "share of training traces with a slip, a failed check and a redo",
        "y_desc": "%",
        "x_labels": rates,
        "series": [
            {"name": f"clean held-out accuracy ({rows[0][2]})", "values": chart["clean"]},
            {"name": "right after a forced wrong row (100)", "values": chart["row"]},
            {"name": "right after a forced wrong sum (100)", "values": chart["sum"]},
            {"name": "right after a forced wrong-digit row (100)", "values": chart["digit"]},
            {"name": "forced row/sum slips the check flags", "values": chart["caught"]},
        ],
    }
    for scale, runs in sorted(longer.items()):
        at = lambda f: [f(runs[r]) if r in runs else None for r in rates]
        pct = lambda mode: lambda v: 100.0 * v[1][mode]["final_answer_right"] / v[1][mode]["problems"]
        spec["series"] += [
            {"name": f"{scale}x tokens: clean accuracy", "values": at(lambda v: v[0])},
            {"name": f"{scale}x tokens: right after a forced wrong row", "values": at(pct("row"))},
            {"name": f"{scale}x tokens: right after a wrong-digit row", "values": at(pct("digit"))},
        ]
    with open(f"{DOCS}/recovery.json", "w") as out:
        json.dump(spec, out, indent=2)
        out.write("\n")
    print("| run (mistake rate) | steps | real tokens | clean accuracy | forced row: flagged / right | forced sum: flagged / right | wrong-digit row: flagged / right | own wrong answers: check flags / residues disagree |")
    print("|---|---|---|---|---|---|---|---|")
    for name, acc, n, forced, last, own in rows:
        cells = [f"{forced[m]['check_says_wrong']} / {forced[m]['final_answer_right']}" for m in ("row", "sum", "digit")]
        mine = f"{own['check_says_wrong']} / {own['residues_disagree']} of {own['wrong']}" if own else "(no predictions)"
        print(f"| {name} | {last['step']:,} | {last['real_tokens']:,} | {acc:.1f}% of {n} | {' | '.join(cells)} | {mine} |")
    print()
    print("| run | first result right: check ok / check wrong (→ final right) | first result wrong: check wrong (→ final right) / check ok |")
    print("|---|---|---|")
    for name, _, n, _, _, own in rows:
        if not own:
            continue
        c = own["passes"]
        get = lambda right, verdict, final=None: sum(v for (r, vd, f), v in c.items()
                                                     if r == right and vd == verdict and (final is None or f == final))
        print(f"| {name} | {get(True, 'ok')} / {get(True, 'wrong')} (→ {get(True, 'wrong', 'correct')}) "
              f"| {get(False, 'wrong')} (→ {get(False, 'wrong', 'correct')}) / {get(False, 'ok')} |")


if __name__ == "__main__":
    main()
