#!/usr/bin/env bash
# Start the web chat page (background) and the Rasa server (foreground), each by
# scripts/serve.sh. Ctrl-C stops both. Rasa listens on RASA_PORT (5005): REST,
# socket.io, and Slack when SLACK_TOKEN and SLACK_SIGNING_SECRET are set; it runs the
# custom actions itself (endpoints.yml's actions_module), or calls the action server
# ACTION_SERVER_URL names; the page is on WEB_PORT (8080).
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_PORT=${RASA_PORT:-5005} WEB_PORT=${WEB_PORT:-8080}

source scripts/lib/model.sh
require_model
if [ -z "${ACTION_SERVER_URL:-}" ]; then
  # The actions run in the Rasa server: a malformed fact file stops make run here,
  # naming the file and key, before anything starts.
  .venv/bin/python -m actions.fact_store
fi
source scripts/lib/servers.sh
trap stop_servers EXIT INT TERM
start_web_server "$WEB_PORT"

echo "Rasa server on http://localhost:$RASA_PORT (REST: POST /webhooks/rest/webhook)"
if [ -n "${ACTION_SERVER_URL:-}" ]; then
  echo "Actions: the action server at $ACTION_SERVER_URL (ACTION_SERVER_URL)"
else
  echo "Actions: in the Rasa server (set ACTION_SERVER_URL to call an action server instead)"
fi
if [ -n "${SLACK_TOKEN:-}" ] && [ -n "${SLACK_SIGNING_SECRET:-}" ]; then
  echo "Slack: on; point Event Subscriptions and Interactivity at https://<public host>/webhooks/slack/webhook"
else
  echo "Slack: off (set SLACK_TOKEN and SLACK_SIGNING_SECRET to turn it on; see README)"
fi
if [ "$RASA_PORT" != 5005 ]; then
  echo "The page looks for Rasa on port 5005: open http://localhost:$WEB_PORT/?server=http://localhost:$RASA_PORT"
fi
# Not exec: the trap above stops the page's server when Rasa ends.
scripts/serve.sh rasa "$@"
