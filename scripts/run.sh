#!/usr/bin/env bash
# Start the action server (background) and the Rasa server (foreground).
# Ctrl-C stops both. Rasa listens on RASA_PORT (5005); actions on 5055 (endpoints.yml).
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
RASA_PORT=${RASA_PORT:-5005}
ACTION_PORT=5055  # endpoints.yml points here
MODEL=models/assistant.tar.gz

if [ ! -f "$MODEL" ]; then
  echo "error: $MODEL is missing. Run 'make train' (or 'make run', which trains it)." >&2
  exit 1
fi
# A malformed fact file stops start-up here, naming the file and key.
.venv/bin/python -m actions.fact_store

source scripts/lib/servers.sh
start_action_server "$ACTION_PORT"
trap stop_servers EXIT INT TERM

echo "Rasa server on http://localhost:$RASA_PORT (REST: POST /webhooks/rest/webhook)"
.venv/bin/rasa run --model "$MODEL" --port "$RASA_PORT" \
  --credentials credentials.yml --endpoints endpoints.yml "$@"
