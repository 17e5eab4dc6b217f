#!/usr/bin/env bash
# `make evaluate`: measured quality of the trained model, into results/ (git-ignored).
#   1. NLU on the held-out file (rasa test nlu): reports, confusion matrix, histograms
#   2. NLU k-fold cross-validation over data/nlu.yml, with config.yml minus the
#      FallbackClassifier (its nlu_fallback would count as an error in every fold)
#   3. dialogue: rasa test core on tests/test_stories.yml, with the failed stories
#   4. end to end: the question sets (questions, challenge, blind, final, final2) through the REST
#      channel (real servers, loopback), per class
# then a summary table (results/summary.md), copied with the confusion matrices
# into docs/evaluation.md and docs/images/, and the floors `make test` holds
# (evaluation/floors.py) against what was measured: a line for each figure above its
# floor by more than its margin (record it, the floor moves up) or below it
# (results/floors.md).
# FOLDS (default 5) sets the folds. Models of the folds are trained in temp
# directories with Rasa's cache off; models/ is only read.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/quiet_warnings.sh
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
FOLDS=${FOLDS:-5}
MODEL=models/assistant.tar.gz
OUT=results
RASA=.venv/bin/rasa
PY=.venv/bin/python

step() { printf '\n== %s\n' "$*"; }
run_logged() {  # run_logged LOG CMD...: quiet unless it fails
  local log=$1
  shift
  if ! "$@" >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "error: '$*' failed; log: $log" >&2
    exit 1
  fi
}

[ -f "$MODEL" ] || { echo "error: $MODEL is missing: run 'make train'" >&2; exit 1; }
rm -rf "$OUT/nlu" "$OUT/nlu_cv" "$OUT/dialogue" "$OUT/e2e"
mkdir -p "$OUT/nlu" "$OUT/nlu_cv" "$OUT/dialogue" "$OUT/e2e"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)

step "NLU: held-out file (tests/nlu_holdout.yml) with $MODEL"
run_logged "$OUT/nlu/test.log" "$RASA" test nlu --model "$MODEL" --nlu tests/nlu_holdout.yml \
  --out "$OUT/nlu" --successes
"$PY" -m scripts.evaluation_summary --brief "$OUT/nlu"

step "NLU: $FOLDS-fold cross-validation over data/nlu.yml (config without FallbackClassifier)"
"$PY" -m scripts.evaluation_summary --no-fallback-config config.yml "$tmp/config_no_fallback.yml"
run_logged "$OUT/nlu_cv/test.log" env RASA_MAX_CACHE_SIZE=0 RASA_CACHE_DIRECTORY="$tmp/cache" \
  "$RASA" test nlu --cross-validation --folds "$FOLDS" --config "$tmp/config_no_fallback.yml" \
  --nlu data --out "$OUT/nlu_cv"
"$PY" -m scripts.evaluation_summary --brief "$OUT/nlu_cv"

step "dialogue: rasa test core on tests/test_stories.yml"
run_logged "$OUT/dialogue/test.log" "$RASA" test core --model "$MODEL" --stories tests/test_stories.yml \
  --out "$OUT/dialogue"
grep -E "Evaluating [0-9]+ stories|Correct:|Accuracy:" "$OUT/dialogue/test.log" | sed "s/.*- \s*/  /" | head -n 5 || true
echo "failed stories: $OUT/dialogue/failed_test_stories.yml"

for set in questions challenge blind final final2; do
  step "end to end: tests/e2e/$set.yml through the REST channel"
  "$PY" -m scripts.ask_questions --start --set "$set" --json "$OUT/e2e/$set.json" \
    | tee "$OUT/e2e/$set.txt" | sed -n '1,/^failures/p'
done

step "summary"
"$PY" -m scripts.evaluation_summary --results "$OUT" --folds "$FOLDS" --seconds "$(( $(date +%s) - start ))" \
  2>"$OUT/summary.err" || { tail -n 30 "$OUT/summary.err" >&2; exit 1; }
