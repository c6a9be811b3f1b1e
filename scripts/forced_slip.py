#!/usr/bin/env python3
"""Does the `long` trace's check catch a wrong line the model did not write?

For N random products (2-5 digits each, seeded), force a wrong first row into the reasoning with
`deepthink ask --think-line` (one digit of a*d changed, never 0<->9, so casting out nines must
see it) and read what the model writes next: whether its check line says `wrong`, and whether
the final answer is still right (the trace redoes the calculation after a failed check).

    python3 scripts/forced_slip.py MODEL [N] [SEED]
"""
import json, random, subprocess, sys

def lsd(n, width):
    return str(n)[::-1].ljust(width, "0")

def main(model, n=50, seed=1):
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
        line = f"{a}*{d}: {lsd(wrong, width)} = {wrong}"
        out = subprocess.run(["./target/release/deepthink", "ask", "--json", "--model", model,
                              "--max-new-tokens", "900", f"{a}*{b}", "--think-line", line],
                             capture_output=True, text=True)
        v = json.loads(out.stdout.strip().splitlines()[-1]) if out.stdout.strip() else {}
        reasoning = v.get("reasoning", "")
        checks = [l for l in reasoning.splitlines() if l.startswith("check mod 9:")]
        caught += bool(checks) and checks[0].endswith("wrong")
        recovered += v.get("answer") == str(a * b)
    print(json.dumps({"problems": n, "seed": seed, "check_says_wrong": caught, "final_answer_right": recovered}))

if __name__ == "__main__":
    main(sys.argv[1], *(int(x) for x in sys.argv[2:]))
