#!/usr/bin/env bash
# Issue 14 §3: Stream of Search in its own setting. Countdown with 4 numbers (values 1-30, targets
# 10-100), where guessing rarely works; the 741,760-parameter default shape trained from scratch on
# each trace style at equal real (non-padding) training tokens, 10 M each, batch 16, seed 1:
#   visited  depth-first search with dead ends, `back`, and `seen` on a state already failed from
#   search   the same search without the markers (it re-explores failed states)
#   found    visited, kept only when the search reaches the target within its node budget (no
#            solver path appended; the problem is redrawn otherwise)
#   stream   visited with every stream kept as it ran, as Stream of Search trains: a search that
#            runs out of budget ends there and answers `none`
#   optimal  the solution path only
# Steps come from the real tokens an example measured over the first 320-640 training examples of
# each style with this seed (trainer's real_tokens): visited 742.3, search 717.8, optimal 58.8;
# found 323.2, stream 689.6 (their first 640 examples).
# Scored on 500 held-out problems, greedy, up to 1,600 new tokens. Runs land in runs/sos/ and
# resume; the figures go to docs/imitation/sos/ (tables: python3 scripts/sos_table.py).
# STYLES picks the styles (default visited optimal search, in this order; found and stream on
# request).
set -euo pipefail
cd "$(dirname "$0")/.."
B=${DEEPTHINK:-target/release/deepthink}
OUT=runs/sos
DOCS=docs/imitation/sos
TOKENS=${TOKENS:-10000000}
mkdir -p "$OUT" "$DOCS"
per_example() {
  case "$1" in
    visited) echo 742.3 ;;
    search) echo 717.8 ;;
    optimal) echo 58.8 ;;
    found) echo 323.2 ;;
    stream) echo 689.6 ;;
    *) echo "no token count for style $1" >&2; exit 2 ;;
  esac
}
for style in ${STYLES:-visited optimal search}; do
  run=$OUT/$style
  steps=$(python3 -c "print(round($TOKENS / (16 * $(per_example "$style"))))")
  $B train sft --task countdown --numbers 4 --trace "$style" \
    --batch-size 16 --micro-batches 2 --warmup 100 --max-len 2048 --max-seq-len 2048 --steps "$steps" \
    --eval-every 100000 --eval-problems 50 --save-every 200 --seed 1 --run "$run"
  $B eval --model "$run/checkpoint" --task countdown --numbers 4 -n 500 --max-new-tokens 1600 \
    --predictions "$run/predictions.jsonl" > "$DOCS/$style-eval.txt" 2>&1
  cp "$run/predictions.jsonl" "$DOCS/$style-predictions.jsonl"
  tail -1 "$run/metrics.jsonl" > "$DOCS/$style-last-step.json"
done
