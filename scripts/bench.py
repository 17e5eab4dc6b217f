"""`make bench`: this assistant against a stock `rasa init` bot, side by side, in one run.

A benchmark, not a test: it prints Markdown tables and writes them, with how
they were measured, to docs/benchmarks.md. Everything runs here, on loopback.

Three configurations, one after the other, each bot given the same kind of
tracker store in each:

- `sqlite`: `make run`'s (this assistant with the shipped credentials.yml and
  endpoints.yml, its tracker store on SQLite in a temp folder; the stock bot
  with Rasa's SQL tracker store on SQLite);
- `cluster`: `make cluster`'s (two Rasa servers a bot on PostgreSQL and Redis,
  behind nginx; the stock bot with Rasa's SQL and Redis stores);
- `memory`: both in memory, for reference.

In each: cold start (`rasa run` to the first 200 from `/status`), latency
through `POST /webhooks/rest/webhook` sequential and with 8 concurrent
conversations, throughput, `/model/parse` latency, resident memory, and
growth: one conversation of 300 turns (turn 300 against turn 20) and a new
conversation in a store of 1,000 conversations against one in an empty store.
Training time (cache disabled) is measured once.

Every loop is bounded by a message count and a time budget.
Usage: python scripts/bench.py [--configs sqlite,cluster,memory] [--messages N] [--no-write]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deploy.local import Nginx, Postgres, Redis, missing_services  # noqa: E402
from tests.e2e.question_set import load_items  # noqa: E402
from tests.stack import MODEL, VENV_BIN, ActionServer, free_port, rasa_env, stop  # noqa: E402

RASA = str(VENV_BIN / "rasa")
CONCURRENCY = 8
REQUEST_TIMEOUT = 30.0
START_TIMEOUT = 300.0
TRAIN_TIMEOUT = 900.0
GROWTH_WINDOW = 10  # turn N's latency: the median of the 10 turns ending at N

# Conversations a person might have with the stock `rasa init` bot (its intents:
# greet, goodbye, affirm, deny, mood_great, mood_unhappy, bot_challenge).
STOCK_CONVERSATIONS: tuple[tuple[str, ...], ...] = (
    ("hello", "i am feeling great today", "bye"),
    ("hi there", "i'm sad", "no", "goodbye"),
    ("hey", "are you a bot?", "see you later"),
    ("good morning", "very unhappy", "yes", "bye bye"),
    ("hey dude", "i am amazing", "have a nice day"),
    ("good evening", "not good", "of course", "good night"),
    ("hi", "am i talking to a human?", "ok bye"),
    ("hello there", "extremely sad", "never", "cu"),
)


def our_conversations() -> list[tuple[str, ...]]:
    """This assistant's traffic: the question set, single questions four to a conversation."""
    conversations: list[tuple[str, ...]] = []
    singles: list[str] = []
    for item in load_items():
        messages = tuple(t for t in item.turns if isinstance(t, str))
        if len(item.turns) > 1:
            if len(messages) == len(item.turns):
                conversations.append(messages)
        else:
            singles.append(messages[0])
    conversations += [tuple(singles[i : i + 4]) for i in range(0, len(singles), 4)]
    # Interleave multi-turn and single-question conversations.
    return conversations[::2] + conversations[1::2]


# --------------------------------------------------------------------- helpers


def _request(method: str, url: str, body: Any = None, timeout: float = REQUEST_TIMEOUT) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            return response.status, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as error:
        return error.code, None


def _percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def _tree_pids(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo += [int(c) for c in task.read_text().split()]
    return pids


def _rss_mb(pid: int, key: str = "VmRSS") -> float:
    """Resident memory (VmRSS, or VmHWM for the peak) of a process and its children, in MB."""
    total_kb = 0
    for p in _tree_pids(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith(key + ":"):
                    total_kb += int(line.split()[1])
        except OSError:
            pass
    return total_kb / 1024


def _cpu_busy_seconds() -> float:
    """Busy CPU time of the whole machine since boot, all cores, in seconds."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _own_cpu_seconds() -> float:
    """CPU time of this process and the children it has reaped."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _log_tail(path: Path, n: int = 3000) -> str:
    return path.read_text(errors="replace")[-n:] if path.exists() else "(no log)"


# --------------------------------------------------------------------- measuring


@dataclass
class Latencies:
    samples: list[float] = field(default_factory=list)
    wall: float = 0.0
    errors: int = 0
    failures: list[str] = field(default_factory=list)  # the first few, for the report

    def ms(self, q: float) -> float:
        return 1000 * _percentile(self.samples, q) if self.samples else float("nan")

    @property
    def throughput(self) -> float:
        return len(self.samples) / self.wall if self.wall else float("nan")


@dataclass
class Growth:
    """Latency as a conversation and the store grow."""

    turns: list[float] = field(default_factory=list)  # one conversation, turn by turn (seconds)
    new_empty: list[float] = field(default_factory=list)  # first turns, store (nearly) empty
    new_full: list[float] = field(default_factory=list)  # first turns, store of `full_count`
    empty_count: int = 0
    full_count: int = 0

    def turn_ms(self, turn: int) -> float:
        """Median of the GROWTH_WINDOW turns ending at `turn` (1-based)."""
        window = self.turns[max(0, turn - GROWTH_WINDOW) : turn]
        return 1000 * statistics.median(window) if len(window) == GROWTH_WINDOW else float("nan")

    @staticmethod
    def median_ms(values: list[float]) -> float:
        return 1000 * statistics.median(values) if values else float("nan")


@dataclass
class BotResult:
    name: str
    train_s: float = float("nan")
    cold_start_s: float = float("nan")
    action_server_start_s: float | None = None
    first_reply_ms: float = float("nan")
    sequential: Latencies = field(default_factory=Latencies)
    concurrent: Latencies = field(default_factory=Latencies)
    parse: Latencies = field(default_factory=Latencies)
    growth: Growth = field(default_factory=Growth)
    rss_mb: float = float("nan")
    peak_rss_mb: float = float("nan")
    private_mb: float = float("nan")
    action_rss_mb: float | None = None


def train(name: str, command: list[str], cwd: Path, cache: Path, log: Path) -> float:
    print(f"[bench] training {name} ...", flush=True)
    env = rasa_env(RASA_MAX_CACHE_SIZE="0", RASA_CACHE_DIRECTORY=str(cache))
    start = time.perf_counter()
    with log.open("w") as out:
        result = subprocess.run(
            command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=TRAIN_TIMEOUT
        )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"training {name} failed ({result.returncode}):\n{_log_tail(log)}")
    print(f"[bench] trained {name} in {seconds:.0f} s", flush=True)
    return seconds


@dataclass
class Setup:
    """How one bot is served in one configuration: its files and environment."""

    credentials: Path
    endpoints: Path
    env: dict[str, str]
    servers: int = 1  # more than one: behind nginx, round robin


class Bot:
    """A bot's Rasa server(s) on free loopback ports, the HTTP API behind a random token.

    With `servers` > 1, nginx balances them round robin (deploy/local.py's, as
    `make cluster` does) and every request goes through it.
    """

    def __init__(self, name: str, model: Path, cwd: Path, workdir: Path, setup: Setup) -> None:
        self.name, self.model, self.cwd, self.workdir, self.setup = name, model, cwd, workdir, setup
        self.ports = [free_port() for _ in range(setup.servers)]
        self.token = secrets.token_hex(24)  # hex: never starts with "-" (argparse)
        self.processes: list[subprocess.Popen] = []
        self.nginx: Nginx | None = None
        self.senders: set[str] = set()  # every conversation this bot has been sent

    @property
    def base(self) -> str:
        return self.nginx.base if self.nginx else f"http://127.0.0.1:{self.ports[0]}"

    def _log(self, port: int) -> Path:
        return self.workdir / f"rasa-{self.name}-{port}.log"

    def start(self) -> float:
        """Start every server at once; seconds until all answer /status with a loaded model."""
        start = time.perf_counter()
        for port in self.ports:
            command = [RASA, "run", "--model", str(self.model), "--port", str(port)]
            command += ["--interface", "127.0.0.1", "--credentials", str(self.setup.credentials)]
            command += ["--endpoints", str(self.setup.endpoints), "--enable-api", "--auth-token", self.token]
            self.processes.append(
                subprocess.Popen(
                    command,
                    cwd=self.cwd,
                    env=rasa_env(**self.setup.env),
                    stdout=self._log(port).open("w"),
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        waiting = dict(zip(self.ports, self.processes, strict=True))
        deadline = time.monotonic() + START_TIMEOUT
        while waiting and time.monotonic() < deadline:
            for port, process in list(waiting.items()):
                if process.poll() is not None:
                    raise RuntimeError(f"{self.name}: rasa run exited:\n{_log_tail(self._log(port))}")
                try:
                    url = f"http://127.0.0.1:{port}/status?token={self.token}"
                    status, body = _request("GET", url, timeout=2)
                    if status == 200 and body and body.get("model_id"):
                        del waiting[port]
                except (urllib.error.URLError, OSError):
                    pass
            time.sleep(0.05)
        if waiting:
            port = next(iter(waiting))
            raise RuntimeError(
                f"{self.name}: /status not ready after {START_TIMEOUT:.0f} s:\n{_log_tail(self._log(port))}"
            )
        seconds = time.perf_counter() - start
        if len(self.ports) > 1:
            self.nginx = Nginx([f"127.0.0.1:{p}" for p in self.ports]).start()
        return seconds

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        for process in self.processes:
            stop(process)

    def memory_mb(self, key: str) -> float:
        """Resident memory of a Rasa server (the mean over this bot's servers), in MB."""
        return statistics.fmean(_rss_mb(p.pid, key) for p in self.processes)

    def send(self, sender: str, message: str, reply: bool = True) -> float:
        """Seconds to answer; `reply=False`: a turn the bot may end without a message."""
        self.senders.add(sender)
        start = time.perf_counter()
        status, body = _request(
            "POST", f"{self.base}/webhooks/rest/webhook", {"sender": sender, "message": message}
        )
        seconds = time.perf_counter() - start
        if status != 200 or not isinstance(body, list) or (reply and not body):
            raise RuntimeError(f"{self.name}: no reply to {message!r} (HTTP {status})")
        return seconds

    def parse(self, text: str) -> float:
        start = time.perf_counter()
        status, body = _request("POST", f"{self.base}/model/parse?token={self.token}", {"text": text})
        seconds = time.perf_counter() - start
        if status != 200 or not body or "intent" not in body:
            raise RuntimeError(f"{self.name}: /model/parse failed for {text!r} (HTTP {status})")
        return seconds


def talk(
    bot: Bot,
    conversations: list[tuple[str, ...]],
    messages: int,
    budget: float,
    offset: int = 0,
    tag: str = "",
) -> Latencies:
    """Send up to `messages` messages, conversation by conversation, within `budget` seconds."""
    result = Latencies()
    deadline = time.monotonic() + budget
    start = time.perf_counter()
    index = offset
    while len(result.samples) < messages and time.monotonic() < deadline:
        conversation = conversations[index % len(conversations)]
        sender = f"bench-{tag}-{index}-{secrets.token_hex(4)}"
        index += 1
        for message in conversation:
            if len(result.samples) >= messages or time.monotonic() >= deadline:
                break
            try:
                result.samples.append(bot.send(sender, message))
            except (RuntimeError, urllib.error.URLError, OSError) as error:
                result.errors += 1
                if len(result.failures) < 5:
                    result.failures.append(str(error)[:200])
                if result.errors > 50:
                    raise
    result.wall = time.perf_counter() - start
    return result


def talk_concurrently(
    bot: Bot, conversations: list[tuple[str, ...]], messages: int, budget: float, offset: int = 0
) -> Latencies:
    """CONCURRENCY conversations at a time, each thread with its share of the messages."""
    parts: list[Latencies] = [Latencies() for _ in range(CONCURRENCY)]
    share = max(1, messages // CONCURRENCY)

    def worker(i: int) -> None:
        parts[i] = talk(bot, conversations, share, budget, offset=offset + i * 7, tag=f"c{i}")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CONCURRENCY)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(budget + 2 * REQUEST_TIMEOUT)
    result = Latencies(wall=time.perf_counter() - start)
    for part in parts:
        result.samples += part.samples
        result.errors += part.errors
        result.failures += part.failures
    return result


ROUNDS = 4


def start(bot: Bot, conversations: list[tuple[str, ...]], budget: float, into: BotResult) -> None:
    print(f"[bench] {bot.name}: starting the Rasa server ...", flush=True)
    into.cold_start_s = bot.start()
    print(f"[bench] {bot.name}: /status ready after {into.cold_start_s:.1f} s", flush=True)
    into.first_reply_ms = 1000 * bot.send("bench-first", conversations[0][0])
    talk(bot, conversations, 10, budget, tag="warm")  # warm-up, not counted


def _add(total: Latencies, part: Latencies) -> None:
    total.samples += part.samples
    total.wall += part.wall
    total.errors += part.errors
    total.failures += part.failures


def parse_texts(bot: Bot, texts: list[str], messages: int, budget: float, offset: int) -> Latencies:
    parse = Latencies()
    deadline = time.monotonic() + budget
    start = time.perf_counter()
    for i in range(messages):
        if time.monotonic() >= deadline:
            break
        parse.samples.append(bot.parse(texts[(offset + i) % len(texts)]))
    parse.wall = time.perf_counter() - start
    return parse


def measure_side_by_side(
    bots: list[tuple[Bot, list[tuple[str, ...]], BotResult]], messages: int, budget: float
) -> None:
    """Each phase in ROUNDS rounds, the bots taking turns (and swapping who goes first).

    The machine is shared and its speed drifts over minutes; measuring one bot
    after the other would put the drift into the ratios. Taking turns in short
    rounds exposes both bots to the same conditions.
    """
    share = max(1, messages // ROUNDS)
    slice_budget = budget / ROUNDS
    for phase in ("sequential", "concurrent", "parse"):
        for round_ in range(ROUNDS):
            order = bots if round_ % 2 == 0 else bots[::-1]
            for bot, conversations, into in order:
                offset = round_ * max(1, len(conversations) // ROUNDS)
                if phase == "sequential":
                    part = talk(bot, conversations, share, slice_budget, offset=offset, tag=f"seq{round_}")
                    _add(into.sequential, part)
                elif phase == "concurrent":
                    part = talk_concurrently(bot, conversations, share, slice_budget, offset=offset)
                    _add(into.concurrent, part)
                else:
                    texts = [m for c in conversations for m in c if not m.startswith("/")]
                    _add(into.parse, parse_texts(bot, texts, share, slice_budget, offset * 3))
        for bot, _, into in bots:
            result = getattr(into, phase)
            print(
                f"[bench] {bot.name}: {phase} p50 {result.ms(50):.1f} ms, {result.throughput:.1f} msg/s",
                flush=True,
            )


def new_conversations(
    bots: list[tuple[Bot, list[tuple[str, ...]], BotResult]], empty: list[Bot], count: int
) -> None:
    """`count` new conversations on each bot's full and empty store, every bot and store in turn."""
    pairs = list(zip(bots, empty, strict=True))
    for i in range(count):
        for (full, conversations, into), fresh in pairs if i % 2 == 0 else pairs[::-1]:
            pair = [(full, into.growth.new_full), (fresh, into.growth.new_empty)]
            for bot, samples in pair if i % 2 == 0 else pair[::-1]:
                size = len(bot.senders)
                samples.append(
                    bot.send(
                        f"bench-new-{i}-{secrets.token_hex(4)}", conversations[i % len(conversations)][0]
                    )
                )
                if bot is full:
                    into.growth.full_count = max(into.growth.full_count, size)
                else:
                    into.growth.empty_count = max(into.growth.empty_count, size)


def fill_store(bot: Bot, conversations: list[tuple[str, ...]], size: int, budget: float) -> None:
    """One-message conversations until the bot's store holds `size` conversations."""
    deadline = time.monotonic() + budget
    i = 0
    while len(bot.senders) < size and time.monotonic() < deadline:
        bot.send(f"bench-fill-{i}-{secrets.token_hex(4)}", conversations[i % len(conversations)][0])
        i += 1
    print(f"[bench] {bot.name}: {len(bot.senders)} conversations in the store", flush=True)


def long_conversation(
    bots: list[tuple[Bot, list[tuple[str, ...]], BotResult]], turns: int, budget: float
) -> None:
    """One conversation of `turns` turns a bot, the bots taking turns message by message."""
    deadline = time.monotonic() + budget
    streams = [[m for c in conversations for m in c] for _, conversations, _ in bots]
    senders = [f"bench-long-{secrets.token_hex(4)}" for _ in bots]
    for turn in range(turns):
        if time.monotonic() >= deadline:
            break
        for (bot, _, into), stream, sender in zip(bots, streams, senders, strict=True):
            # 300 turns of small talk take the stock bot's TED where it sometimes just
            # listens: a turn answered with no message still counts, timed.
            into.growth.turns.append(bot.send(sender, stream[turn % len(stream)], reply=False))
    for bot, _, into in bots:
        growth = into.growth
        print(
            f"[bench] {bot.name}: turn 20 {growth.turn_ms(20):.1f} ms, turn {turns} "
            f"{growth.turn_ms(turns):.1f} ms",
            flush=True,
        )


def read_memory(bots: list[tuple[Bot, list[tuple[str, ...]], BotResult]]) -> None:
    for bot, _, into in bots:
        into.rss_mb = bot.memory_mb("VmRSS")
        into.peak_rss_mb = bot.memory_mb("VmHWM")
        into.private_mb = bot.memory_mb("RssAnon")


# --------------------------------------------------------------------- report


@dataclass(frozen=True)
class Row:
    label: str
    ours: float
    stock: float
    unit: str
    target: str = ""
    met: bool | None = None
    compare: bool = True  # False: a bot's own ratio (growth), no ours/stock ratio

    def cells(self) -> list[str]:
        def fmt(v: float) -> str:
            if v != v:  # NaN
                return "n/a"
            return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.1f}" if abs(v) >= 10 else f"{v:,.2f}"

        ratio = f"{self.ours / self.stock:.2f}x" if self.compare and self.stock else ""
        verdict = "" if self.met is None else ("met" if self.met else "**missed**")
        unit = f" {self.unit}" if self.unit != "x" else "x"
        return [
            self.label,
            f"{fmt(self.ours)}{unit}",
            f"{fmt(self.stock)}{unit}",
            ratio,
            self.target,
            verdict,
        ]


@dataclass(frozen=True)
class Config:
    """One configuration of the stores, and the targets that hold in it."""

    key: str
    title: str
    # measure -> (target text, test on the value): ratios ours/stock, or this assistant's own figure
    targets: dict[str, tuple[str, Callable[[float], bool]]]


def _at_most(limit: float, unit: str = "x") -> tuple[str, Callable[[float], bool]]:
    return (f"≤ {limit:g}{unit}" if unit == "x" else f"≤ {limit:g} {unit}", lambda v: v <= limit)


def _at_least(limit: float) -> tuple[str, Callable[[float], bool]]:
    return (f"≥ {limit:g}x", lambda v: v >= limit)


GROWTH_TARGETS = {"turn 300 / turn 20": _at_most(1.5), "store of 1,000 / empty": _at_most(1.0)}
CONFIGS = {
    "sqlite": Config(
        "sqlite",
        "(1) `make run`'s configuration: SQLite in a temp folder, the shipped `endpoints.yml` and "
        "`credentials.yml`; the stock bot with Rasa's SQL tracker store on SQLite",
        {
            "p50": _at_most(0.3),
            "p99": _at_most(0.25),
            "throughput": _at_least(2.5),
            "cold": _at_most(0.7),
            "rss": ("≤ 1.3 GB", lambda v: v <= 1331),
            **GROWTH_TARGETS,
        },
    ),
    "cluster": Config(
        "cluster",
        "(2) `make cluster`'s configuration: two Rasa servers a bot behind nginx (round robin), "
        "PostgreSQL and Redis; the stock bot with Rasa's SQL (PostgreSQL) and Redis stores",
        {"rss": ("≤ 1.3 GB", lambda v: v <= 1331), **GROWTH_TARGETS},
    ),
    "memory": Config(
        "memory",
        "(3) In memory, for reference: both bots with Rasa's in-memory tracker and lock stores",
        {
            "p50": _at_most(0.25),
            "p99": _at_most(0.3),
            "throughput": _at_least(2),
            "cold": _at_most(0.7),
            "rss": ("≤ 1.3 GB", lambda v: v <= 1331),
        },
    ),
}


def rows(config: Config, ours: BotResult, stock: BotResult, turns: int) -> list[Row]:
    def ratio(a: float, b: float) -> float:
        return a / b if b else float("nan")

    def row(label: str, a: float, b: float, unit: str, key: str = "", value: float | None = None) -> Row:
        """A row; with `key` in the config's targets, checked on `value` (default: the ratio)."""
        if key not in config.targets:
            return Row(label, a, b, unit, compare=unit != "x")
        text, test = config.targets[key]
        checked = ratio(a, b) if value is None else value
        return Row(label, a, b, unit, text, test(checked), compare=unit != "x")

    g, h = ours.growth, stock.growth
    grow_ours, grow_stock = ratio(g.turn_ms(turns), g.turn_ms(20)), ratio(h.turn_ms(turns), h.turn_ms(20))
    new_ours = ratio(g.median_ms(g.new_full), g.median_ms(g.new_empty))
    new_stock = ratio(h.median_ms(h.new_full), h.median_ms(h.new_empty))
    full = min(g.full_count, h.full_count)
    result = [
        row("REST latency p50, sequential", ours.sequential.ms(50), stock.sequential.ms(50), "ms", "p50"),
        row("REST latency p95, sequential", ours.sequential.ms(95), stock.sequential.ms(95), "ms"),
        row("REST latency p99, sequential", ours.sequential.ms(99), stock.sequential.ms(99), "ms", "p99"),
        row("REST latency p50, 8 concurrent", ours.concurrent.ms(50), stock.concurrent.ms(50), "ms"),
        row("REST latency p95, 8 concurrent", ours.concurrent.ms(95), stock.concurrent.ms(95), "ms"),
        row("REST latency p99, 8 concurrent", ours.concurrent.ms(99), stock.concurrent.ms(99), "ms"),
        row("throughput, sequential", ours.sequential.throughput, stock.sequential.throughput, "msg/s"),
        row(
            "throughput, 8 concurrent",
            ours.concurrent.throughput,
            stock.concurrent.throughput,
            "msg/s",
            "throughput",
        ),
        row("first reply after start", ours.first_reply_ms, stock.first_reply_ms, "ms"),
        row("/model/parse p50", ours.parse.ms(50), stock.parse.ms(50), "ms"),
        row("/model/parse p95", ours.parse.ms(95), stock.parse.ms(95), "ms"),
        row("/model/parse p99", ours.parse.ms(99), stock.parse.ms(99), "ms"),
        row("cold start (command to /status ready)", ours.cold_start_s, stock.cold_start_s, "s", "cold"),
        row("Rasa server RSS after the run", ours.rss_mb, stock.rss_mb, "MB", "rss", ours.rss_mb),
        row("Rasa server peak RSS", ours.peak_rss_mb, stock.peak_rss_mb, "MB"),
        # RSS also counts the pages of mapped libraries (TensorFlow's among them) that
        # happen to be resident, which depends on the page cache: a freshly installed
        # venv shows ~200 MB more. Anonymous memory is what the process itself holds.
        row("Rasa server anonymous memory (RssAnon)", ours.private_mb, stock.private_mb, "MB"),
        row("one conversation: turn 20", g.turn_ms(20), h.turn_ms(20), "ms"),
        row(f"one conversation: turn {turns}", g.turn_ms(turns), h.turn_ms(turns), "ms"),
        row(f"turn {turns} / turn 20", grow_ours, grow_stock, "x", "turn 300 / turn 20", grow_ours),
        row(
            f"new conversation, store of ≤ {max(g.empty_count, h.empty_count)}",
            g.median_ms(g.new_empty),
            h.median_ms(h.new_empty),
            "ms",
        ),
        row(f"new conversation, store of {full:,}", g.median_ms(g.new_full), h.median_ms(h.new_full), "ms"),
        row(f"store of {full:,} / empty", new_ours, new_stock, "x", "store of 1,000 / empty", new_ours),
    ]
    if ours.train_s == ours.train_s:  # measured once, shown with the first configuration
        result.insert(
            13,
            Row("training, cache disabled", ours.train_s, stock.train_s, "s", "≤ 180 s", ours.train_s <= 180),
        )
    return result


def table(result_rows: list[Row]) -> str:
    lines = [
        "| measure | this assistant | stock `rasa init` | ratio | target | |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    lines += ["| " + " | ".join(r.cells()) + " |" for r in result_rows]
    return "\n".join(lines)


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    memory = f"{mem_kb / 1024 / 1024:.0f} GiB RAM"
    return f"{os.cpu_count()} cores ({cpu}), {memory}, Python {platform.python_version()}"


# --------------------------------------------------------------------- configurations


def _write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def setups(
    key: str, tmp: Path, action_url: str, services: tuple[Postgres, Redis] | None, tag: str = ""
) -> tuple[Setup, Setup]:
    """This assistant's and the stock bot's files and environment in configuration `key`.

    Another `tag`: the same configuration on stores of its own (files, databases).
    """
    shipped = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    ours_endpoints = dict(shipped)
    credentials = ROOT / "credentials.yml"
    stock_credentials = tmp / "credentials-stock.yml"
    stock_credentials.write_text("rest:\n")
    folder = tmp / f"{key}{tag}"
    folder.mkdir()
    # Never the caller's stores: each configuration says where conversations go. The
    # action server is the bench's own, on a free port (connectors/action_endpoint.py).
    ours_env = {"TRACKER_STORE_URL": "", "REDIS_URL": "", "ACTION_SERVER_URL": action_url}
    if key == "memory":
        del ours_endpoints["tracker_store"], ours_endpoints["lock_store"]
        stock_endpoints: dict[str, Any] = {}
    elif key == "sqlite":
        ours_env["TRACKER_STORE_URL"] = f"sqlite:///{folder / 'ours.db'}"
        stock_endpoints = {
            "tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(folder / "stock.db")}
        }
    else:
        assert services is not None
        postgres, redis = services
        database = f"rasa{tag}"
        if tag:
            _create_database(postgres, database)
            _create_database(postgres, f"stock{tag}")
        ours_env.update(
            TRACKER_STORE_URL=postgres.url.rsplit("/", 1)[0] + f"/{database}",
            REDIS_URL=redis.url.rsplit("/", 1)[0] + ("/2" if tag else "/0"),
        )
        stock_endpoints = {
            "tracker_store": {
                "type": "SQL",
                "dialect": "postgresql",
                "url": "127.0.0.1",
                "port": postgres.port,
                "db": f"stock{tag}",
                "username": "rasa",
                "password": postgres.password,
            },
            "lock_store": {
                "type": "redis",
                "url": "127.0.0.1",
                "port": redis.port,
                "password": redis.password,
                "db": 3 if tag else 1,
            },
        }
    servers = 2 if key == "cluster" else 1
    # SQLite and the cluster: endpoints.yml itself, as `make run` and `make cluster` read it.
    ours_file = (
        _write_yaml(folder / "endpoints-ours.yml", ours_endpoints)
        if key == "memory"
        else ROOT / "endpoints.yml"
    )
    ours = Setup(credentials, ours_file, ours_env, servers)
    stock = Setup(
        stock_credentials, _write_yaml(folder / "endpoints-stock.yml", stock_endpoints), {}, servers
    )
    return ours, stock


def _create_database(postgres: Postgres, name: str) -> None:
    import psycopg2

    connection = psycopg2.connect(
        host="127.0.0.1", port=postgres.port, user="rasa", password=postgres.password, dbname="postgres"
    )
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {name}")
    finally:
        connection.close()


def run_config(
    key: str,
    tmp: Path,
    models: tuple[Path, Path],
    action_url: str,
    args: argparse.Namespace,
    results: tuple[BotResult, BotResult],
) -> None:
    """Start both bots in configuration `key`, measure them side by side, stop them."""
    services: tuple[Postgres, Redis] | None = None
    postgres, redis = Postgres(), Redis()
    ours, stock = results
    try:
        if key == "cluster":
            postgres.start()
            redis.start()
            _create_database(postgres, "stock")
            services = (postgres, redis)
        ours_setup, stock_setup = setups(key, tmp, action_url, services)
        our_bot = Bot(f"ours-{key}", models[0], ROOT, tmp, ours_setup)
        stock_bot = Bot(f"stock-{key}", models[1], tmp / "stock", tmp, stock_setup)
        bots = [(our_bot, our_conversations(), ours), (stock_bot, list(STOCK_CONVERSATIONS), stock)]
        try:
            # One at a time, so that each cold start has the machine to itself.
            start(our_bot, bots[0][1], args.budget, ours)
            start(stock_bot, bots[1][1], args.budget, stock)
            measure_side_by_side(bots, args.messages, args.budget)
            for bot, conversations, _ in bots:
                fill_store(bot, conversations, args.store_size, args.budget)
            long_conversation(bots, args.turns, 2 * args.budget)
            read_memory(bots)
            # A new conversation in the full store against one in an empty store: each
            # bot's running servers beside fresh ones on stores of their own, at once.
            ours_empty, stock_empty = setups(key, tmp, action_url, services, "_empty")
            empty = [
                Bot(f"ours-{key}-empty", models[0], ROOT, tmp, ours_empty),
                Bot(f"stock-{key}-empty", models[1], tmp / "stock", tmp, stock_empty),
            ]
            try:
                for bot, (_, conversations, _) in zip(empty, bots, strict=True):
                    bot.start()
                    talk(bot, conversations, 10, args.budget, tag="warm")
                new_conversations(bots, empty, args.new_conversations)
            finally:
                for bot in empty:
                    bot.stop()
        finally:
            our_bot.stop()
            stock_bot.stop()
    finally:
        redis.stop()
        postgres.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--configs",
        default="sqlite,cluster,memory",
        help="configurations to measure, in order (default sqlite,cluster,memory)",
    )
    # A p99 needs many samples: from 400 it is the 4th-worst message, one stall decides it.
    parser.add_argument(
        "--messages", type=int, default=1200, help="messages per phase and bot (default 1200)"
    )
    parser.add_argument("--budget", type=float, default=120.0, help="seconds per phase at most (default 120)")
    parser.add_argument("--turns", type=int, default=300, help="turns of the long conversation (default 300)")
    parser.add_argument(
        "--store-size", type=int, default=1000, help="conversations in the full store (default 1000)"
    )
    parser.add_argument(
        "--new-conversations",
        type=int,
        default=60,
        help="new conversations timed in the empty and in the full store (default 60)",
    )
    parser.add_argument(
        "--stock-project",
        help="while iterating: a trained `rasa init` folder to serve instead of training both bots",
    )
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/ alone")
    parser.add_argument("--note", default="", help="a sentence to add to the report (e.g. machine load)")
    args = parser.parse_args(argv)

    keys = [k.strip() for k in args.configs.split(",") if k.strip()]
    unknown = [k for k in keys if k not in CONFIGS]
    if unknown or not keys:
        parser.error(f"unknown configuration(s) {unknown}; choose from {', '.join(CONFIGS)}")
    if not MODEL.exists():
        print(f"error: {MODEL} is missing: run `make train`", file=sys.stderr)
        return 1
    if "cluster" in keys and missing_services():
        print(
            f"error: the cluster configuration needs {', '.join(missing_services())}: "
            "run scripts/install_services.sh (as root), or leave it out with --configs sqlite,memory",
            file=sys.stderr,
        )
        return 1
    # On SIGTERM, unwind so that every server started here is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = datetime.now(timezone.utc)
    busy0, own0, wall0 = _cpu_busy_seconds(), _own_cpu_seconds(), time.perf_counter()
    load0 = os.getloadavg()[0]
    measured: dict[str, tuple[BotResult, BotResult]] = {
        k: (BotResult("this assistant"), BotResult("stock rasa init")) for k in keys
    }
    action_start_s, action_rss = 0.0, 0.0
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "stock").mkdir()
        first_ours, first_stock = measured[keys[0]]
        if args.stock_project:
            # Iterating: a `rasa init` project trained before; no training row.
            shutil.copytree(args.stock_project, tmp / "stock", dirs_exist_ok=True)
        else:
            first_ours.train_s = train(
                "this assistant",
                [
                    RASA,
                    "train",
                    "--config",
                    "config.yml",
                    "--domain",
                    "domain.yml",
                    "--data",
                    "data",
                    "--out",
                    str(tmp / "ours"),
                    "--fixed-model-name",
                    "assistant",
                ],
                ROOT,
                tmp / "cache-ours",
                tmp / "train-ours.log",
            )
            first_stock.train_s = train(
                "stock rasa init",
                [RASA, "init", "--no-prompt", "--init-dir", str(tmp / "stock")],
                tmp,
                tmp / "cache-stock",
                tmp / "train-stock.log",
            )
        stock_model = next((tmp / "stock" / "models").glob("*.tar.gz"))

        # This assistant: the served model (models/assistant.tar.gz) with its action server.
        print("[bench] this assistant: starting the action server ...", flush=True)
        action_start = time.perf_counter()
        actions = ActionServer(tmp).start()
        action_start_s = time.perf_counter() - action_start
        try:
            for key in keys:
                print(f"[bench] configuration {key}", flush=True)
                run_config(key, tmp, (MODEL, stock_model), actions.url, args, measured[key])
            assert actions.process is not None
            action_rss = _rss_mb(actions.process.pid)
        finally:
            actions.stop()

    wall = time.perf_counter() - wall0
    busy = _cpu_busy_seconds() - busy0
    own = _own_cpu_seconds() - own0
    others = max(0.0, busy - own)
    load1 = os.getloadavg()[0]
    cores = os.cpu_count() or 1
    sections: list[str] = []
    missed: list[str] = []
    errors = 0
    failures: list[str] = []
    counts: list[str] = []
    for key in keys:
        ours, stock = measured[key]
        config_rows = rows(CONFIGS[key], ours, stock, args.turns)
        sections.append(f"**{CONFIGS[key].title}**\n\n{table(config_rows)}")
        missed += [f"{r.label} ({key})" for r in config_rows if r.met is False]
        errors += sum(r.errors for b in (ours, stock) for r in (b.sequential, b.concurrent))
        failures += [f for b in (ours, stock) for r in (b.sequential, b.concurrent) for f in r.failures]
        counts.append(
            f"{key}: sequential {len(ours.sequential.samples)} / {len(stock.sequential.samples)}, "
            f"8 concurrent {len(ours.concurrent.samples)} / {len(stock.concurrent.samples)}, "
            f"/model/parse {len(ours.parse.samples)} / {len(stock.parse.samples)}, "
            f"long conversation {len(ours.growth.turns)} / {len(stock.growth.turns)} turns"
        )
    load_note = (
        f"Other processes used {others:,.0f} CPU-seconds during the {wall:,.0f} s run "
        f"({100 * others / (wall * cores):.0f}% of the machine's {cores} cores; load average "
        f"{load0:.1f} at the start, {load1:.1f} at the end)."
    )
    summary = [
        f"Measured {started:%Y-%m-%d %H:%M} UTC on {machine()}.",
        load_note,
        "Messages measured (this assistant / stock): " + "; ".join(counts) + f"; request errors: {errors}.",
        f"This assistant's action server: started in {action_start_s:.1f} s, "
        f"{action_rss:,.0f} MB RSS (not in the Rasa server figures above; "
        "the stock bot has no action server).",
        "Targets missed: " + (", ".join(missed) if missed else "none") + ".",
    ]
    if failures:
        summary.append("First request errors: " + "; ".join(dict.fromkeys(failures)) + ".")
    if args.note:
        summary.append(args.note)
    text = "\n\n".join(sections)
    print("\n" + text + "\n\n" + "\n".join(summary))
    if not args.no_write:
        write_doc(Path(args.out), text, summary)
        print(f"\n[bench] wrote {args.out}")
    return 0


BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def write_doc(path: Path, text: str, summary: list[str]) -> None:
    """Replace the figures between the markers of docs/benchmarks.md; keep the prose around them."""
    block = f"{BEGIN}\n{text}\n\n" + "\n".join(f"- {s}" for s in summary) + f"\n{END}"
    if path.exists() and BEGIN in path.read_text(encoding="utf-8"):
        current = path.read_text(encoding="utf-8")
        head, _, rest = current.partition(BEGIN)
        _, _, tail = rest.partition(END)
        path.write_text(head + block + tail, encoding="utf-8")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# Benchmarks\n\n{block}\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
