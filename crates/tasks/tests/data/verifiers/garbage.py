"""Answers every line with something that is not a score (and leaves quietly when the caller,
having seen the garbage, closes the pipe)."""
import sys
try:
    for line in sys.stdin:
        print("looks right to me", flush=True)
except BrokenPipeError:
    sys.stderr.close()
