"""The benchmark's report: one table per configuration, the run's summary, docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from benchmarks.measure import BotResult, Latencies
from benchmarks.stats import median_ratio_interval, over_own_median, own_medians, percentile
from benchmarks.targets import Config, ratio
from scripts.doc_block import markers, replace_block

BEGIN, END = markers("bench")


def fmt(v: float) -> str:
    """A figure with three significant digits or so; NaN (not measured) as n/a."""
    if v != v:  # NaN
        return "n/a"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.1f}" if abs(v) >= 10 else f"{v:,.2f}"


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
        ratio_cell = f"{self.ours / self.stock:.2f}x" if self.compare and self.stock else ""
        verdict = "" if self.met is None else ("met" if self.met else "**missed**")
        unit = f" {self.unit}" if self.unit != "x" else "x"
        return [
            self.label,
            f"{fmt(self.ours)}{unit}",
            f"{fmt(self.stock)}{unit}",
            ratio_cell,
            self.target,
            verdict,
        ]


def rows(config: Config, ours: BotResult, stock: BotResult, turns: int) -> list[Row]:
    def row(label: str, a: float, b: float, unit: str, key: str = "", value: float | None = None) -> Row:
        """A row; with `key` in the config's targets, checked on `value` (default: the ratio)."""
        checked = config.check(key, ratio(a, b) if value is None else value)
        if checked is None:
            return Row(label, a, b, unit, compare=unit != "x")
        text, met = checked
        return Row(label, a, b, unit, text, met, compare=unit != "x")

    g, h = ours.growth, stock.growth
    grow_ours, grow_stock = ratio(g.turn_ms(turns), g.turn_ms(20)), ratio(h.turn_ms(turns), h.turn_ms(20))
    new_ours = ratio(g.median_ms(g.new_full), g.median_ms(g.new_empty))
    new_stock = ratio(h.median_ms(h.new_full), h.median_ms(h.new_empty))
    full = min(g.full_count, h.full_count)
    # "No slower" is held to what the samples can tell: the low end of the ratio's
    # 95% interval. Two runs of the same code gave medians 2% apart either way.
    low, high = median_ratio_interval(g.new_full, g.new_empty)
    result = [
        row("REST latency p50, sequential", ours.sequential.ms(50), stock.sequential.ms(50), "ms", "p50"),
        row("REST latency p95, sequential", ours.sequential.ms(95), stock.sequential.ms(95), "ms"),
        row("REST latency p99, sequential", ours.sequential.ms(99), stock.sequential.ms(99), "ms", "p99"),
        row("REST latency max, sequential", ours.sequential.ms(100), stock.sequential.ms(100), "ms"),
        # Where the p99 comes from, each bot on its own: what its messages ask for (the
        # p99 of the messages' own medians over the p50) and the jitter of the same
        # message sent again (the p99 of each latency over its message's median).
        row(
            "sequential: p99 of each message's median / p50 (what is asked)",
            spread(ours.sequential),
            spread(stock.sequential),
            "x",
        ),
        row(
            "sequential: p99 of a latency / its message's median (jitter)",
            jitter(ours.sequential),
            jitter(stock.sequential),
            "x",
        ),
        # The machine alone, no bot: how it stretches CPU work as long as the bot's p50
        # (benchmarks/noise.py). A floor under the bot's own p99 / p50.
        row(
            "machine: p99 / p50 of CPU work as long as the bot's p50 (no bot)",
            ours.machine_stretch,
            stock.machine_stretch,
            "x",
        ),
        # Not in the figures above: what a bot's first replies cost after the other bot's round.
        row(
            "first messages of a round p50, sequential (untimed warm-up)",
            ours.round_start.ms(50),
            stock.round_start.ms(50),
            "ms",
        ),
        # The stock bot has no form: its column is its sequential turn, the same
        # target holds (issue #12: a form turn no slower, against the same bar).
        row(
            "advisor form turns p50, sequential (stock: its turns)",
            ours.advisor.ms(50),
            stock.sequential.ms(50),
            "ms",
            "p50",
        ),
        row(
            "advisor form turns p99, sequential (stock: its turns)",
            ours.advisor.ms(99),
            stock.sequential.ms(99),
            "ms",
            "p99",
        ),
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
        store_row(
            row(f"store of {full:,} / empty", new_ours, new_stock, "x", "store of 1,000 / empty", low),
            low,
            high,
        ),
    ]
    if ours.train_s == ours.train_s:  # measured once, shown with the first configuration
        result.insert(
            next(i for i, r in enumerate(result) if r.label.startswith("cold start")) + 1,
            Row("training, cache disabled", ours.train_s, stock.train_s, "s", "≤ 180 s", ours.train_s <= 180),
        )
    return result


def spread(latencies: Latencies) -> float:
    """p99 of the samples' message medians over the p50 of the samples (NaN: messages not kept)."""
    if not latencies.samples or len(latencies.messages) != len(latencies.samples):
        return float("nan")
    by_message = own_medians(latencies.samples, latencies.messages)
    return percentile(by_message, 99) / percentile(latencies.samples, 50)


def jitter(latencies: Latencies) -> float:
    """p99 of each sample over its message's median (NaN: messages not kept)."""
    if not latencies.samples or len(latencies.messages) != len(latencies.samples):
        return float("nan")
    return percentile(over_own_median(latencies.samples, latencies.messages), 99)


def store_row(checked: Row, low: float, high: float) -> Row:
    """The store-size row, its target saying the interval it was checked on."""
    if not checked.target:
        return checked
    return replace(checked, target=f"{checked.target} (95% interval {low:.2f}–{high:.2f}x)")


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


def write_doc(path: Path, text: str, summary: list[str]) -> None:
    """Replace the figures between the markers of docs/benchmarks.md; keep the prose around them."""
    body = f"{text}\n\n" + "\n".join(f"- {s}" for s in summary)
    replace_block(path, "bench", body, "Benchmarks")


@dataclass(frozen=True)
class Run:
    """What the summary says about the run as a whole."""

    started: datetime
    machine: str
    wall_s: float
    others_cpu_s: float  # CPU time of other processes during the run, all cores
    cores: int
    load_start: float
    load_end: float
    # The cluster's action server; None when the run had no cluster configuration.
    action_start_s: float | None
    action_rss_mb: float | None
    note: str = ""


def actions_sentence(run: Run) -> str:
    """Where this assistant's actions ran, and what the cluster's action server cost."""
    where = (
        "This assistant's actions ran in its Rasa server in the SQLite and in-memory configurations "
        "(endpoints.yml's actions_module, as `make run` runs them)"
    )
    if run.action_start_s is None or run.action_rss_mb is None:
        return where + "."
    return (
        f"{where}, and on one action server in the cluster (ACTION_SERVER_URL, as `make cluster`): "
        f"started in {run.action_start_s:.1f} s, {run.action_rss_mb:,.0f} MB RSS (not in the Rasa "
        "server figures above; the stock bot has no action server)."
    )


def report(
    configs: dict[str, Config],
    measured: dict[str, tuple[BotResult, BotResult]],
    turns: int,
    run: Run,
) -> tuple[str, list[str]]:
    """The tables, one a configuration in `measured`'s order, and the summary's sentences."""
    sections: list[str] = []
    missed: list[str] = []
    errors = 0
    failures: list[str] = []
    counts: list[str] = []
    for key, (ours, stock) in measured.items():
        config_rows = rows(configs[key], ours, stock, turns)
        sections.append(f"**{configs[key].title}**\n\n{table(config_rows)}")
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
        f"Other processes used {run.others_cpu_s:,.0f} CPU-seconds during the {run.wall_s:,.0f} s run "
        f"({100 * run.others_cpu_s / (run.wall_s * run.cores):.0f}% of the machine's {run.cores} cores; "
        f"load average {run.load_start:.1f} at the start, {run.load_end:.1f} at the end)."
    )
    summary = [
        f"Measured {run.started:%Y-%m-%d %H:%M} UTC on {run.machine}.",
        load_note,
        "Messages measured (this assistant / stock): " + "; ".join(counts) + f"; request errors: {errors}.",
        actions_sentence(run),
        "Targets missed: " + (", ".join(missed) if missed else "none") + ".",
    ]
    if failures:
        summary.append("First request errors: " + "; ".join(dict.fromkeys(failures)) + ".")
    if run.note:
        summary.append(run.note)
    return "\n\n".join(sections), summary
