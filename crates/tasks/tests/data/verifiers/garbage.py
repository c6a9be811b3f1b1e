"""Answers every line with something that is not a score."""
import sys
for line in sys.stdin:
    print("looks right to me", flush=True)
