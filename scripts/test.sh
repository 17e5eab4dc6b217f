#!/usr/bin/env bash
# Everything `make test` checks, in order of cost. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
mkdir -p results

step() { printf '\n== %s\n' "$*"; }

step "lint (ruff)"
.venv/bin/ruff check actions benchmarks connectors deploy nlu_components tests scripts
.venv/bin/ruff format --check actions benchmarks connectors deploy nlu_components tests scripts

step "types (mypy)"
.venv/bin/mypy actions benchmarks connectors deploy nlu_components tests scripts

step "fact store"
.venv/bin/python -m actions.fact_store

step "rasa data validate"
.venv/bin/rasa data validate --fail-on-warnings --config config.yml --domain domain.yml --data data

step "conversation tests (rasa test core)"
.venv/bin/rasa test core --model models/assistant.tar.gz --stories tests/test_stories.yml \
  --endpoints endpoints.yml --fail-on-prediction-errors --out results/core >results/core.log 2>&1 || {
  tail -n 40 results/core.log
  echo "conversation tests failed: see results/core/failed_test_stories.yml" >&2
  exit 1
}
grep -E "Correct:|Accuracy:|F1-Score:" results/core.log | head -n 6 || true

# tests/scaled runs real PostgreSQL, Redis and nginx: install them if missing.
scripts/install_services.sh

step "pytest: unit, NLU held-out, end to end, scaled-out"
.venv/bin/pytest tests "$@"
