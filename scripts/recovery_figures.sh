#!/usr/bin/env bash
# Learning to recover (issue 14 §2; docs/imitation.md): models trained on mult 2–3-digit `long`
# traces with deliberate slips in a share RATE of them (0 is the clean control), at equal training
# tokens; then each one's clean held-out accuracy, and the forced-mistake figures:
# a wrong partial product and a wrong running sum (the kind of slip the recovery traces contain),
# and a row for the wrong digit of b (a kind they never contain).
#
#   scripts/recovery_figures.sh          # RATES="0 0.2" picks rates (default 0 0.1 0.2 0.5); ~15-18 min a rate here
#
# Equal tokens: a trace with a slip is about twice as long, so a model trained with slips sees
# more tokens a step; steps_for below gives each rate the real tokens of 1,200 steps at 0.2
# (from the traces' measured mean length: 188, 205 and 223 tokens an example at 0, 0.1 and 0.2,
# with the chat frame; 0.5's count is from the trainer's real tokens at 0.2, 206 an example, and
# 0.5's 50 more characters a trace). Runs land in runs/recovery/ and resume; the figures go to
# docs/imitation/recovery/, and the chart is drawn from recovery.json by
# `deepthink plot --lines docs/imitation/recovery/recovery.json`.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${DEEPTHINK:-target/release/deepthink}
OUT=runs/recovery
DOCS=docs/imitation/recovery
mkdir -p "$OUT" "$DOCS"
steps_for() {
  case "$1" in
    0) echo 1423 ;;
    0.1) echo 1305 ;;
    0.2) echo 1200 ;;
    0.5) echo 966 ;;
    *) echo "no step count for rate $1" >&2; exit 2 ;;
  esac
}
# SCALE=2 trains every rate on twice the tokens, in runs rate-R-2x (figures named the same way).
SCALE=${SCALE:-1}
for rate in ${RATES:-0 0.1 0.2 0.5}; do
  name=rate-$rate$([ "$SCALE" = 1 ] || echo "-${SCALE}x")
  run=$OUT/$name
  $B train sft --task mult --trace long --min-digits 2 --max-digits 3 --mistake-rate "$rate" \
    --batch-size 32 --max-len 512 --max-seq-len 512 --steps "$(( $(steps_for "$rate") * SCALE ))" \
    --eval-every 400 --eval-problems 200 --seed 1 --run "$run"
  $B eval --model "$run/checkpoint" --task mult --min-digits 2 --max-digits 3 -n 500 --max-new-tokens 512 \
    --predictions "$run/clean-predictions.jsonl" > "$DOCS/$name-clean.txt" 2>&1
  for mode in row sum digit; do
    python3 scripts/forced_slip.py "$run/checkpoint" 100 1 "$mode" --digits 2:3
  done > "$DOCS/$name-forced.jsonl"
  tail -1 "$run/metrics.jsonl" > "$DOCS/$name-last-step.json"
done
python3 scripts/recovery_chart.py > "$DOCS/table.md"
$B plot --lines "$DOCS/recovery.json"
