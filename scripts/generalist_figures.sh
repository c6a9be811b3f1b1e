#!/usr/bin/env bash
# Issue 13 §5: the generalist's figures from a finished checkpoint. Per-cell held-out accuracy and
# thinking tokens (100 distinct problems a cell where the space allows), countdown-3 and -4 on 500
# held-out problems each, the forced-slip check (a wrong first row, then a wrong first running
# sum, forced into 50 products), and s1's budget forcing. docs/results.md §12.
#
#     scripts/generalist_figures.sh runs/generalist4/checkpoint docs/overthinking/generalist4
set -euo pipefail
MODEL=${1:?usage: generalist_figures.sh CHECKPOINT OUT_DIR}
OUT=${2:?usage: generalist_figures.sh CHECKPOINT OUT_DIR}
D=${DEEPTHINK:-./target/release/deepthink}
mkdir -p "$OUT"
$D eval --model "$MODEL" --task mix --min-digits 1 --max-digits 5 --per-group 100 \
  --max-new-tokens 800 --predictions "$OUT/cells.jsonl" > "$OUT/cells-eval.txt"
python3 scripts/cell_table.py "$OUT/cells.jsonl" > "$OUT/cells.md"
for n in 3 4; do
  $D eval --model "$MODEL" --task countdown --numbers $n -n 500 --max-new-tokens 200 \
    > "$OUT/countdown$n.txt"
done
{
  python3 scripts/forced_slip.py "$MODEL" 50 1 row
  python3 scripts/forced_slip.py "$MODEL" 50 1 sum
} > "$OUT/forced-slip.txt"
rm "$OUT/cells.jsonl"
# s1's budget forcing on the same model (issue 13 §1): 200 held-out mix problems.
$D eval --model "$MODEL" --task mix --min-digits 1 --max-digits 5 -n 200 --max-new-tokens 800 \
  --thinking-budgets 16,32,64,128,256 --min-thinking-tokens 128 --wait-words wait,'\n' --out "$OUT" \
  > /dev/null
head -2 "$OUT/cells-eval.txt" && cat "$OUT"/countdown*.txt "$OUT/forced-slip.txt"
