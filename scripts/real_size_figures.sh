#!/usr/bin/env bash
# The real-size figures (docs/results.md §10): random-weight checkpoints with Qwen2.5-0.5B's and
# DeepSeek-R1-Distill-Qwen-1.5B's exact configurations, made by transformers, then for each at F32
# and BF16 `deepthink bench --hf` beside transformers and llama.cpp; then SFT and GRPO steps on
# the 0.5B one (s/step) and the refusal to train the 1.5B one.
#
#   pip install torch transformers llama-cpp-python gguf   # the references (llama.cpp builds from source)
#   PY=/path/to/that/python scripts/real_size_figures.sh   # ~40 min on 2 cores, ~9 GB of disk
#
# STAGES="bench train" picks the parts; logs land in docs/bench/hf-*.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3}
B=${DEEPTHINK:-target/release/deepthink}
MODELS=${MODELS:-runs/real-size}
mkdir -p "$MODELS" docs/bench
[ -d "$MODELS/r1-distill-1.5b" ] || $PY bench/make_real_size.py "$MODELS"
for stage in ${STAGES:-bench train}; do
  if [ "$stage" = bench ]; then
    for m in qwen2.5-0.5b r1-distill-1.5b; do
      for dtype in f32 bf16; do
        $B bench --hf "$MODELS/$m" --dtype "$dtype" --transformers "$PY" --llama-cpp "$PY" \
          --work "$MODELS/work-$m-$dtype" | tee "docs/bench/hf-$m-$dtype.txt"
        rm -f "$MODELS/work-$m-$dtype"/*.gguf
      done
    done
  fi
  if [ "$stage" = train ]; then
    data=data/reasoning-gym/basic_arithmetic_worked.jsonl
    {
      echo "## SFT, 0.5B, batch 8 (sequences up to 512 tokens), 4 steps"
      $B train sft --init-from "$MODELS/qwen2.5-0.5b" --task qa --data "$data" --trace given \
        --steps 4 --batch-size 8 --eval-problems 4 --max-len 512 --lr 1e-5 --min-lr 1e-6 --warmup 0 --eval-every 1000 --run "$MODELS/sft-0.5b" --restart 2>&1 | tail -4
      cat "$MODELS/sft-0.5b/metrics.jsonl"   # "seconds" is cumulative: s/step is its increments
      echo "## GRPO, 0.5B, 2 prompts x 4 completions of up to 32 tokens, 3 steps"
      $B train grpo --init-from "$MODELS/qwen2.5-0.5b" --task qa --data "$data" --prompts 2 \
        --group 4 --max-new-tokens 32 --steps 3 --eval-every 1000 --eval-problems 4 --run "$MODELS/grpo-0.5b" --restart 2>&1 | tail -4
      cat "$MODELS/grpo-0.5b/metrics.jsonl"
      echo "## SFT, 1.5B: refused up front"
      $B train sft --init-from "$MODELS/r1-distill-1.5b" --task qa --data "$data" --trace given \
        --steps 1 --batch-size 8 --run "$MODELS/sft-1.5b" --restart 2>&1 | tail -2 || true
    } | tee docs/bench/hf-train.txt
  fi
done
