# Shared by run.sh and shell.sh: start the action server (and the web page) and stop them again.
ACTION_PID=""
WEB_PID=""

start_action_server() {
  local port=$1
  .venv/bin/python -m rasa_patches.rasa_command run actions --port "$port" --actions actions &
  ACTION_PID=$!
  for _ in $(seq 1 120); do
    if curl -fsS "http://localhost:$port/health" >/dev/null 2>&1; then
      echo "Action server on http://localhost:$port"
      return 0
    fi
    if ! kill -0 "$ACTION_PID" 2>/dev/null; then
      echo "error: the action server did not start (see its log above)" >&2
      exit 1
    fi
    sleep 0.5
  done
  echo "error: the action server did not answer on port $port within 60 s" >&2
  exit 1
}

# web/index.html and the widget bundle in web/node_modules, on all interfaces like Rasa.
start_web_server() {
  local port=$1
  if [ ! -f web/node_modules/rasa-webchat/lib/index.js ]; then
    echo "error: the web chat widget is not installed: run 'make web' (npm ci in web/)" >&2
    exit 1
  fi
  mkdir -p var
  .venv/bin/python -m http.server "$port" --directory web >var/web.log 2>&1 &
  WEB_PID=$!
  for _ in $(seq 1 40); do
    if curl -fsS "http://localhost:$port/index.html" >/dev/null 2>&1; then
      echo "Web chat on http://localhost:$port"
      return 0
    fi
    if ! kill -0 "$WEB_PID" 2>/dev/null; then
      echo "error: the web page server did not start on port $port (see var/web.log)" >&2
      exit 1
    fi
    sleep 0.25
  done
  echo "error: the web page server did not answer on port $port within 10 s" >&2
  exit 1
}

stop_servers() {
  trap - EXIT INT TERM
  if [ -n "$WEB_PID" ]; then
    kill "$WEB_PID" 2>/dev/null || true
    wait "$WEB_PID" 2>/dev/null || true
  fi
  if [ -n "$ACTION_PID" ]; then
    kill "$ACTION_PID" 2>/dev/null || true
    wait "$ACTION_PID" 2>/dev/null || true
  fi
}
