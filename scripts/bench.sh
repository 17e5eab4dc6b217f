#!/usr/bin/env bash
# `make bench`: latency, throughput, cold start, training time, memory and growth
# of this assistant against a stock `rasa init` bot, in one run on loopback, in
# make run's (SQLite), make cluster's (PostgreSQL + Redis behind nginx) and an
# in-memory configuration. Prints the tables and writes them to docs/benchmarks.md.
# A benchmark, not a test; it takes about 15 minutes on 2 quiet cores. Options:
# python -m scripts.bench --help (e.g. --configs sqlite,memory without the cluster).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/quiet_warnings.sh
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
exec .venv/bin/python -m scripts.bench "$@"
