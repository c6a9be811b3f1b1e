#!/usr/bin/env bash
# Issue 14 §4: prompting (method 1 of the lecture), measured. Three bases pretrained on the plain
# corpus of `deepthink train pretrain` (bare answers, worked scratch work, partial calculations; 5%
# of questions answered with worked reasoning), 1,000 steps of 64 documents (STEPS), seed 1:
#   capable         741,760 parameters; 30% of the questions carry an instruction (zero-shot
#                   "think step by step", a two-example few-shot prefix, or the long supervised-CoT
#                   instruction, a third each) and are answered with worked reasoning
#   small           the same corpus, the 144k shape (d 64, 3 layers: §1a's student)
#   few-instructions 741,760 parameters, instructions in 3% of the questions (fewer tokens at equal steps)
# Each is scored on 200 held-out 3x3 products, greedy, once per prompt style (plain, cot, few-shot,
# supervised). Runs land in runs/prompting/ and resume; the eval outputs go to
# docs/imitation/prompting/ (table: python3 scripts/prompting_table.py). BASES picks the bases (default capable and small; the docs also ran BASES=few-instructions).
set -euo pipefail
cd "$(dirname "$0")/.."
B=${DEEPTHINK:-target/release/deepthink}
OUT=runs/prompting
DOCS=docs/imitation/prompting
mkdir -p "$OUT" "$DOCS"
for base in ${BASES:-capable small}; do
  case "$base" in
    capable) flags="--instruction-rate 0.3" ;;
    small) flags="--instruction-rate 0.3 --d-model 64 --layers 3 --heads 2 --kv-heads 1 --ffn 172" ;;
    few-instructions) flags="--instruction-rate 0.03" ;;
    *) echo "unknown base $base" >&2; exit 2 ;;
  esac
  # A run of other than 1,000 steps is its own base: runs/prompting/capable-3000, and so on.
  name=$base
  [ "${STEPS:-1000}" = 1000 ] || name="$base-$STEPS"
  # shellcheck disable=SC2086
  $B train pretrain --corpus full --think-rate 0.05 $flags --max-len 768 --max-seq-len 768 \
    --steps "${STEPS:-1000}" --eval-every 100000 --eval-problems 50 --seed 1 --run "$OUT/$name"
  tail -1 "$OUT/$name/metrics.jsonl" > "$DOCS/$name-last-step.json"
  for prompt in plain cot few-shot supervised; do
    $B eval --model "$OUT/$name/checkpoint" --task mult -n 200 --prompt "$prompt" --max-new-tokens 256 \
      --predictions "$DOCS/$name-$prompt-predictions.jsonl" > "$DOCS/$name-$prompt-eval.txt" 2>&1
  done
done
