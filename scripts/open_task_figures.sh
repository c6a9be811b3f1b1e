#!/usr/bin/env bash
# The open-task figures (docs/results.md §9): for each reasoning-gym file in data/reasoning-gym,
# a byte-level BPE tokenizer, a direct-answer SFT baseline, and on the file's held-out 5% —
# greedy, majority@8 and majority@32, an outcome verifier labelled by reasoning-gym's own scorer
# with best-of-8, and GRPO from the baseline with that scorer as the accuracy reward; then the
# arithmetic questions again with worked solutions in the file (TASKS="worked" runs only that).
#
#   pip install reasoning-gym==0.1.25           # the scorer behind --verifier-cmd
#   scripts/open_task_figures.sh                 # ~45 min on 2 cores; PY=python to pick the Python
#
# Every step is a deepthink command a user types; runs land in runs/open-tasks/ and resume.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3}
B=${DEEPTHINK:-target/release/deepthink}
OUT=runs/open-tasks
V="$PY scripts/reasoning_gym_verifier.py"
mkdir -p "$OUT"
for task in ${TASKS:-basic_arithmetic spell_backward}; do
  [ "$task" = worked ] && continue
  data=data/reasoning-gym/$task.jsonl
  run=$OUT/$task
  $B train tokenizer --data "$data" --vocab-size 300 --out "$run-tok"
  $B train sft --task qa --data "$data" --tokenizer "$run-tok" --trace direct --steps 1500 --warmup 100 \
    --eval-every 500 --eval-problems 200 --seed 1 --run "$run-sft"
  held=(--task qa --problems "$data" --held-out --max-new-tokens 32 --verifier-cmd "$V")
  {
    echo "## $task"
    echo "### baseline: SFT on direct answers, greedy"
    $B eval --model "$run-sft/checkpoint" "${held[@]}" 2>&1 | tail -1
    for n in 8 32; do
      echo "### baseline, majority@$n (temperature 1.0)"
      $B eval --model "$run-sft/checkpoint" "${held[@]}" --strategy majority --samples $n --temperature 1.0 2>&1 | tail -1
    done
  } | tee "$run-baseline.md"
  $B train verifier --policy "$run-sft/checkpoint" --task qa --qa-file "$data" --kind orm --labels outcome \
    --verifier-cmd "$V" --problems 1000 --samples 4 --max-new-tokens 32 --steps 400 --run "$run-orm"
  {
    echo "### baseline, best-of-8 with the ORM (labels from reasoning-gym's scorer)"
    $B eval --model "$run-sft/checkpoint" "${held[@]}" --strategy best-of-n --samples 8 --temperature 1.0 \
      --verifier "$run-orm/checkpoint" 2>&1 | tail -1
    echo "### baseline, best-of-8 with reasoning-gym's scorer as the oracle (an upper bound)"
    $B eval --model "$run-sft/checkpoint" "${held[@]}" --strategy best-of-n --samples 8 --temperature 1.0 \
      --verifier oracle 2>&1 | tail -1
    echo "### the ORM's quality (outcome AUC pooled and within a problem)"
    $B eval --model "$run-sft/checkpoint" --task qa --qa-file "$data" --verifier-quality \
      --verifier "$run-orm/checkpoint" -n 300 --max-new-tokens 32 2>&1 | tail -1
    echo "### exact match (deepthink's own comparison), greedy and majority@8"
    $B eval --model "$run-sft/checkpoint" --task qa --problems "$data" --held-out --max-new-tokens 32 2>&1 | tail -1
    $B eval --model "$run-sft/checkpoint" --task qa --problems "$data" --held-out --max-new-tokens 32 \
      --strategy majority --samples 8 --temperature 1.0 2>&1 | tail -1
  } | tee "$run-orm.md"
  $B train grpo --init-from "$run-sft/checkpoint" --task qa --data "$data" --verifier-cmd "$V" \
    --max-new-tokens 24 --steps ${GRPO_STEPS:-600} --lr ${GRPO_LR:-2e-5} --eval-every 100 --eval-problems 200 --seed 1 --run "$run-grpo"
  {
    echo "### GRPO from the baseline (reasoning-gym's scorer as the accuracy reward), greedy; then exact match"
    $B eval --model "$run-grpo/checkpoint" "${held[@]}" 2>&1 | tail -1
    $B eval --model "$run-grpo/checkpoint" --task qa --problems "$data" --held-out --max-new-tokens 32 2>&1 | tail -1
  } | tee "$run-grpo.md"
done

# The same arithmetic questions with worked solutions in the file (data/reasoning-gym/make_worked.py):
# the think block is a trace SFT learns (--trace given), and then votes and RL have reasoning to work on.
if [ -z "${TASKS:-}" ] || [[ " $TASKS " == *" worked "* ]]; then
  data=data/reasoning-gym/basic_arithmetic_worked.jsonl
  run=$OUT/worked
  $B train tokenizer --data "$data" --vocab-size 300 --out "$run-tok"
  $B train sft --task qa --data "$data" --tokenizer "$run-tok" --trace given --steps 1500 --warmup 100 --micro-batches 4 \
    --eval-every 500 --eval-problems 200 --seed 1 --run "$run-sft"
  held=(--task qa --problems "$data" --held-out --max-new-tokens 192 --verifier-cmd "$V")
  {
    echo "## basic_arithmetic with worked solutions"
    echo "### SFT on the worked solutions, greedy"
    $B eval --model "$run-sft/checkpoint" "${held[@]}" 2>&1 | tail -1
    echo "### majority@8 (temperature 1.0)"
    $B eval --model "$run-sft/checkpoint" "${held[@]}" --strategy majority --samples 8 --temperature 1.0 2>&1 | tail -1
  } | tee "$run-baseline.md"
  $B train grpo --init-from "$run-sft/checkpoint" --task qa --data "$data" --verifier-cmd "$V" \
    --max-new-tokens 192 --steps ${WORKED_GRPO_STEPS:-100} --lr ${GRPO_LR:-2e-5} --eval-every 50 --eval-problems 200 --seed 1 --run "$run-grpo"
  {
    echo "### GRPO from the worked-solution SFT model, greedy"
    $B eval --model "$run-grpo/checkpoint" "${held[@]}" 2>&1 | tail -1
  } | tee "$run-grpo.md"
fi
