#!/usr/bin/env bash
# `make bench`: latency, throughput, cold start, training time and memory of this
# assistant against a stock `rasa init` bot, in one run on loopback. Prints the
# table and writes it to docs/benchmarks.md. A benchmark, not a test; it takes
# about 10 minutes on 2 quiet cores. Options: scripts/bench.py --help.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
exec .venv/bin/python scripts/bench.py "$@"
