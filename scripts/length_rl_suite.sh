#!/usr/bin/env bash
# Issue 13 §4: Kimi k1.5's group-relative length penalty on the default model (the generalist),
# measured on the mixed suite against the same GRPO without it. Both runs: GRPO from
# models/default on the weighted task mix (`train grpo --task mix`, its default weights), 8
# prompts × G = 8, T = 1, DAPO loss, lr 5e-5, STEPS steps (default 40), seed 1; the penalised run
# adds `length=1` after a 10-step warm-up, as the recheck overthinker's run did
# (docs/overthinking.md, "An overthinker cured"). Then `eval --suite mixed`, greedy, 100 problems
# a bin, both checkpoints side by side; the table and chart go to docs/overthinking/suite-kimi/sSTEPS/.
# Runs land in runs/suite-kimi/sSTEPS/ and resume. Run with STEPS=40 and STEPS=150 for the docs.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${DEEPTHINK:-target/release/deepthink}
STEPS=${STEPS:-40}
OUT=runs/suite-kimi/s$STEPS
DOCS=docs/overthinking/suite-kimi/s$STEPS
G="--init-from models/default --task mix --min-digits 1 --max-digits 5 --prompts 8 --group 8
  --max-new-tokens 800 --temperature 1 --loss dapo --epsilon-high 0.28 --lr 5e-5 --warmup 0
  --skip-zero-advantage --steps $STEPS --eval-every 100000 --eval-problems 0 --seed 1"
# shellcheck disable=SC2086
$B train grpo $G --rewards accuracy=1,format=1 --run "$OUT/control"
# shellcheck disable=SC2086
$B train grpo $G --rewards accuracy=1,format=1,length=1 --length-warmup 10 --run "$OUT/kimi"
mkdir -p "$DOCS"
cp "$OUT/control/metrics.jsonl" "$DOCS/control-metrics.jsonl"
cp "$OUT/kimi/metrics.jsonl" "$DOCS/kimi-metrics.jsonl"
$B eval --suite mixed --model "$OUT/kimi/checkpoint" --compare-model "$OUT/control/checkpoint" \
  --strategy greedy --per-bin 100 --max-new-tokens 800 --out "$DOCS"
