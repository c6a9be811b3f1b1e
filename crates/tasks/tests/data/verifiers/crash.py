"""Scores one line, then dies."""
import json, sys
line = sys.stdin.readline()
print(json.dumps({"score": 1.0}), flush=True)
sys.exit(3)
