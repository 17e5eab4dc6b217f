"""A local scaled-out topology to try (`scripts/cluster`, `make cluster`).

PostgreSQL (tracker store) and Redis (lock store) on free loopback ports with their
data in temporary folders, one action server on 5055 (every Rasa server calls it, ACTION_SERVER_URL),
N Rasa servers on 5006, 5007, ... all reading the one endpoints.yml with
TRACKER_STORE_URL and REDIS_URL set, and nginx balancing them round-robin on 5005.
Ctrl-C stops everything by process id and deletes the data; logs stay in var/cluster/.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time

from local_stack.processes import ROOT, ServiceError, port_is_free, wait_all
from local_stack.servers import (
    ACTION_SERVER_URL,
    MODEL,
    REDIS_URL,
    TRACKER_STORE_URL,
    WIDGET,
    ActionServer,
    RasaServer,
    WebServer,
)
from local_stack.services import INSTALL_HINT, Nginx, Postgres, Redis, missing_services
from local_stack.smoke import say

LOGS = ROOT / "var" / "cluster"
ACTION_PORT = 5055  # the conventional port of rasa_sdk's action server
WEB_PORT = 8080
START_TIMEOUT = 300.0


def busy_ports(balancer_port: int, rasa_ports: list[int]) -> list[int]:
    """The cluster's ports that a server could not listen on now.

    Checked where each server listens: nginx and Rasa on 127.0.0.1, the action
    server on every interface (rasa_sdk's default). A port whose last connection
    is only in TIME_WAIT after a stop is free, as it is to the servers
    (local_stack.processes.port_is_free).
    """
    wanted = [(balancer_port, "127.0.0.1"), (ACTION_PORT, "0.0.0.0")]
    wanted += [(port, "127.0.0.1") for port in rasa_ports]
    return [port for port, host in wanted if not port_is_free(port, host)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/cluster", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=5005, help="load balancer port (default 5005)")
    parser.add_argument("--servers", type=int, default=2, help="number of Rasa servers (default 2)")
    parser.add_argument(
        "--smoke", action="store_true", help="send one conversation through the balancer, then stop"
    )
    args = parser.parse_args(argv)

    if not MODEL.exists():
        print(f"error: {MODEL} is missing: run `make train`", file=sys.stderr)
        return 1
    missing = missing_services()
    if missing:
        print(f"error: {', '.join(missing)} missing: {INSTALL_HINT}", file=sys.stderr)
        return 1
    rasa_ports = [args.port + 1 + i for i in range(args.servers)]
    busy = busy_ports(args.port, rasa_ports)
    if busy:
        print(f"error: port(s) {busy} in use (is `make run` running?)", file=sys.stderr)
        return 1
    LOGS.mkdir(parents=True, exist_ok=True)

    # SIGTERM ends the cluster like Ctrl-C does, through the `finally` below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    postgres, redis, nginx = Postgres(), Redis(), None
    servers: list[ActionServer | RasaServer | WebServer] = []
    try:
        print("Starting PostgreSQL and Redis ...", flush=True)
        postgres.start()
        redis.start()
        # As scripts/run.sh: Sanic reads a whole body (100 MB by default) before any
        # handler can refuse it; nothing here needs more than 2 MB (docs/robustness.md).
        env = {"SANIC_REQUEST_MAX_SIZE": os.environ.get("SANIC_REQUEST_MAX_SIZE", "2097152")}
        env.update({TRACKER_STORE_URL: postgres.url, REDIS_URL: redis.url})
        cors = os.environ.get(
            "CORS_ORIGINS", f"http://localhost:{WEB_PORT} http://127.0.0.1:{WEB_PORT}"
        ).split()
        print(f"Starting the action server and {args.servers} Rasa servers (about a minute) ...", flush=True)
        actions = ActionServer(LOGS, port=ACTION_PORT, env=env)
        action_url = actions.url
        servers.append(actions.launch())
        for port in rasa_ports:
            rasa = RasaServer(
                LOGS,
                action_url,
                # The web chat page is another origin (port) than the balancer, as in `make run`.
                extra_args=["--cors", *cors],
                env=env,
                port=port,
            )
            servers.append(rasa.launch())
        web_note = "Web chat       not installed (make web)"
        if WIDGET.exists() and port_is_free(WEB_PORT, "0.0.0.0"):
            servers.append(WebServer(LOGS, port=WEB_PORT, bind=None).launch())
            query = "" if args.port == 5005 else f"?server=http://localhost:{args.port}"
            web_note = f"Web chat       http://localhost:{WEB_PORT}/{query}  (socket.io through the balancer)"
        wait_all({f"{s.name}-{s.port}": s.watched() for s in servers}, START_TIMEOUT)
        nginx = Nginx([f"127.0.0.1:{p}" for p in rasa_ports], port=args.port).start()

        print(
            f"""
Load balancer  {nginx.base}  (nginx: round robin, socket.io by client address; X-Upstream names the server)
{web_note}
Rasa servers   {"  ".join(f"http://127.0.0.1:{p}" for p in rasa_ports)}
Action server  http://127.0.0.1:{ACTION_PORT}  ({ACTION_SERVER_URL}={action_url}: every Rasa server calls it)
{TRACKER_STORE_URL}={postgres.url}
{REDIS_URL}={redis.url}
Logs           {LOGS.relative_to(ROOT)}/

Try:  curl -si {nginx.base}/webhooks/rest/webhook -H 'Content-Type: application/json' \\
        -d '{{"sender": "ana", "message": "which pays more?"}}'
""",
            flush=True,
        )
        if args.smoke:
            sender = f"smoke-{os.getpid()}"
            for message in ["How much does a product manager earn?", "and production managers?", "thanks!"]:
                upstream, text = say(nginx.base, sender, message)
                print(f"[{upstream}] you> {message}\n    bot> {text}", flush=True)
            return 0
        print("Ctrl-C stops everything.", flush=True)
        processes = [s.process for s in servers] + [nginx.process]
        while all(p.poll() is None for p in processes if p is not None):
            time.sleep(1)
        print(f"error: a process of the cluster exited: see {LOGS}", file=sys.stderr)
        return 1
    except ServiceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        print("Stopping ...", flush=True)
        if nginx is not None:
            nginx.stop()
        for server in reversed(servers):
            server.stop()
        redis.stop()
        postgres.stop()


if __name__ == "__main__":
    sys.exit(main())
