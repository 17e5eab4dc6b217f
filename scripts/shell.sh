#!/usr/bin/env bash
# Start the action server and chat with the assistant in the terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/quiet_warnings.sh
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
# endpoints.yml points at 5055 (ACTION_SERVER_URL overrides it; the shell test sets both).
ACTION_PORT=${ACTION_PORT:-5055}
source scripts/lib/servers.sh
start_action_server "$ACTION_PORT"
trap stop_servers EXIT INT TERM
.venv/bin/python -m rasa_patches.rasa_command shell --model models/assistant.tar.gz --endpoints endpoints.yml "$@"
