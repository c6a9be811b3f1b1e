#!/usr/bin/env python3
"""Does the `long` trace's check catch a wrong line the model did not write?

For N random products (2-5 digits each, seeded), force a wrong first row into the reasoning with
`deepthink ask --think-line` (one digit of a*d changed, never 0<->9, so casting out nines must
see it) and read what the model writes next: whether its check line says `wrong`, and whether
the final answer is still right (the trace redoes the calculation after a failed check).

    python3 scripts/forced_slip.py MODEL [N] [SEED] [row|sum]

`row` (the default) forces a wrong first partial product; `sum` forces all partial products right
and a wrong first running sum (the two kinds of line the check must guard).
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

def main(model, n=50, seed=1, mode="row"):
    rng = random.Random(seed)
    caught = recovered = clean_ok = 0
    for _ in range(n):
        da, db = rng.randint(2, 5), rng.randint(2, 5)
        a = rng.randint(10 ** (da - 1), 10 ** da - 1)
        b = rng.randint(10 ** (db - 1), 10 ** db - 1)
        d = b % 10
        right = a * d
        width = len(str(a)) + 1
        pos = rng.randrange(width)
        digit = (right // 10 ** pos) % 10
        new = rng.choice([x for x in range(10) if x != digit and abs(x - digit) != 9])
        wrong = right + (new - digit) * 10 ** pos
        lines = [f"{a}*{d}: {lsd(wrong, width)} = {wrong}"] if mode == "row" else sum_prefix(rng, a, b)
        forced = [x for line in lines for x in ("--think-line", line)]
        out = subprocess.run(["./target/release/deepthink", "ask", "--json", "--model", model,
                              "--max-new-tokens", "900", f"{a}*{b}"] + forced,
                             capture_output=True, text=True)
        v = json.loads(out.stdout.strip().splitlines()[-1]) if out.stdout.strip() else {}
        reasoning = v.get("reasoning", "")
        checks = [l for l in reasoning.splitlines() if l.startswith("check mod 9:")]
        caught += bool(checks) and checks[0].endswith("wrong")
        recovered += v.get("answer") == str(a * b)
    print(json.dumps({"problems": n, "seed": seed, "mode": mode, "check_says_wrong": caught,
                      "final_answer_right": recovered}))

if __name__ == "__main__":
    args = sys.argv[2:]
    mode = args.pop() if args and args[-1] in ("row", "sum") else "row"
    main(sys.argv[1], *(int(x) for x in args), mode=mode)
