# For run.sh: start the web page by scripts/serve.sh in the background, and stop it again.
# (Bash, not local_stack: Rasa runs in the foreground of this terminal.)
WEB_PID=""

# wait_up NAME PID URL SECONDS HINT: until URL answers; exit if the process ends first or time runs out.
wait_up() {
  local name=$1 pid=$2 url=$3 seconds=$4 hint=$5
  for _ in $(seq 1 $((seconds * 4))); do
    if curl -fsS "$url" >/dev/null 2>&1; then
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "error: the $name did not start ($hint)" >&2
      exit 1
    fi
    sleep 0.25
  done
  echo "error: the $name did not answer on $url within $seconds s" >&2
  exit 1
}

# web/index.html and the widget bundle in web/node_modules, on all interfaces like Rasa
# (serve.sh says, in var/web.log, when the widget is not installed).
start_web_server() {
  local port=$1
  mkdir -p var
  WEB_PORT=$port scripts/serve.sh web >var/web.log 2>&1 &
  WEB_PID=$!
  wait_up "web page server" "$WEB_PID" "http://localhost:$port/index.html" 10 "on port $port, see var/web.log"
  echo "Web chat on http://localhost:$port"
}

stop_servers() {
  trap - EXIT INT TERM
  if [ -n "$WEB_PID" ]; then
    kill "$WEB_PID" 2>/dev/null || true
    wait "$WEB_PID" 2>/dev/null || true
  fi
}
