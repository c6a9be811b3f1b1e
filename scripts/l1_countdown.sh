#!/usr/bin/env bash
# Issue 13 §2: L1 on countdown-3 `search`, a trace whose length varies by whole branches (a failed
# branch is ~40 tokens, and a problem takes 0 to ~10 of them) rather than by whole recheck passes.
# One SFT run on traces fitted to the prompt's target (of 8 search orders, the one nearest it),
# then L1-Exact's RL from it (α = 0.01 and 0.003); each model greedy at targets 64 / 128 / 192 / 256 on 200 held-out
# problems, and the table. docs/overthinking.md, "L1 on countdown search". About 25 minutes on 2
# cores; a finished run resumes at its end, and a finished evaluation is skipped.
set -euo pipefail
D=${DEEPTHINK:-./target/release/deepthink}
OUT=${OUT:-docs/overthinking/countdown-l1}
mkdir -p "$OUT"
$D train sft --task countdown --trace search --length-targets 64:320 --length-fit 8 \
  --max-len 640 --max-seq-len 640 --micro-batches 4 --steps 1111 --eval-every 500 --run runs/cd-fit
$D train grpo --task countdown --length-targets 64:320 --init-from runs/cd-fit/checkpoint \
  --rewards accuracy=1,format=1,l1-exact=1 --prompts 16 --group 8 --max-new-tokens 600 --temperature 1 \
  --loss dapo --epsilon-high 0.28 --lr 5e-5 --warmup 0 --skip-zero-advantage --steps 300 \
  --eval-every 50 --eval-problems 200 --seed 1 --run runs/cd-fit-l1exact
# The same at a third of the length weight: α = 0.003, a 100-token miss costing 0.3 of a right answer.
$D train grpo --task countdown --length-targets 64:320 --init-from runs/cd-fit/checkpoint \
  --rewards accuracy=1,format=1,l1-exact=0.3 --prompts 16 --group 8 --max-new-tokens 600 --temperature 1 \
  --loss dapo --epsilon-high 0.28 --lr 5e-5 --warmup 0 --skip-zero-advantage --steps 300 \
  --eval-every 50 --eval-problems 200 --seed 1 --run runs/cd-fit-l1exact03
for m in cd-fit cd-fit-l1exact cd-fit-l1exact03; do
  for n in 64 128 192 256; do
    f="$OUT/$m-$n.json"
    [ -f "$f" ] || $D eval --model runs/$m/checkpoint --task countdown -n 200 --max-new-tokens 600 \
      --length-target $n --json --predictions "$OUT/$m-$n.jsonl" > "$f"
  done
done
python3 scripts/l1_countdown_table.py "$OUT" > "$OUT/table.md"
cat "$OUT/table.md"
