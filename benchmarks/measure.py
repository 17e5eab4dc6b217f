"""The benchmark's timed phases: latency and throughput, /model/parse, growth, memory."""

from __future__ import annotations

import secrets
import statistics
import threading
import time
import urllib.error
from dataclasses import dataclass, field

from benchmarks import noise
from benchmarks.processes import Bot
from benchmarks.stats import percentile
from local_stack.http_client import REQUEST_TIMEOUT

CONCURRENCY = 8
GROWTH_WINDOW = 10  # turn N's latency: the median of the 10 turns ending at N
ROUNDS = 4
# Untimed messages at the start of each bot's part of a round: right after the
# other bot's part, the first replies can be slower than the rest (caches, CPU
# frequency). Their own p50 is reported, in a row of its own.
ROUND_WARMUP = 10


@dataclass
class Latencies:
    samples: list[float] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)  # what each sample sent, where known
    wall: float = 0.0
    errors: int = 0
    failures: list[str] = field(default_factory=list)  # the first few, for the report

    def ms(self, q: float) -> float:
        return 1000 * percentile(self.samples, q) if self.samples else float("nan")

    @property
    def throughput(self) -> float:
        return len(self.samples) / self.wall if self.wall else float("nan")

    def add(self, part: Latencies) -> None:
        """Another run's samples, time and errors added to this one's."""
        self.samples += part.samples
        self.messages += part.messages
        self.wall += part.wall
        self.errors += part.errors
        self.failures += part.failures


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
    advisor: Latencies = field(default_factory=Latencies)  # the advisor's turns, sequential
    round_start: Latencies = field(default_factory=Latencies)  # the untimed warm-ups of the rounds
    concurrent: Latencies = field(default_factory=Latencies)
    parse: Latencies = field(default_factory=Latencies)
    growth: Growth = field(default_factory=Growth)
    rss_mb: float = float("nan")
    peak_rss_mb: float = float("nan")
    private_mb: float = float("nan")
    action_rss_mb: float | None = None
    # p99 / p50 of CPU work as long as this bot's sequential p50 (benchmarks/noise.py)
    machine_stretch: float = float("nan")


# A bot, the conversations it is sent, and where its figures go.
Measured = tuple[Bot, list[tuple[str, ...]], BotResult]


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
                result.messages.append(message)
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
        result.messages += part.messages
        result.errors += part.errors
        result.failures += part.failures
    return result


def start(bot: Bot, conversations: list[tuple[str, ...]], budget: float, into: BotResult) -> None:
    print(f"[bench] {bot.name}: starting the Rasa server ...", flush=True)
    into.cold_start_s = bot.start()
    print(f"[bench] {bot.name}: /status ready after {into.cold_start_s:.1f} s", flush=True)
    into.first_reply_ms = 1000 * bot.send("bench-first", conversations[0][0])
    talk(bot, conversations, 10, budget, tag="warm")  # warm-up, not counted


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
    bots: list[Measured], messages: int, budget: float, advisor: Measured | None = None
) -> None:
    """Each phase in ROUNDS rounds, the bots taking turns (and swapping who goes first).

    The machine is shared and its speed drifts over minutes; measuring one bot
    after the other would put the drift into the ratios. Taking turns in short
    rounds exposes both bots to the same conditions. `advisor`: a bot and the
    conversations of its form, sent in each sequential round after the bots'
    turns (as many messages as a round's), timed into its `advisor` figures.
    """
    share = max(1, messages // ROUNDS)
    slice_budget = budget / ROUNDS
    for phase in ("sequential", "concurrent", "parse"):
        for round_ in range(ROUNDS):
            order = bots if round_ % 2 == 0 else bots[::-1]
            for bot, conversations, into in order:
                offset = round_ * max(1, len(conversations) // ROUNDS)
                warm = talk(
                    bot, conversations, ROUND_WARMUP, slice_budget, offset=offset + 1, tag=f"w{round_}"
                )
                if phase == "sequential":
                    into.round_start.add(warm)
                    part = talk(bot, conversations, share, slice_budget, offset=offset, tag=f"seq{round_}")
                    into.sequential.add(part)
                    if advisor is not None and advisor[0] is bot:
                        form_bot, form_conversations, form_into = advisor
                        # As many form turns as questions: a p99 needs the samples.
                        part = talk(form_bot, form_conversations, share, slice_budget, tag=f"form{round_}")
                        form_into.advisor.add(part)
                elif phase == "concurrent":
                    part = talk_concurrently(bot, conversations, share, slice_budget, offset=offset)
                    into.concurrent.add(part)
                else:
                    texts = [m for c in conversations for m in c if not m.startswith("/")]
                    into.parse.add(parse_texts(bot, texts, share, slice_budget, offset * 3))
        for bot, _, into in bots:
            result = getattr(into, phase)
            print(
                f"[bench] {bot.name}: {phase} p50 {result.ms(50):.1f} ms, {result.throughput:.1f} msg/s",
                flush=True,
            )
        if advisor is not None and phase == "sequential":
            form = advisor[2].advisor
            print(f"[bench] {advisor[0].name}: advisor turns p50 {form.ms(50):.1f} ms", flush=True)


def new_conversations(bots: list[Measured], empty: list[Bot], count: int) -> None:
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


def machine_noise(results: tuple[BotResult, ...], seconds: float) -> None:
    """The machine's own stretch of CPU work as long as each bot's sequential p50.

    Measured here, between the latency phases and the growth ones, with both bots
    idle and the machine as busy as it was for them.
    """
    sizes = [result.sequential.ms(50) for result in results]
    if seconds <= 0 or any(size != size for size in sizes):  # NaN: nothing measured
        return
    for result, stretched in zip(results, noise.stretch(sizes, seconds), strict=True):
        result.machine_stretch = stretched
    stretches = [f"{size:.1f} ms {r.machine_stretch:.2f}x" for size, r in zip(sizes, results, strict=True)]
    print(f"[bench] machine: p99 / p50 of CPU work of {', '.join(stretches)}", flush=True)


def fill_store(bot: Bot, conversations: list[tuple[str, ...]], size: int, budget: float) -> None:
    """One-message conversations until the bot's store holds `size` conversations."""
    deadline = time.monotonic() + budget
    i = 0
    while len(bot.senders) < size and time.monotonic() < deadline:
        bot.send(f"bench-fill-{i}-{secrets.token_hex(4)}", conversations[i % len(conversations)][0])
        i += 1
    print(f"[bench] {bot.name}: {len(bot.senders)} conversations in the store", flush=True)


def long_conversation(bots: list[Measured], turns: int, budget: float) -> None:
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


def read_memory(bots: list[Measured]) -> None:
    for bot, _, into in bots:
        into.rss_mb = bot.memory_mb("VmRSS")
        into.peak_rss_mb = bot.memory_mb("VmHWM")
        into.private_mb = bot.memory_mb("RssAnon")
