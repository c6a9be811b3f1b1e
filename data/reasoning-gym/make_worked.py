"""Writes basic_arithmetic_worked.jsonl: the questions of basic_arithmetic.jsonl as TRL
prompt–completion lines whose completions carry a worked, column-by-column solution in the think
block — the kind of file a user with worked solutions (GSM8K-style) brings. deepthink's `qa` task
reads the reference answer after `</think>` and, with `--trace given`, learns the reasoning.

    python3 data/reasoning-gym/make_worked.py     # no dependencies; reads basic_arithmetic.jsonl

Addition is written column by column with carries, subtraction with borrows (a smaller minus a
larger is turned round and negated), multiplication as one partial product per digit of the second
number (each worked digit by digit), then the partial products added by columns. Every trace is
checked against reasoning-gym's answer before it is written.
"""
import json
import os
import re


def digits(n):
    """Least-significant first."""
    return [int(c) for c in reversed(str(n))]


def add_lines(a, b):
    da, db = digits(a), digits(b)
    lines, carry, out = [], 0, []
    for i in range(max(len(da), len(db))):
        x, y = (da[i] if i < len(da) else 0), (db[i] if i < len(db) else 0)
        s = x + y + carry
        terms = f"{x}+{y}" + (f"+{carry}" if carry else "")
        lines.append(f"{terms}={s}, write {s % 10} carry {s // 10}")
        out.append(s % 10)
        carry = s // 10
    if carry:
        lines.append(f"carry {carry}, write {carry}")
        out.append(carry)
    value = int("".join(map(str, reversed(out))))
    assert value == a + b
    return lines, value


def sub_lines(a, b):
    if a < b:
        lines, value = sub_lines(b, a)
        return [f"{a} is less than {b}: {a}-{b} is -({b}-{a})"] + lines + [f"so {a}-{b}=-{value}"], -value
    da, db = digits(a), digits(b)
    lines, borrow, out = [], 0, []
    for i in range(len(da)):
        x, y = da[i], (db[i] if i < len(db) else 0)
        d = x - y - borrow
        terms = f"{x}-{y}" + (f"-{borrow}" if borrow else "")
        if d < 0:
            lines.append(f"{terms}={d}, +10={d + 10}, write {d + 10} borrow 1")
            out.append(d + 10)
            borrow = 1
        else:
            lines.append(f"{terms}={d}, write {d} borrow 0")
            out.append(d)
            borrow = 0
    value = int("".join(map(str, reversed(out))))
    assert value == a - b
    return lines, value


def times_digit(a, d):
    lines, carry, out = [], 0, []
    da = digits(a)
    for i, x in enumerate(da):
        p = x * d + carry
        terms = f"{x}*{d}" + (f"+{carry}" if carry else "")
        if i == len(da) - 1:
            lines.append(f"{terms}={p}, write {p}")
            out = [int(c) for c in reversed(str(p))] if not out else out + [int(c) for c in reversed(str(p))]
        else:
            lines.append(f"{terms}={p}, write {p % 10} carry {p // 10}")
            out.append(p % 10)
            carry = p // 10
    value = int("".join(map(str, reversed(out))))
    assert value == a * d
    return lines + [f"so {a}*{d}={value}"], value


def mul_lines(a, b):
    lines, partials = [], []
    for i, d in enumerate(digits(b)):
        part, value = times_digit(a, d)
        lines += part
        if i:
            shifted = value * 10 ** i
            lines.append(f"shifted: {shifted}")
            value = shifted
        partials.append(value)
    total = partials[0]
    for p in partials[1:]:
        lines.append(f"add {total}+{p}:")
        part, total = add_lines(total, p)
        lines += part
    assert total == a * b
    return lines, total


OPS = {"+": add_lines, "-": sub_lines, "*": mul_lines}
here = os.path.dirname(os.path.abspath(__file__))
src, dst = os.path.join(here, "basic_arithmetic.jsonl"), os.path.join(here, "basic_arithmetic_worked.jsonl")
with open(src) as f, open(dst + ".tmp", "w") as out:
    for line in f:
        entry = json.loads(line)
        a, op, b = re.fullmatch(r"(\d+) ([-+*]) (\d+)", entry["metadata"]["expression"]).groups()
        lines, value = OPS[op](int(a), int(b))
        assert str(value) == entry["answer"], (entry, value)
        reply = "<think>\n" + "\n".join(lines) + "\n</think>\n\n" + entry["answer"]
        out.write(json.dumps({"prompt": [{"role": "user", "content": entry["question"]}],
                              "completion": [{"role": "assistant", "content": reply}]}) + "\n")
os.replace(dst + ".tmp", dst)
print(f"wrote {dst}")
