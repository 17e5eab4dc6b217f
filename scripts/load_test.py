"""A bounded load test of the REST channel, and a check that the tracker store kept every message.

    .venv/bin/python -m scripts.load_test                  # start a stack, 1,000 x 5 at 16
    .venv/bin/python -m scripts.load_test --conversations 200 --concurrency 8
    .venv/bin/python -m scripts.load_test --cluster          # make cluster's stack: 2 Rasa servers
    .venv/bin/python -m scripts.load_test --cluster --servers 1
    .venv/bin/python -m scripts.load_test --url http://127.0.0.1:5005 --database var/conversations.db

Without --url it starts its own Rasa server on a free loopback port, with the
project's credentials.yml and endpoints.yml (the actions in the Rasa server, as
`make run` runs them) and its tracker store on a fresh SQLite file (or
TRACKER_STORE_URL when set), and stops it afterwards. With --cluster it starts `make cluster`'s stack instead:
PostgreSQL (tracker store) and Redis (locks) of their own, one action server
and --servers Rasa servers (default 2) behind nginx, round robin; the figures
then say which server answered how many turns. Each conversation sends
`--turns` questions one after the other (a follow-up needs the answer before
it); `--concurrency` conversations run at once. It reports throughput,
p50/p95/p99 latency and errors (a non-200 answer, a time-out, or an empty reply
all count), the CPU time each part of its own stack spent per turn, then reads
the tracker store and checks that every message of every conversation is
there, once and in order. It exits non-zero on any error or missing message.
Loopback only, bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import time
from pathlib import Path

from benchmarks.load import (
    Size,
    Stack,
    Usage,
    client_cpu_seconds,
    report,
    run_load,
    start_stack,
    stored_user_texts,
)
from benchmarks.processes import cpu_busy_seconds
from local_stack.servers import MODEL
from local_stack.services import INSTALL_HINT, missing_services

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
MAX_SERVERS = 8


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    parser.add_argument(
        "--cluster",
        action="store_true",
        help="start make cluster's stack: PostgreSQL, Redis, Rasa servers behind nginx",
    )
    parser.add_argument(
        "--servers", type=int, help="with --cluster: how many Rasa servers behind nginx (default 2)"
    )
    parser.add_argument("--url", help="a running Rasa server on loopback (default: start one)")
    parser.add_argument("--database", help="its tracker store: an SQLAlchemy URL or an SQLite file")
    args = parser.parse_args(argv)
    if not (0 < args.conversations <= 10_000 and 0 < args.turns <= 20 and 0 < args.concurrency <= 64):
        parser.error("bounded: at most 10,000 conversations, 20 turns, 64 at once")
    if args.servers is not None and not args.cluster:
        parser.error("--servers goes with --cluster")
    args.servers = 1 if not args.cluster else (2 if args.servers is None else args.servers)
    if not 0 < args.servers <= MAX_SERVERS:
        parser.error(f"--servers: 1 to {MAX_SERVERS}")
    if args.cluster and args.url:
        parser.error("--cluster starts its own stack: leave out --url")

    # On SIGTERM, unwind so that every server started here is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    stack = Stack()
    try:
        if args.url:
            if not any(f"//{host}" in args.url for host in LOOPBACK_HOSTS):
                parser.error("--url must be a loopback address")
            if not args.database:
                parser.error("--database is needed with --url, to check the tracker store")
            base = args.url.rstrip("/")
            database = args.database
        else:
            if not MODEL.exists():
                print(f"error: {MODEL} is missing: run `make train`", file=sys.stderr)
                return 1
            if args.cluster and missing_services():
                print(f"error: {', '.join(missing_services())} missing: {INSTALL_HINT}", file=sys.stderr)
                return 1
            base, database = start_stack(stack, args.cluster, args.servers)
        if "://" not in database:
            database = f"sqlite:///{Path(database).resolve()}"

        cpu0, machine0, client0 = stack.cpu(), cpu_busy_seconds(), client_cpu_seconds()
        started = time.perf_counter()
        results = asyncio.run(
            run_load(
                f"{base}/webhooks/rest/webhook",
                args.conversations,
                args.turns,
                args.concurrency,
                args.timeout,
            )
        )
        elapsed = time.perf_counter() - started
        usage = None
        if stack.pids:
            cpu1 = stack.cpu()
            usage = Usage(
                wall_s=elapsed,
                parts={part: cpu1[part] - cpu0.get(part, 0.0) for part in cpu1},
                client_s=client_cpu_seconds() - client0,
                machine_s=cpu_busy_seconds() - machine0,
                cores=os.cpu_count() or 1,
            )
        stored = stored_user_texts(database, sorted(results.sent))
        missing = [
            f"{sender}: sent {len(sent)}, stored {len(stored.get(sender, []))}"
            for sender, sent in results.sent.items()
            if stored.get(sender) != sent
        ]
        size = Size(args.conversations, args.turns, args.concurrency, args.servers)
        print(report(results, elapsed, size, missing, usage))
        return 1 if results.errors or missing else 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
