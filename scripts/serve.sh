#!/usr/bin/env bash
# One of the assistant's servers in the foreground, by role:
#   scripts/serve.sh rasa     the Rasa server on RASA_PORT (5005): REST, socket.io, and
#                             Slack when SLACK_TOKEN and SLACK_SIGNING_SECRET are set; the
#                             actions in it, or at the action server ACTION_SERVER_URL names
#   scripts/serve.sh actions  the action server on ACTION_PORT (5055)
#   scripts/serve.sh web      the web chat page on WEB_PORT (8080)
# `make run` starts Rasa and the page through this script (scripts/run.sh), and the container
# image (deploy/Containerfile) runs one role per container, so the two share each
# server's command line and hardening. Extra arguments go to the server.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/quiet_warnings.sh
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
source scripts/lib/model.sh
PYTHON=${VENV_PYTHON:-.venv/bin/python}

role=${1:-}
shift || true
case "$role" in
  rasa)
    RASA_PORT=${RASA_PORT:-5005}
    WEB_PORT=${WEB_PORT:-8080}
    # The page and socket.io are different origins (ports) in `make run`, so Rasa must
    # allow the page's. Space-separated; CORS_ORIGINS='*' allows any.
    CORS_ORIGINS=${CORS_ORIGINS:-http://localhost:$WEB_PORT http://127.0.0.1:$WEB_PORT}
    # Sanic reads a whole request body before any handler sees it (100 MB by
    # default); nothing here needs more than 2 MB (docs/robustness.md).
    export SANIC_REQUEST_MAX_SIZE=${SANIC_REQUEST_MAX_SIZE:-2097152}
    # Rasa's HTTP API (/conversations, /model, ...) stays off unless RASA_API_TOKEN
    # is set; then every call needs ?token=<it> (docs/robustness.md).
    api=()
    if [ -n "${RASA_API_TOKEN:-}" ]; then
      api=(--enable-api "--auth-token=$RASA_API_TOKEN")
    fi
    require_model
    read -r -a cors <<<"$CORS_ORIGINS" # split on spaces, and no globbing of '*'
    exec "$PYTHON" -m rasa_patches.rasa_command run --model "$MODEL" --port "$RASA_PORT" --cors "${cors[@]}" \
      "${api[@]}" --credentials credentials.yml --endpoints endpoints.yml "$@"
    ;;
  actions)
    # A malformed fact file stops start-up here, naming the file and key.
    "$PYTHON" -m actions.fact_store
    exec "$PYTHON" -m rasa_patches.rasa_command run actions --port "${ACTION_PORT:-5055}" --actions actions "$@"
    ;;
  web)
    if [ ! -f web/node_modules/rasa-webchat/lib/index.js ]; then
      echo "error: the web chat widget is not installed: run 'make web' (npm ci in web/)" >&2
      exit 1
    fi
    # All interfaces, like Rasa: the page is opened from other machines too.
    exec "$PYTHON" -m http.server "${WEB_PORT:-8080}" --directory web "$@"
    ;;
  *)
    echo "usage: scripts/serve.sh rasa|actions|web [server arguments]" >&2
    exit 2
    ;;
esac
