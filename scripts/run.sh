#!/usr/bin/env bash
# Start the action server and the web chat page (background) and the Rasa server
# (foreground). Ctrl-C stops all three. Rasa listens on RASA_PORT (5005): REST,
# socket.io, and Slack when SLACK_TOKEN and SLACK_SIGNING_SECRET are set; actions
# on 5055 (endpoints.yml); the page on WEB_PORT (8080).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/quiet_warnings.sh
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
RASA_PORT=${RASA_PORT:-5005}
WEB_PORT=${WEB_PORT:-8080}
# The page and socket.io are different origins (ports), so Rasa must allow the
# page's. Space-separated; CORS_ORIGINS='*' allows any (e.g. a phone on the LAN).
CORS_ORIGINS=${CORS_ORIGINS:-http://localhost:$WEB_PORT http://127.0.0.1:$WEB_PORT}
ACTION_PORT=5055  # endpoints.yml points here
MODEL=models/assistant.tar.gz
# Sanic reads a whole request body before any handler sees it (100 MB by
# default); nothing here needs more than 2 MB (docs/robustness.md).
export SANIC_REQUEST_MAX_SIZE=${SANIC_REQUEST_MAX_SIZE:-2097152}
# Rasa's HTTP API (/conversations, /model, ...) stays off unless RASA_API_TOKEN
# is set; then every call needs ?token=<it> (docs/robustness.md).
api=()
if [ -n "${RASA_API_TOKEN:-}" ]; then
  api=(--enable-api "--auth-token=$RASA_API_TOKEN")
fi

if [ ! -f "$MODEL" ]; then
  echo "error: $MODEL is missing. Run 'make train' (or 'make run', which trains it)." >&2
  exit 1
fi
# A malformed fact file stops start-up here, naming the file and key.
.venv/bin/python -m actions.fact_store

source scripts/lib/servers.sh
start_action_server "$ACTION_PORT"
trap stop_servers EXIT INT TERM
start_web_server "$WEB_PORT"

echo "Rasa server on http://localhost:$RASA_PORT (REST: POST /webhooks/rest/webhook)"
if [ -n "${SLACK_TOKEN:-}" ] && [ -n "${SLACK_SIGNING_SECRET:-}" ]; then
  echo "Slack: on; point Event Subscriptions and Interactivity at https://<public host>/webhooks/slack/webhook"
else
  echo "Slack: off (set SLACK_TOKEN and SLACK_SIGNING_SECRET to turn it on; see README)"
fi
if [ "$RASA_PORT" != 5005 ]; then
  echo "The page looks for Rasa on port 5005: open http://localhost:$WEB_PORT/?server=http://localhost:$RASA_PORT"
fi
read -r -a cors <<<"$CORS_ORIGINS"  # split on spaces, and no globbing of '*'
.venv/bin/python -m rasa_patches.rasa_command run --model "$MODEL" --port "$RASA_PORT" --cors "${cors[@]}" "${api[@]}" \
  --credentials credentials.yml --endpoints endpoints.yml "$@"
