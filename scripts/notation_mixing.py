#!/usr/bin/env python3
"""How often sampled traces mix notations: the R1-Zero policy's language mixing, measured on
the traces a pipeline `generate` stage wrote (TRL prompt-completion JSONL).

    python3 scripts/notation_mixing.py FILE.jsonl [FILE.jsonl ...]

For each file: the share of completions whose reasoning holds numerals in both notations, and
the mean language consistency (the share of the reasoning's numerals written in digits, R1's
language reward). The definitions are `tasks::notation::numerals` and
`tasks::readability::{mixes_notation, notation_consistency}`: a numeral is a maximal run of
digits, or a whole word made only of the letters a-j.
"""
import json
import re
import sys


def think_block(text):
    start = text.find("<think>")
    end = text.find("</think>")
    if start < 0:
        return ""
    return text[start + len("<think>"): end if end > start else len(text)]


def numerals(text):
    digits = letters = 0
    for run in re.findall(r"[0-9]+|[A-Za-z]+", text):
        if run.isdigit():
            digits += 1
        elif all("a" <= c <= "j" for c in run):
            letters += 1
    return digits, letters


def completion_text(record):
    c = record["completion"]
    return c[-1]["content"] if isinstance(c, list) else c


def main(paths):
    for path in paths:
        n = mixed = 0
        consistency = 0.0
        with open(path) as f:
            for line in f:
                if not line.strip():
                    continue
                d, l = numerals(think_block(completion_text(json.loads(line))))
                n += 1
                mixed += d > 0 and l > 0
                consistency += d / (d + l) if d + l else 1.0
        if n:
            print(json.dumps({"file": path, "completions": n, "mixing": round(mixed / n, 4),
                              "consistency": round(consistency / n, 4)}))


if __name__ == "__main__":
    main(sys.argv[1:])
