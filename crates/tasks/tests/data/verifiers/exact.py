"""A well-behaved verifier: score 1 when the last line after </think> equals the reference."""
import json, sys
for line in sys.stdin:
    req = json.loads(line)
    tail = req["completion"].split("</think>")[-1].strip().splitlines()
    print(json.dumps({"id": req["id"], "score": 1.0 if tail and tail[-1].strip() == req["answer"] else 0.0}), flush=True)
