#!/usr/bin/env bash
# Chat with the assistant in the terminal. The actions run in the Rasa process
# (endpoints.yml's actions_module) unless ACTION_SERVER_URL names an action server.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/quiet_warnings.sh
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
if [ -z "${ACTION_SERVER_URL:-}" ]; then
  # A malformed fact file stops start-up here, naming the file and key.
  .venv/bin/python -m actions.fact_store
fi
exec .venv/bin/python -m rasa_patches.rasa_command shell --model models/assistant.tar.gz --endpoints endpoints.yml "$@"
