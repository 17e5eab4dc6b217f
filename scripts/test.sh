#!/usr/bin/env bash
# Everything `make test` checks, in order of cost. Exits non-zero on any failure.
# Installs what the tests need and is missing: Chromium and PostgreSQL, Redis,
# nginx (as root, as .ci/run runs; otherwise it says what to run).
# Arguments go to the last step's pytest, e.g. scripts/test.sh -k webchat.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
mkdir -p results

step() { printf '\n== %s\n' "$*"; }

# Lint, types, fact store, data validation and the fast tests (the Makefile's
# PY_PATHS and FAST_TIER): everything that needs no server.
step "make check"
"${MAKE:-make}" --no-print-directory check

step "conversation tests (rasa test core)"
.venv/bin/rasa test core --model models/assistant.tar.gz --stories tests/test_stories.yml \
  --endpoints endpoints.yml --fail-on-prediction-errors --out results/core >results/core.log 2>&1 || {
  tail -n 40 results/core.log
  echo "conversation tests failed: see results/core/failed_test_stories.yml" >&2
  exit 1
}
grep -E "Correct:|Accuracy:|F1-Score:" results/core.log | head -n 6 || true
# rasa test runs on the same patched Rasa as rasa run and rasa shell (rasa_patches/).
grep -q "patched (rasa_patches): graph_runner, action_response, event_types, domain_checks, action_endpoint, store_errors" \
  results/core.log || { echo "rasa test core ran without every one of rasa_patches/" >&2; exit 1; }

# The web chat tests drive Debian's Chromium; tests/scaled runs real PostgreSQL,
# Redis and nginx. Each script installs its packages only when they are missing.
scripts/install_chromium.sh
scripts/install_services.sh
# The container tests run the image (deploy/Containerfile): built here, with podman.
step "container image (make image)"
scripts/image.sh

# The tiers that `make check` leaves out (tests/conftest.py): together, every test.
step "pytest: end to end, channels, hardening, scaled-out, containers (servers, browser, services, containers)"
.venv/bin/pytest tests -m "servers or browser or services or containers" "$@"
