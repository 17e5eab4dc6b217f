"""`make load`'s parts (scripts/load_test.py): conversations, stack, tracker store check, report.

The stack is the project's credentials.yml and endpoints.yml on a fresh SQLite
file, or `make cluster`'s: PostgreSQL, Redis and Rasa servers behind nginx.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from benchmarks.processes import Bot, Setup, cpu_seconds
from benchmarks.stats import percentile
from local_stack.processes import ROOT
from local_stack.servers import MODEL, ActionServer
from local_stack.services import Postgres, Redis
from local_stack.tracker_db import stored_events

# Five turns that lean on the conversation's memory (follow-ups), from the README's example.
TURNS = [
    "How much does a production manager earn?",
    "and product managers?",
    "what about their education?",
    "which certifications do they get?",
    "where does that come from?",
]
START_TIMEOUT = 600.0  # two Rasa servers loading at once on a busy 2-core machine


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
                # nginx (local_stack/services.py) names the Rasa server that answered.
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
    found: dict[str, list[str]] = {sender: [] for sender in senders}
    prefix = senders[0].rsplit("-", 1)[0] + "-" if senders else "-"
    for sender, events in stored_events(database_url, prefix=prefix, type_name="user").items():
        if sender in found:
            found[sender] = [event.get("text") or "" for event in events]
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
    """Start the Rasa server(s), and the cluster's action server; (base URL, tracker store URL)."""
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
    env["TRACKER_STORE_URL"] = database
    # The actions: in the Rasa server, as `make run` runs them (endpoints.yml's
    # actions_module); the cluster's servers share one action server, as in `make cluster`.
    env["ACTION_SERVER_URL"] = ""
    actions_where = "in the Rasa server"
    if cluster:
        actions = ActionServer(workdir)
        stack.stoppable.append(actions)
        actions.start()
        assert actions.process is not None
        stack.pids["action server"] = [actions.process.pid]
        env["ACTION_SERVER_URL"] = actions_where = actions.url
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
        f"up in {seconds:.0f} s), actions {actions_where}, tracker store {where}"
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


@dataclass(frozen=True)
class Size:
    """How much load: conversations of `turns` turns, `concurrency` at once, on `servers` Rasa servers."""

    conversations: int
    turns: int
    concurrency: int
    servers: int = 1


def report(
    results: Results,
    elapsed: float,
    size: Size,
    missing: list[str],
    usage: Usage | None = None,
) -> str:
    turns = len(results.latencies)
    lines = [
        f"conversations: {size.conversations} x {size.turns} turns, {size.concurrency} at once",
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
        lines += usage_lines(usage, turns, size.servers)
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


def client_cpu_seconds() -> float:
    """CPU time of this process alone (the load's clients), not of the servers it started."""
    times = os.times()
    return times.user + times.system
