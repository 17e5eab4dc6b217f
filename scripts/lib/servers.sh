# Shared by run.sh and shell.sh: start the action server and stop it again.
ACTION_PID=""

start_action_server() {
  local port=$1
  .venv/bin/rasa run actions --port "$port" --actions actions &
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

stop_servers() {
  trap - EXIT INT TERM
  if [ -n "$ACTION_PID" ]; then
    kill "$ACTION_PID" 2>/dev/null || true
    wait "$ACTION_PID" 2>/dev/null || true
  fi
}
