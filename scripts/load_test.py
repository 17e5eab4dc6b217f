"""A bounded load test of the REST channel, and a check that the tracker store kept every message.

    .venv/bin/python scripts/load_test.py                    # start a stack, 1,000 x 5 at 16
    .venv/bin/python scripts/load_test.py --conversations 200 --concurrency 8
    .venv/bin/python scripts/load_test.py --cluster          # make cluster's stack: 2 Rasa servers
    .venv/bin/python scripts/load_test.py --cluster --servers 1
    .venv/bin/python scripts/load_test.py --url http://127.0.0.1:5005 --database var/conversations.db

Without --url it starts its own action server and Rasa server on free loopback
ports, with the project's credentials.yml and endpoints.yml and its tracker
store on a fresh SQLite file (or TRACKER_STORE_URL when set), and stops them
afterwards. With --cluster it starts `make cluster`'s stack instead:
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
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.processes import (  # noqa: E402
    MODEL,
    ActionServer,
    Bot,
    Setup,
    cpu_busy_seconds,
    cpu_seconds,
)
from benchmarks.stats import percentile  # noqa: E402
from deploy.local import INSTALL_HINT, Postgres, Redis, missing_services  # noqa: E402

# Five turns that lean on the conversation's memory (follow-ups), from the README's example.
TURNS = [
    "How much does a production manager earn?",
    "and product managers?",
    "what about their education?",
    "which certifications do they get?",
    "where does that come from?",
]
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
START_TIMEOUT = 600.0  # two Rasa servers loading at once on a busy 2-core machine
MAX_SERVERS = 8


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    sent: dict[str, list[str]] = field(default_factory=dict)
    upstreams: Counter[str] = field(default_factory=Counter)  # turns answered per Rasa server


async def conversation(
    session: aiohttp.ClientSession, url: str, sender: str, turns: int, timeout: float, results: Results
) -> None:
    results.sent[sender] = []
    for number in range(turns):
        text = TURNS[number % len(TURNS)]
        started = time.perf_counter()
        try:
            async with session.post(
                url, json={"sender": sender, "message": text}, timeout=aiohttp.ClientTimeout(total=timeout)
            ) as response:
                body = await response.text()
                elapsed = time.perf_counter() - started
                if response.status != 200:
                    results.errors.append(f"{sender} turn {number}: HTTP {response.status} {body[:200]}")
                    return
                replies = json.loads(body)
                if not any(str(r.get("text", "")).strip() for r in replies):
                    results.errors.append(f"{sender} turn {number}: empty reply")
                # nginx (deploy/local.py) names the Rasa server that answered.
                results.upstreams[response.headers.get("X-Upstream", "direct")] += 1
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            results.errors.append(f"{sender} turn {number}: {type(error).__name__}: {error}")
            return
        results.latencies.append(elapsed)
        results.sent[sender].append(text)


async def run_load(url: str, conversations: int, turns: int, concurrency: int, timeout: float) -> Results:
    results = Results()
    queue: asyncio.Queue[str] = asyncio.Queue()
    run_id = uuid.uuid4().hex[:8]
    for number in range(conversations):
        queue.put_nowait(f"load-{run_id}-{number:05d}")

    async def worker(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            sender = queue.get_nowait()
            await conversation(session, url, sender, turns, timeout, results)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return results


def stored_user_texts(database_url: str, senders: list[str]) -> dict[str, list[str]]:
    """Every user message of these conversations, in order, as the tracker store holds them."""
    engine = sa.create_engine(database_url)
    found: dict[str, list[str]] = {sender: [] for sender in senders}
    query = sa.text(
        "SELECT sender_id, data FROM events WHERE type_name = 'user' AND sender_id LIKE :prefix ORDER BY id"
    )
    prefix = senders[0].rsplit("-", 1)[0] + "-%" if senders else "-"
    with engine.connect() as connection:
        for sender, data in connection.execute(query, {"prefix": prefix}):
            if sender in found:
                found[sender].append(json.loads(data).get("text"))
    engine.dispose()
    return found


# --------------------------------------------------------------------- the stack


@dataclass
class Stack:
    """The servers this run started (none with --url), to read their CPU time and stop them."""

    workdir: Path | None = None
    description: str = ""
    # Every process of the stack by part: "Rasa servers", "action server", ...
    pids: dict[str, list[int]] = field(default_factory=dict)
    stoppable: list[Any] = field(default_factory=list)

    def cpu(self) -> dict[str, float]:
        """CPU seconds each part has used so far (its processes and their children)."""
        return {part: sum(cpu_seconds(pid) for pid in pids) for part, pids in self.pids.items()}

    def stop(self) -> None:
        for server in reversed(self.stoppable):
            server.stop()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)


def start_stack(stack: Stack, cluster: bool, servers: int) -> tuple[str, str]:
    """Start the action server and Rasa server(s); (base URL, tracker store URL)."""
    stack.workdir = workdir = Path(tempfile.mkdtemp(prefix="load-test-"))
    env = {"REDIS_URL": ""}  # one server: locks in the process
    if cluster:
        print("stack: starting PostgreSQL and Redis ...", flush=True)
        postgres = Postgres()
        stack.stoppable.append(postgres)
        postgres.start()
        redis = Redis()
        stack.stoppable.append(redis)
        redis.start()
        assert postgres.process is not None and redis.process is not None
        stack.pids.update({"PostgreSQL": [postgres.process.pid], "Redis": [redis.process.pid]})
        database = postgres.url
        env["REDIS_URL"] = redis.url
    else:
        database = os.environ.get("TRACKER_STORE_URL") or f"sqlite:///{workdir / 'conversations.db'}"
    actions = ActionServer(workdir)
    stack.stoppable.append(actions)
    actions.start()
    assert actions.process is not None
    stack.pids["action server"] = [actions.process.pid]
    env.update(TRACKER_STORE_URL=database, ACTION_SERVER_URL=actions.url)
    # The project's credentials.yml (its channels, the 10 s action timeout) and
    # endpoints.yml, the environment choosing the stores, as `make run` and
    # `make cluster` start Rasa.
    setup = Setup(ROOT / "credentials.yml", ROOT / "endpoints.yml", env, servers, balanced=cluster)
    rasa = Bot("load", MODEL, ROOT, workdir, setup)
    stack.stoppable.append(rasa)
    print(f"stack: starting {servers} Rasa server(s) ...", flush=True)
    seconds = rasa.start(timeout=START_TIMEOUT)
    stack.pids["Rasa servers"] = [p.pid for p in rasa.processes]
    if rasa.nginx is not None and rasa.nginx.process is not None:
        stack.pids["nginx"] = [rasa.nginx.process.pid]
    where = database.split("@")[-1]
    stack.description = (
        f"Rasa {rasa.base} ({servers} server(s){' behind nginx' if rasa.nginx else ''}, "
        f"up in {seconds:.0f} s), actions {actions.url}, tracker store {where}"
    )
    print(f"stack: {stack.description}", flush=True)
    return rasa.base, database


# --------------------------------------------------------------------- report


@dataclass
class Usage:
    """CPU seconds used during the load, by part of the stack, and by the whole machine."""

    wall_s: float
    parts: dict[str, float]  # part of the stack -> CPU seconds
    client_s: float  # this process: the load's clients
    machine_s: float  # every process on the machine
    cores: int

    @property
    def others_s(self) -> float:
        return max(0.0, self.machine_s - sum(self.parts.values()) - self.client_s)


def usage_lines(usage: Usage, turns: int, servers: int) -> list[str]:
    """What each part of the stack cost a turn, and how busy it kept the machine."""
    if not turns or not usage.wall_s:
        return []

    def per_turn(seconds: float) -> str:
        return f"{1000 * seconds / turns:.1f} ms"

    parts = [f"{part} {per_turn(s)}" for part, s in usage.parts.items()]
    parts.append(f"load clients {per_turn(usage.client_s)}")
    lines = [f"CPU per turn: {', '.join(parts)}"]
    rasa = usage.parts.get("Rasa servers")
    if rasa is not None:
        lines.append(
            f"Rasa servers busy: {rasa / usage.wall_s / servers:.0%} of a core each "
            f"({rasa / usage.wall_s:.2f} cores in all, {servers} server(s))"
        )
    lines.append(
        f"machine: {usage.machine_s / usage.wall_s:.2f} of {usage.cores} cores busy, "
        f"{usage.others_s / usage.wall_s:.2f} of them by processes outside this load test"
    )
    return lines


def report(
    results: Results,
    elapsed: float,
    args: argparse.Namespace,
    missing: list[str],
    usage: Usage | None = None,
) -> str:
    turns = len(results.latencies)
    lines = [
        f"conversations: {args.conversations} x {args.turns} turns, {args.concurrency} at once",
        f"turns answered: {turns} in {elapsed:.1f} s = {turns / elapsed:.1f} turns/s",
    ]
    if results.latencies:
        ms = [1000 * s for s in results.latencies]
        lines.append(
            f"latency ms: p50 {percentile(ms, 50):.0f}, p95 {percentile(ms, 95):.0f}, "
            f"p99 {percentile(ms, 99):.0f}, max {max(ms):.0f}, mean {statistics.fmean(ms):.0f}"
        )
    if len(results.upstreams) > 1 or "direct" not in results.upstreams:
        shares = ", ".join(f"{u} {n}" for u, n in sorted(results.upstreams.items()))
        lines.append(f"turns per Rasa server: {shares}")
    if usage is not None:
        lines += usage_lines(usage, turns, args.servers)
    lines.append(f"errors: {len(results.errors)}")
    lines += [f"  {error}" for error in results.errors[:10]]
    sent = sum(len(v) for v in results.sent.values())
    lines.append(
        f"tracker store: all {sent} messages of {len(results.sent) - len(missing)} conversations found"
        if not missing
        else f"tracker store: {len(missing)} conversations with messages missing or out of order"
    )
    lines += [f"  {m}" for m in missing[:10]]
    return "\n".join(lines)


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

        cpu0, machine0, client0 = stack.cpu(), cpu_busy_seconds(), _client_cpu_seconds()
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
                client_s=_client_cpu_seconds() - client0,
                machine_s=cpu_busy_seconds() - machine0,
                cores=os.cpu_count() or 1,
            )
        stored = stored_user_texts(database, sorted(results.sent))
        missing = [
            f"{sender}: sent {len(sent)}, stored {len(stored.get(sender, []))}"
            for sender, sent in results.sent.items()
            if stored.get(sender) != sent
        ]
        print(report(results, elapsed, args, missing, usage))
        return 1 if results.errors or missing else 0
    finally:
        stack.stop()


def _client_cpu_seconds() -> float:
    """CPU time of this process alone (the load's clients), not of the servers it started."""
    times = os.times()
    return times.user + times.system


if __name__ == "__main__":
    sys.exit(main())
