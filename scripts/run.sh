#!/usr/bin/env bash
# Start the action server and the web chat page (background) and the Rasa server
# (foreground), each by scripts/serve.sh. Ctrl-C stops all three. Rasa listens on
# RASA_PORT (5005): REST, socket.io, and Slack when SLACK_TOKEN and
# SLACK_SIGNING_SECRET are set; actions on 5055 (endpoints.yml); the page on WEB_PORT (8080).
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_PORT=${RASA_PORT:-5005} WEB_PORT=${WEB_PORT:-8080}
export ACTION_PORT=5055 # endpoints.yml points here

source scripts/lib/model.sh
require_model
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
# Not exec: the trap above stops the other two when Rasa ends.
scripts/serve.sh rasa "$@"
