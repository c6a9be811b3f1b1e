#!/usr/bin/env python3
"""Does the `long` trace's check catch a wrong line the model did not write?

For N random products (2-5 digits each, seeded), force a wrong first row into the reasoning with
`deepthink ask --think-line` (one digit of a*d changed, never 0<->9, so casting out nines must
see it) and read what the model writes next: whether its check line says `wrong`, and whether
the final answer is still right (the trace redoes the calculation after a failed check).

    python3 scripts/forced_slip.py MODEL [N] [SEED] [row|sum|digit] [--digits MIN:MAX]

`row` (the default) forces a wrong first partial product; `sum` forces all partial products right
and a wrong first running sum (the two kinds of line the check must guard). Both are the kind of
slip the `long` trace's recovery traces contain (one digit of a line changed). `digit` is a kind
they never contain: a first row that multiplies by the wrong digit of b, its own arithmetic right
(`123*7: 1680 = 861` for 123*456), so the line is self-consistent and only the check, computed
from the question's b, can see that the result is off. `--digits` sets the operands' digit counts
(default 2:5).
"""
import json, random, subprocess, sys

def lsd(n, width):
    return str(n)[::-1].ljust(width, "0")

def wrong_digit(rng, value, width):
    pos = rng.randrange(width)
    digit = (value // 10 ** pos) % 10
    new = rng.choice([x for x in range(10) if x != digit and abs(x - digit) != 9])
    return value + (new - digit) * 10 ** pos

def sum_prefix(rng, a, b):
    """Every row right, then the first running sum with one digit changed."""
    digits = [int(c) for c in str(b)[::-1]]
    rows = [f"{a}*{d}: {lsd(a * d, len(str(a)) + 1)} = {a * d}" for d in digits]
    right = a * digits[0] + a * digits[1] * 10
    width = len(str(a)) + 2
    wrong = wrong_digit(rng, right, len(str(right)))
    return rows + [f"sum: {lsd(wrong, width)} = {wrong}"]

def wrong_multiplier(rng, a, d):
    """A digit other than d whose row moves the product's residue mod 9 (so the check can see it)."""
    choices = [x for x in range(10) if x != d and (a * (x - d)) % 9 != 0]
    return rng.choice(choices) if choices else None

def main(model, n=50, seed=1, mode="row", digits=(2, 5)):
    rng = random.Random(seed)
    caught = recovered = 0
    done = 0
    while done < n:
        da, db = rng.randint(*digits), rng.randint(*digits)
        a = rng.randint(10 ** (da - 1), 10 ** da - 1)
        b = rng.randint(10 ** (db - 1), 10 ** db - 1)
        d = b % 10
        width = len(str(a)) + 1
        wrong = wrong_digit(rng, a * d, width)
        if mode == "row":
            lines = [f"{a}*{d}: {lsd(wrong, width)} = {wrong}"]
        elif mode == "sum":
            lines = sum_prefix(rng, a, b)
        else:
            other = wrong_multiplier(rng, a, d)
            if other is None:
                continue
            lines = [f"{a}*{other}: {lsd(a * other, width)} = {a * other}"]
        done += 1
        forced = [x for line in lines for x in ("--think-line", line)]
        out = subprocess.run(["./target/release/deepthink", "ask", "--json", "--model", model,
                              "--max-new-tokens", "900", f"{a}*{b}"] + forced,
                             capture_output=True, text=True)
        v = json.loads(out.stdout.strip().splitlines()[-1]) if out.stdout.strip() else {}
        reasoning = v.get("reasoning", "")
        checks = [l for l in reasoning.splitlines() if l.startswith("check mod 9:")]
        caught += bool(checks) and checks[0].endswith("wrong")
        recovered += v.get("answer") == str(a * b)
    print(json.dumps({"model": model, "problems": n, "seed": seed, "mode": mode, "digits": f"{digits[0]}:{digits[1]}",
                      "check_says_wrong": caught, "final_answer_right": recovered}))

if __name__ == "__main__":
    args = sys.argv[2:]
    digits = (2, 5)
    if "--digits" in args:
        i = args.index("--digits")
        lo, hi = args[i + 1].split(":")
        digits = (int(lo), int(hi))
        del args[i:i + 2]
    mode = args.pop() if args and args[-1] in ("row", "sum", "digit") else "row"
    main(sys.argv[1], *(int(x) for x in args), mode=mode, digits=digits)
