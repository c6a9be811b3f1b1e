"""Writes qa-sample.jsonl: 55 open questions for the `qa` task's tests — 40 sums, 10 words spelt
backwards, 5 GSM8K-style lines with a worked solution and `#### N` — lower-case, so deepthink's
character-level tokenizer reads them. Run: python3 make_qa_sample.py"""
import json
import random

random.seed(7)
lines = []
for i in range(40):
    a, b = random.randint(1, 99), random.randint(1, 99)
    lines.append({"question": f"what is {a} + {b}?", "answer": str(a + b)})
for w in ["cat", "dog", "tree", "stone", "river", "cloud", "apple", "bread", "light", "sound"]:
    lines.append({"question": f"spell {w} backwards.", "answer": w[::-1]})
for i in range(5):
    a = random.randint(2, 20)
    lines.append({"question": f"half of {a} apples is how many?",
                  "answer": f"there are {a} apples.\nhalf is {a}/2 = <<{a}/2={a/2:g}>>{a/2:g}.\n#### {a/2:g}"})
with open("qa-sample.jsonl", "w") as f:
    f.write("".join(json.dumps(l) + "\n" for l in lines))
