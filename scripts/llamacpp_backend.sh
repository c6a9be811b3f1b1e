#!/usr/bin/env bash
# deepthink strategies run through llama.cpp's own server (llama-cpp-python[server]) on a GGUF
# export, beside the same model run locally: greedy (how many completions agree token for token),
# majority@8 (accuracy both ways; llama.cpp samples with its own RNG, so the samples differ) and
# beam search, whose steps continue the partial reasoning through /v1/completions.
#   PY=python-with-llama-cpp-python[server] scripts/llamacpp_backend.sh   (about 2 minutes)
# The model: a byte-level BPE tokenizer and 600 SFT steps on 1-2 digit products (GGUF export
# needs a byte-level BPE vocabulary; the built-in model's is character-level).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3}
PORT=${PORT:-8331}
W=${WORK:-$(mktemp -d)}
D=target/release/deepthink
cargo build --release -q
$D data --task mult --trace compact --min-digits 1 --max-digits 2 -n 2000 -o "$W/mult.jsonl"
$D train tokenizer --data "$W/mult.jsonl" --vocab-size 300 --out "$W/tok"
[ -d "$W/run/checkpoint" ] || $D train sft --task mult --trace compact --min-digits 1 --max-digits 2 \
    --tokenizer "$W/tok" --steps 600 --run "$W/run"
M=$W/run/checkpoint
$D export --model "$M" --gguf "$W/m.gguf"
$PY -m llama_cpp.server --model "$W/m.gguf" --port "$PORT" --n_ctx 512 > "$W/llama-server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$PORT/v1/models" > /dev/null && break; sleep 1; done
B="--backend http://127.0.0.1:$PORT/v1"
E="--model $M -n 50 --min-digits 1 --max-digits 2"
echo "== greedy: local, then through llama.cpp's server"
$D eval $E --strategy greedy --predictions "$W/greedy-local.jsonl" | grep accuracy
$D eval $E --strategy greedy --predictions "$W/greedy-llamacpp.jsonl" $B | grep accuracy
echo "== majority@8 (temperature 1): local, then through llama.cpp's server"
$D eval $E --strategy majority --samples 8 --temperature 1.0 | grep accuracy
$D eval $E --strategy majority --samples 8 --temperature 1.0 $B | grep accuracy
echo "== beam (4 beams, the task's own checker as verifier): step-level search through /v1/completions"
$D eval $E --strategy beam --verifier oracle --samples 4 | grep accuracy
$D eval $E --strategy beam --verifier oracle --samples 4 $B | grep accuracy
python3 - "$W" <<'PY'
import json, sys
w = sys.argv[1]
a = [json.loads(l) for l in open(f"{w}/greedy-local.jsonl")]
b = [json.loads(l) for l in open(f"{w}/greedy-llamacpp.jsonl")]
same = sum(x["completion"] == y["completion"] for x, y in zip(a, b))
print(f"greedy completions identical token for token: {same} of {len(a)} (llama.cpp keeps its KV cache in F16: near-ties can flip)")
PY
