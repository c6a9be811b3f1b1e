"""Writes the two reasoning-gym problem files deepthink's open-task figures use (docs/results.md §9).

    pip install reasoning-gym==0.1.25
    python3 data/reasoning-gym/make.py        # rewrites basic_arithmetic.jsonl, spell_backward.jsonl

Each line is reasoning-gym's own entry, {"question", "answer", "metadata"}, as `create_dataset`
yields it (metadata.source_dataset names the scorer scripts/reasoning_gym_verifier.py uses).
Settings are chosen so a 1M-parameter model on 2 CPU cores learns something in minutes and
still has room to improve: two-term sums, differences and products of 1–2 digit numbers (no
parentheses or negation), and words of 3–10 letters (reasoning-gym's default).
"""
import json
import os

import reasoning_gym

SIZE = 10000
SEED = 42
TASKS = {
    "basic_arithmetic": dict(min_terms=2, max_terms=2, min_digits=1, max_digits=2,
                             operators=("+", "-", "*"), allow_parentheses=False,
                             allow_negation=False),
    "spell_backward": dict(min_word_len=3, max_word_len=10),
}

here = os.path.dirname(os.path.abspath(__file__))
for name, settings in TASKS.items():
    data = reasoning_gym.create_dataset(name, size=SIZE, seed=SEED, **settings)
    path = os.path.join(here, f"{name}.jsonl")
    with open(path + ".tmp", "w") as f:
        for entry in data:
            f.write(json.dumps(entry) + "\n")
    os.replace(path + ".tmp", path)
    print(f"{path}: {SIZE} lines, seed {SEED}, {settings}")
