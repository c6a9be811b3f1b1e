#!/usr/bin/env python3
"""Samples per question at equal accuracy on the mixed suite, pooled over seeds (issue 13 §3-§4).

Reads the `suite.json` files of `deepthink eval --suite mixed` runs laid out as DIR/s<seed>/<run>/
(see scripts/sample_rules_figures.sh). It pools each method's correct answers and samples over the
seeds, finds fixed majority's best N (the smallest N whose pooled accuracy is within 0.5 points of
the best majority accuracy measured), and reports every method's accuracy, samples per question,
and how many times fewer samples than majority at its best N it used, per bin and in all.
"Equal accuracy" is the issue's: within 0.5 points of majority@N* on the whole suite. A second
ratio reads majority's curve instead: the N majority needs for the method's own accuracy
(log-linear between the measured N), over the method's samples.

    python3 scripts/sample_rules_table.py DIR > DIR/table.md
"""
import collections, glob, json, os, re, sys

def pooled(root, only=None):
    rows = collections.defaultdict(lambda: collections.defaultdict(lambda: [0, 0, 0.0]))  # n, right, samples
    seeds = set()
    for path in sorted(glob.glob(os.path.join(root, "s*", "*", "suite.json"))):
        seed = path.split(os.sep)[-3]
        run = path.split(os.sep)[-2]
        if only is not None and seed != only:
            continue
        seeds.add(seed)
        for row in json.load(open(path)):
            method = row["method"].split(" ", 1)[1]
            if run.startswith("cal") or run.startswith("conf"):
                # cal32-w3, cal32-w3-t0.5 (tolerance), cal32-w3-f2 (two-fold); conf32-w1 (with
                # confidence cut points)
                # (…-c1400: calibrated on 1,400 problems instead of 700)
                knobs = dict(re.findall(r"-([wtfc])([0-9.]+)", run))
                folds = ", two-fold" if knobs.get("f") == "2" else ""
                size = f", {int(knobs['c']):,} calibration problems" if "c" in knobs else ""
                what = "calibrated with confidence" if run.startswith("conf") else "calibrated"
                method = method.replace("allocate", f"allocate, {what}") + \
                    f" (probe {knobs['w']}, tolerance {knobs.get('t', '0.25')}{folds}{size})"
            elif "-w" in run and method.startswith("adaptive") and not run.endswith("-w2"):
                continue  # the Beta rule ignores --window: one copy of it
            elif "-w" in run and not method.startswith("adaptive"):
                knob = "probe" if method.startswith("allocate") else "window"
                method += f" ({knob} {run.split('-w')[1]})"
            for b in [row["overall"]] + row["bins"]:
                c = rows[method][b["bin"]]
                c[0] += b["n"]
                c[1] += b["correct"]
                c[2] += b["samples"] * b["n"]
    return rows, sorted(seeds)

def main(root):
    rows, seeds = pooled(root)
    acc = lambda m, b="all": rows[m][b][1] / max(rows[m][b][0], 1)
    spent = lambda m, b="all": rows[m][b][2] / max(rows[m][b][0], 1)
    maj = sorted((int(m.split("@")[1]), m) for m in rows if m.startswith("majority@"))
    # Only N measured on every seed count toward majority's best N.
    full = [(n, m) for n, m in maj if rows[m]["all"][0] == max(rows[x]["all"][0] for _, x in maj)]
    best = max(acc(m) for _, m in full)
    n_star, m_star = next((n, m) for n, m in full if acc(m) >= best - 0.005)
    bins = [b for b in rows[m_star] if b != "all"]
    print(f"# Samples per question at equal accuracy, mixed suite, seeds {', '.join(s[1:] for s in seeds)} pooled\n")
    print(f"Majority's best N: **{n_star}** ({100 * acc(m_star):.2f}%; the best measured is {100 * best:.2f}%). "
          f"Equal accuracy: ≥ {100 * acc(m_star) - 0.5:.2f}%.\n")
    curve = [(n, acc(m)) for n, m in full]

    def majority_needs(a):
        """Majority's N for accuracy a, log-linear between measured points (None above its best)."""
        import math
        if a <= curve[0][1]:
            return f"≤ {curve[0][0]}"
        for (n0, a0), (n1, a1) in zip(curve, curve[1:]):
            if a0 < a <= a1:
                return n0 * 2 ** (math.log2(n1 / n0) * (a - a0) / (a1 - a0))
        return None

    print("| method | accuracy | samples | fewer than majority@N* | majority's N at this accuracy (ratio) | " + " | ".join(bins) + " |")
    print("|---|---|---|---|---|" + "---|" * len(bins))
    order = [m for _, m in maj] + sorted(m for m in rows if not m.startswith("majority@"))
    for m in order:
        n = rows[m]["all"][0]
        if n != rows[m_star]["all"][0]:
            continue
        equal = "" if acc(m) >= acc(m_star) - 0.005 else " (below)"
        cells = " | ".join(f"{100 * acc(m, b):.1f}% · {spent(m, b):.2f}" for b in bins)
        need = majority_needs(acc(m))
        need = "above every N" if need is None else need if isinstance(need, str) else f"{need:.1f} ({need / spent(m):.1f}×)"
        print(f"| {m} | {100 * acc(m):.2f}%{equal} | {spent(m):.2f} | {n_star / spent(m):.1f}× | {need} | {cells} |")
    print(f"\nEach seed alone (accuracy · samples per question, against that seed's majority@{n_star}):\n")
    print("| method | " + " | ".join(f"seed {s[1:]}" for s in seeds) + " |")
    print("|---|" + "---|" * len(seeds))
    per_seed = [pooled(root, s)[0] for s in seeds]
    for m in order:
        if rows[m]["all"][0] != rows[m_star]["all"][0]:
            continue
        cells = []
        for r in per_seed:
            a, k = r[m]["all"][1] / r[m]["all"][0], r[m]["all"][2] / r[m]["all"][0]
            ref = r[m_star]["all"][1] / r[m_star]["all"][0]
            cells.append(f"{100 * a:.1f}% · {k:.2f} ({n_star / k:.1f}×){'' if a >= ref - 0.005 else ' below'}")
        print(f"| {m} | " + " | ".join(cells) + " |")

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
