"""`make bench`: this assistant against a stock `rasa init` bot, side by side, in one run.

A benchmark, not a test: it prints a Markdown table and writes it, with how
it was measured, to docs/benchmarks.md. Everything runs here, on loopback:

- training time of each bot, with Rasa's cache disabled, into a temp directory
  (the stock bot is `rasa init --no-prompt`, which scaffolds and trains);
- cold start: `rasa run` to the first 200 from `/status` (the API is enabled
  with a random per-run `--auth-token`, bound to 127.0.0.1);
- per-message latency through `POST /webhooks/rest/webhook` (custom action
  included for this assistant), sequential and with 8 concurrent
  conversations, and throughput in messages/s;
- `/model/parse` latency (NLU alone);
- the Rasa server's resident memory (and this assistant's action server's).

Every loop is bounded by a message count and a time budget.
Usage: python scripts/bench.py [--messages N] [--out docs/benchmarks.md] [--no-write]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.question_set import load_items  # noqa: E402
from tests.stack import MODEL, VENV_BIN, ActionServer, free_port, rasa_env, stop  # noqa: E402

RASA = str(VENV_BIN / "rasa")
CONCURRENCY = 8
REQUEST_TIMEOUT = 30.0
START_TIMEOUT = 300.0
TRAIN_TIMEOUT = 900.0

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
class BotResult:
    name: str
    train_s: float = float("nan")
    cold_start_s: float = float("nan")
    action_server_start_s: float | None = None
    first_reply_ms: float = float("nan")
    sequential: Latencies = field(default_factory=Latencies)
    concurrent: Latencies = field(default_factory=Latencies)
    parse: Latencies = field(default_factory=Latencies)
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


class Bot:
    """One Rasa server on a free loopback port, with the HTTP API behind a random token."""

    def __init__(
        self,
        name: str,
        model: Path,
        cwd: Path,
        workdir: Path,
        action_url: str | None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.name, self.model, self.cwd, self.workdir = name, model, cwd, workdir
        self.action_url = action_url
        self.env = env or {}
        self.port = free_port()
        self.token = secrets.token_hex(24)  # hex: never starts with "-" (argparse)
        self.process: subprocess.Popen | None = None
        self.log = workdir / f"rasa-{name}.log"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> float:
        credentials = self.workdir / f"credentials-{self.name}.yml"
        # Each bot with its own REST channel: ours is the one credentials.yml ships
        # (connectors/rest.py, which also installs the bounded action endpoint).
        credentials.write_text("connectors.rest.RestInput:\n" if self.action_url else "rest:\n")
        command = [RASA, "run", "--model", str(self.model), "--port", str(self.port)]
        command += ["--interface", "127.0.0.1", "--credentials", str(credentials)]
        command += ["--enable-api", "--auth-token", self.token]
        if self.action_url:
            endpoints = self.workdir / f"endpoints-{self.name}.yml"
            # endpoints.yml's action endpoint settings, at the bench's action server;
            # its tracker and lock stores stay out (in-memory, as for the stock bot).
            shipped = yaml.safe_load((ROOT / "endpoints.yml").read_text())["action_endpoint"]
            endpoints.write_text(yaml.safe_dump({"action_endpoint": {**shipped, "url": self.action_url}}))
            command += ["--endpoints", str(endpoints)]
        start = time.perf_counter()
        self.process = subprocess.Popen(
            command,
            cwd=self.cwd,
            env=rasa_env(**self.env),
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name}: rasa run exited:\n{_log_tail(self.log)}")
            try:
                status, body = _request("GET", f"{self.base}/status?token={self.token}", timeout=2)
                if status == 200 and body and body.get("model_id"):
                    return time.perf_counter() - start
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        raise RuntimeError(
            f"{self.name}: /status not ready after {START_TIMEOUT:.0f} s:\n{_log_tail(self.log)}"
        )

    def stop(self) -> None:
        stop(self.process)

    def send(self, sender: str, message: str) -> float:
        start = time.perf_counter()
        status, body = _request(
            "POST", f"{self.base}/webhooks/rest/webhook", {"sender": sender, "message": message}
        )
        seconds = time.perf_counter() - start
        if status != 200 or not isinstance(body, list) or not body:
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
    for bot, _, into in bots:
        assert bot.process is not None
        into.rss_mb = _rss_mb(bot.process.pid)
        into.peak_rss_mb = _rss_mb(bot.process.pid, "VmHWM")
        into.private_mb = _rss_mb(bot.process.pid, "RssAnon")


# --------------------------------------------------------------------- report


@dataclass(frozen=True)
class Row:
    label: str
    ours: float
    stock: float
    unit: str
    target: str = ""
    met: bool | None = None
    ratio: float | None = None

    def cells(self) -> list[str]:
        def fmt(v: float) -> str:
            if v != v:  # NaN
                return "n/a"
            return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.1f}" if abs(v) >= 10 else f"{v:,.2f}"

        ratio = (
            self.ratio if self.ratio is not None else (self.ours / self.stock if self.stock else float("nan"))
        )
        verdict = "" if self.met is None else ("met" if self.met else "**missed**")
        return [
            self.label,
            f"{fmt(self.ours)} {self.unit}",
            f"{fmt(self.stock)} {self.unit}",
            f"{ratio:.2f}x",
            self.target,
            verdict,
        ]


def rows(ours: BotResult, stock: BotResult) -> list[Row]:
    def ratio(a: float, b: float) -> float:
        return a / b if b else float("nan")

    p50 = ratio(ours.sequential.ms(50), stock.sequential.ms(50))
    p99 = ratio(ours.sequential.ms(99), stock.sequential.ms(99))
    thr = ratio(ours.concurrent.throughput, stock.concurrent.throughput)
    cold = ratio(ours.cold_start_s, stock.cold_start_s)
    return [
        Row(
            "REST latency p50, sequential",
            ours.sequential.ms(50),
            stock.sequential.ms(50),
            "ms",
            "≤ 0.4x",
            p50 <= 0.4,
        ),
        Row("REST latency p95, sequential", ours.sequential.ms(95), stock.sequential.ms(95), "ms"),
        Row(
            "REST latency p99, sequential",
            ours.sequential.ms(99),
            stock.sequential.ms(99),
            "ms",
            "≤ 0.3x",
            p99 <= 0.3,
        ),
        Row("REST latency p50, 8 concurrent", ours.concurrent.ms(50), stock.concurrent.ms(50), "ms"),
        Row("REST latency p95, 8 concurrent", ours.concurrent.ms(95), stock.concurrent.ms(95), "ms"),
        Row("REST latency p99, 8 concurrent", ours.concurrent.ms(99), stock.concurrent.ms(99), "ms"),
        Row("throughput, sequential", ours.sequential.throughput, stock.sequential.throughput, "msg/s"),
        Row(
            "throughput, 8 concurrent",
            ours.concurrent.throughput,
            stock.concurrent.throughput,
            "msg/s",
            "≥ 2x",
            thr >= 2,
        ),
        Row("first reply after start", ours.first_reply_ms, stock.first_reply_ms, "ms"),
        Row("/model/parse p50", ours.parse.ms(50), stock.parse.ms(50), "ms"),
        Row("/model/parse p95", ours.parse.ms(95), stock.parse.ms(95), "ms"),
        Row("/model/parse p99", ours.parse.ms(99), stock.parse.ms(99), "ms"),
        Row(
            "cold start (command to /status ready)",
            ours.cold_start_s,
            stock.cold_start_s,
            "s",
            "≤ 0.7x",
            cold <= 0.7,
        ),
        Row("training, cache disabled", ours.train_s, stock.train_s, "s", "≤ 180 s", ours.train_s <= 180),
        Row(
            "Rasa server RSS after the run", ours.rss_mb, stock.rss_mb, "MB", "≤ 1.3 GB", ours.rss_mb <= 1331
        ),
        Row("Rasa server peak RSS", ours.peak_rss_mb, stock.peak_rss_mb, "MB"),
        # RSS also counts the pages of mapped libraries (TensorFlow's among them) that
        # happen to be resident, which depends on the page cache: a freshly installed
        # venv shows ~200 MB more. Anonymous memory is what the process itself holds.
        Row("Rasa server anonymous memory (RssAnon)", ours.private_mb, stock.private_mb, "MB"),
    ]


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    # A p99 needs many samples: from 400 it is the 4th-worst message, one stall decides it.
    parser.add_argument(
        "--messages", type=int, default=1200, help="messages per phase and bot (default 1200)"
    )
    parser.add_argument("--budget", type=float, default=120.0, help="seconds per phase at most (default 120)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/ alone")
    parser.add_argument("--note", default="", help="a sentence to add to the report (e.g. machine load)")
    args = parser.parse_args(argv)

    if not MODEL.exists():
        print(f"error: {MODEL} is missing: run `make train`", file=sys.stderr)
        return 1
    # On SIGTERM, unwind so that every server started here is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = datetime.now(timezone.utc)
    busy0, own0, wall0 = _cpu_busy_seconds(), _own_cpu_seconds(), time.perf_counter()
    load0 = os.getloadavg()[0]
    ours, stock = BotResult("this assistant"), BotResult("stock rasa init")
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "stock").mkdir()
        ours.train_s = train(
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
        stock.train_s = train(
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
        ours.action_server_start_s = time.perf_counter() - action_start
        our_bot = Bot("ours", MODEL, ROOT, tmp, actions.url)
        stock_bot = Bot("stock", stock_model, tmp / "stock", tmp, None)
        try:
            # One at a time, so that each cold start has the machine to itself.
            start(our_bot, our_conversations(), args.budget, ours)
            start(stock_bot, list(STOCK_CONVERSATIONS), args.budget, stock)
            measure_side_by_side(
                [(our_bot, our_conversations(), ours), (stock_bot, list(STOCK_CONVERSATIONS), stock)],
                args.messages,
                args.budget,
            )
            assert actions.process is not None
            ours.action_rss_mb = _rss_mb(actions.process.pid)
        finally:
            our_bot.stop()
            stock_bot.stop()
            actions.stop()

    wall = time.perf_counter() - wall0
    busy = _cpu_busy_seconds() - busy0
    own = _own_cpu_seconds() - own0
    others = max(0.0, busy - own)
    load1 = os.getloadavg()[0]
    result_rows = rows(ours, stock)
    text = table(result_rows)
    errors = sum(r.errors for b in (ours, stock) for r in (b.sequential, b.concurrent))
    failures = [f for b in (ours, stock) for r in (b.sequential, b.concurrent) for f in r.failures]
    missed = [r.label for r in result_rows if r.met is False]
    cores = os.cpu_count() or 1
    load_note = (
        f"Other processes used {others:,.0f} CPU-seconds during the {wall:,.0f} s run "
        f"({100 * others / (wall * cores):.0f}% of the machine's {cores} cores; load average "
        f"{load0:.1f} at the start, {load1:.1f} at the end)."
    )
    summary = [
        f"Measured {started:%Y-%m-%d %H:%M} UTC on {machine()}.",
        load_note,
        f"Sequential: {len(ours.sequential.samples)} / {len(stock.sequential.samples)} messages; "
        f"8 concurrent: {len(ours.concurrent.samples)} / {len(stock.concurrent.samples)}; "
        f"/model/parse: {len(ours.parse.samples)} / {len(stock.parse.samples)} (this assistant / stock); "
        f"request errors: {errors}.",
        f"This assistant's action server: started in {ours.action_server_start_s or 0:.1f} s, "
        f"{ours.action_rss_mb or 0:,.0f} MB RSS (not in the Rasa server figures above; "
        "the stock bot has no action server).",
        "Targets missed: " + (", ".join(missed) if missed else "none") + ".",
    ]
    if failures:
        summary.append("First request errors: " + "; ".join(dict.fromkeys(failures)) + ".")
    if args.note:
        summary.append(args.note)
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
