#!/usr/bin/env bash
# Issue 13 §3-§4, samples per question at equal accuracy: greedy, fixed majority at N = 8..64 (and
# 128 on the first seed), the Beta rule, the window rule (ESC) and difficulty allocation — the
# fixed rule, and the one calibrated on 700 problems the suite does not score (tolerance 0.25 and
# 0.5 points, and two-fold; and split by the policy's confidence, --confidence-cuts, with probes of
# 1 and 2, plain and two-fold) — on the mixed suite with the default model, T = 0.7, 100 problems a
# bin, three seeds. docs/overthinking.md, "Choosing how many samples". About 115 minutes on 2
# cores; a finished run's directory is skipped on a rerun.
set -euo pipefail
D=${DEEPTHINK:-./target/release/deepthink}
OUT=${OUT:-docs/overthinking/sample-rules}
S="--suite mixed --temperature 0.7 --per-bin 100 --max-new-tokens 800"
run() { # seed, run name, flags...
  local dir="$OUT/s$1/$2"; shift 2
  [ ! -f "$dir/suite.json" ] || return 0
  mkdir -p "$dir"
  $D eval $S "$@" --out "$dir" 2> "$dir/stderr.txt"
  # The table a calibrated run learnt, as it printed it.
  tr '\r' '\n' < "$dir/stderr.txt" | grep 'calibrated on' > "$dir/calibration.txt" || rm "$dir/calibration.txt"
  rm "$dir/stderr.txt"
}
for seed in 1 2 3; do
  run $seed greedy --seed $seed --strategy greedy
  for n in 8 16 32 64; do run $seed maj$n --seed $seed --strategy majority --samples $n; done
  [ $seed != 1 ] || run 1 maj128 --seed 1 --strategy majority --samples 128
  for w in 2 3; do
    run $seed ad32-w$w --seed $seed --strategy adaptive-majority,esc,allocate --samples 32 --window $w
    run $seed cal32-w$w --seed $seed --strategy allocate --calibrate 700 --samples 32 --window $w
    run $seed cal32-w$w-t0.5 --seed $seed --strategy allocate --calibrate 700 --calibration-tolerance 0.5 \
      --samples 32 --window $w
    run $seed cal32-w$w-f2 --seed $seed --strategy allocate --calibrate 700 --calibration-folds 2 \
      --samples 32 --window $w
  done
  # Cut points chosen before any run: probes below 0.2, 0.2-0.5, 0.5-0.8, 0.8-0.95, and above.
  C="--confidence-cuts 0.2,0.5,0.8,0.95"
  for w in 1 2; do
    run $seed conf32-w$w --seed $seed --strategy allocate --calibrate 700 $C --samples 32 --window $w
    run $seed conf32-w$w-f2 --seed $seed --strategy allocate --calibrate 700 $C --calibration-folds 2 \
      --samples 32 --window $w
  done
  # Chosen after seed 2 fell short (2026-12-06): the two-fold confidence rule, probe 1, on twice
  # the calibration problems (~7 minutes a seed).
  run $seed conf32-w1-f2-c1400 --seed $seed --strategy allocate --calibrate 1400 $C --calibration-folds 2 \
    --samples 32 --window 1
done
# Only the JSON is kept in the docs (the per-run charts are large and say nothing the table does not).
find "$OUT" -name 'suite.svg' -delete
python3 scripts/sample_rules_table.py "$OUT" > "$OUT/table.md"
cat "$OUT/table.md"
