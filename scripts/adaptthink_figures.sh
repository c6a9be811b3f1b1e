#!/usr/bin/env bash
# Issue 13 §3, AdaptThink in GRPO: a base that answers some sums directly, then RL with the
# no-think bonus with and without dividing advantages by the group's std.
# docs/overthinking.md, "Choosing whether to think". About 17 minutes on 2 cores.
set -euo pipefail
D=${DEEPTHINK:-./target/release/deepthink}
R=${RUNS:-runs}
mkdir -p "$R"
# Half direct answers, half carry traces, shuffled: a base that can skip thinking on some sums.
$D data --task add --min-digits 1 --max-digits 3 --trace direct -n 60000 --seed 1 -o "$R/adapt-direct.jsonl"
$D data --task add --min-digits 1 --max-digits 3 --trace carry -n 60000 --seed 2 -o "$R/adapt-carry.jsonl"
python3 -c "import random,sys; l=open(sys.argv[1]).readlines()+open(sys.argv[2]).readlines(); random.Random(0).shuffle(l); open(sys.argv[3],'w').writelines(l)" \
  "$R/adapt-direct.jsonl" "$R/adapt-carry.jsonl" "$R/adapt-base-data.jsonl"
$D train sft --data "$R/adapt-base-data.jsonl" --task add --min-digits 1 --max-digits 3 --steps 1500 \
  --eval-every 500 --run "$R/adapt-base"
A="--init-from $R/adapt-base/checkpoint --task add --min-digits 1 --max-digits 3 --no-think-share 0.5
  --prompts 16 --group 8 --max-new-tokens 200 --lr 2e-5 --warmup 0 --steps 100 --eval-every 20"
$D train grpo $A --rewards accuracy=1,format=1,no-think=0.05 --run "$R/adapt-scaled"
$D train grpo $A --rewards accuracy=1,format=1,no-think=0.05 --no-scale-rewards --run "$R/adapt-unscaled"
$D train grpo $A --rewards accuracy=1,format=1,no-think=0.2 --no-scale-rewards --run "$R/adapt-unscaled-d0.2"
# Between the two: 300 steps at delta 0.1 and 0.15.
for d in 0.1 0.15; do
  $D train grpo $A --steps 300 --eval-every 100 --rewards accuracy=1,format=1,no-think=$d --no-scale-rewards \
    --run "$R/adapt-unscaled-d$d"
done
# At lr 1e-4, 300 steps: delta 0.05, 0.1, 0.15 (seeds 1 and 2) and 0.2.
H="--init-from $R/adapt-base/checkpoint --task add --min-digits 1 --max-digits 3 --no-think-share 0.5
  --prompts 16 --group 8 --max-new-tokens 200 --warmup 0 --eval-every 500 --no-scale-rewards --lr 1e-4 --steps 300"
for spec in "0.05 1" "0.1 1" "0.15 1" "0.15 2" "0.15 3" "0.2 1"; do
  set -- $spec
  $D train grpo $H --seed $2 --rewards accuracy=1,format=1,no-think=$1 --run "$R/adapt-lr1e-4-d$1-s$2"
done
$D train grpo ${H/--lr 1e-4 --steps 300/--lr 5e-5 --steps 600} --rewards accuracy=1,format=1,no-think=0.15 \
  --run "$R/adapt-lr5e-5-600-d0.15"
for m in adapt-base adapt-scaled adapt-unscaled adapt-unscaled-d0.2 adapt-unscaled-d0.1 adapt-unscaled-d0.15 \
  adapt-lr1e-4-d0.05-s1 adapt-lr1e-4-d0.1-s1 adapt-lr1e-4-d0.15-s1 adapt-lr1e-4-d0.15-s2 adapt-lr1e-4-d0.15-s3 adapt-lr1e-4-d0.2-s1 \
  adapt-lr5e-5-600-d0.15; do
  $D eval --model "$R/$m/checkpoint" --task add --min-digits 1 --max-digits 3 --per-group 30 \
    --max-new-tokens 200 --predictions "$R/$m.jsonl"
done
python3 scripts/length_rl_table.py base="$R/adapt-base.jsonl" scaled="$R/adapt-scaled.jsonl" \
  unscaled="$R/adapt-unscaled.jsonl" unscaled-d0.2="$R/adapt-unscaled-d0.2.jsonl" \
  unscaled-d0.1-300="$R/adapt-unscaled-d0.1.jsonl" unscaled-d0.15-300="$R/adapt-unscaled-d0.15.jsonl" \
  $(for r in d0.05-s1 d0.1-s1 d0.15-s1 d0.15-s2 d0.15-s3 d0.2-s1; do echo "lr1e-4-$r=$R/adapt-lr1e-4-$r.jsonl"; done) \
  lr5e-5-600-d0.15="$R/adapt-lr5e-5-600-d0.15.jsonl"
