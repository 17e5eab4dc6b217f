"""benchmarks/report.py: the rows, the Markdown table, the summary and docs/benchmarks.md's markers."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from benchmarks.measure import BotResult, Latencies
from benchmarks.report import BEGIN, END, Row, Run, fmt, report, rows, table, write_doc
from benchmarks.targets import CONFIGS

HEADER = [
    "| measure | this assistant | stock `rasa init` | ratio | target | |",
    "| --- | ---: | ---: | ---: | --- | --- |",
]


def result(name: str, seconds: float, train_s: float = float("nan"), wall: float = 2.0) -> BotResult:
    """A bot whose every message took `seconds`, 100 of them a phase in `wall` seconds."""
    bot = BotResult(name, train_s=train_s, cold_start_s=10 * seconds, first_reply_ms=1000 * seconds)
    for phase in (bot.sequential, bot.round_start, bot.advisor, bot.concurrent, bot.parse):
        phase.add(Latencies(samples=[seconds] * 100, wall=wall))
    bot.growth.turns = [seconds] * 20 + [2 * seconds] * 280
    bot.growth.new_empty, bot.growth.new_full = [seconds] * 10, [seconds] * 10
    bot.growth.empty_count, bot.growth.full_count = 12, 1000
    bot.rss_mb = bot.peak_rss_mb = bot.private_mb = 1000.0
    return bot


def by_label(result_rows: list[Row]) -> dict[str, Row]:
    return {r.label: r for r in result_rows}


def test_fmt() -> None:
    assert fmt(float("nan")) == "n/a"
    assert fmt(1234.5) == "1,234"
    assert fmt(12.34) == "12.3"
    assert fmt(1.234) == "1.23"


def test_row_cells() -> None:
    assert Row("p50", 10.0, 40.0, "ms", "≤ 0.3x", True).cells() == [
        "p50",
        "10.0 ms",
        "40.0 ms",
        "0.25x",
        "≤ 0.3x",
        "met",
    ]
    assert Row("growth", 1.6, 1.2, "x", "≤ 1.5x", False, compare=False).cells() == [
        "growth",
        "1.60x",
        "1.20x",
        "",
        "≤ 1.5x",
        "**missed**",
    ]
    assert Row("parse", 5.0, 0.0, "ms").cells()[3] == ""  # no ratio to 0


def test_rows_check_ratios_and_own_figures_against_the_targets() -> None:
    ours = result("ours", 0.01, train_s=100.0, wall=2.0)
    stock = result("stock", 0.05, train_s=90.0, wall=5.0)
    found = by_label(rows(CONFIGS["sqlite"], ours, stock, 300))
    p50 = found["REST latency p50, sequential"]
    assert (p50.ours, p50.stock, p50.target, p50.met) == (10.0, 50.0, "≤ 0.3x", True)
    throughput = found["throughput, 8 concurrent"]
    assert (throughput.ours, throughput.stock, throughput.met) == (50.0, 20.0, True)  # 2.5x: met
    growth = found["turn 300 / turn 20"]
    assert (growth.ours, growth.met, growth.compare) == (2.0, False, False)  # its own figure, not a ratio
    assert found["Rasa server RSS after the run"].met is True  # 1,000 MB, checked on ours alone
    assert found["store of 1,000 / empty"].met is True
    assert found["training, cache disabled"].met is True
    assert found["REST latency p95, sequential"].met is None
    form = found["advisor form turns p50, sequential (stock: its turns)"]
    assert (form.ours, form.stock, form.target, form.met) == (10.0, 50.0, "≤ 0.3x", True)


def test_store_size_is_held_to_the_interval_of_its_ratio() -> None:
    """No slower means not measurably slower: the low end of the 95% interval at most 1x."""
    stock = result("stock", 0.05)
    noisy = result("ours", 0.01)
    rng = random.Random(7)
    noisy.growth.new_empty = [rng.gauss(0.010, 0.002) for _ in range(120)]
    noisy.growth.new_full = [1.02 * v for v in noisy.growth.new_empty[::-1]]  # 2% up, within noise
    store = by_label(rows(CONFIGS["sqlite"], noisy, stock, 300))["store of 1,000 / empty"]
    assert store.ours > 1.0 and store.met is True
    assert store.target.startswith("≤ 1x (95% interval 0.") and store.target.endswith("x)")
    slower = result("ours", 0.01)
    slower.growth.new_empty = noisy.growth.new_empty
    slower.growth.new_full = [1.3 * v for v in noisy.growth.new_empty]
    assert by_label(rows(CONFIGS["sqlite"], slower, stock, 300))["store of 1,000 / empty"].met is False


def test_rows_in_their_order_with_training_once() -> None:
    ours, stock = result("ours", 0.01, train_s=100.0), result("stock", 0.05)
    labels = [r.label for r in rows(CONFIGS["memory"], ours, stock, 300)]
    assert labels[0] == "REST latency p50, sequential"
    assert labels[labels.index("cold start (command to /status ready)") + 1] == "training, cache disabled"
    assert labels[-1] == "store of 1,000 / empty"
    assert "new conversation, store of ≤ 12" in labels
    untrained = rows(CONFIGS["memory"], result("ours", 0.01), stock, 300)
    assert len(untrained) == len(labels) - 1


def test_nothing_measured_is_n_a_and_missed() -> None:
    found = by_label(rows(CONFIGS["sqlite"], BotResult("ours"), BotResult("stock"), 300))
    assert found["REST latency p50, sequential"].cells()[1:3] == ["n/a ms", "n/a ms"]
    assert found["REST latency p50, sequential"].met is False


def test_table_is_markdown() -> None:
    text = table([Row("p50", 10.0, 40.0, "ms", "≤ 0.3x", True), Row("rss", 900.0, 800.0, "MB")])
    assert text.splitlines() == [
        *HEADER,
        "| p50 | 10.0 ms | 40.0 ms | 0.25x | ≤ 0.3x | met |",
        "| rss | 900 MB | 800 MB | 1.12x |  |  |",
    ]


def run(note: str = "") -> Run:
    return Run(
        started=datetime(2026, 12, 1, 12, 5, tzinfo=timezone.utc),
        machine="2 cores (test CPU), 8 GiB RAM, Python 3.10.0",
        wall_s=100.0,
        others_cpu_s=50.0,
        cores=2,
        load_start=1.0,
        load_end=2.5,
        action_start_s=3.25,
        action_rss_mb=120.0,
        note=note,
    )


def test_a_run_without_the_cluster_names_no_action_server() -> None:
    without = replace(run(), action_start_s=None, action_rss_mb=None)
    _, summary = report(CONFIGS, {"sqlite": (result("ours", 0.01), result("stock", 0.05))}, 300, without)
    assert summary[3] == (
        "This assistant's actions ran in its Rasa server in the SQLite and in-memory configurations "
        "(endpoints.yml's actions_module, as `make run` runs them)."
    )


def test_report_sections_and_summary() -> None:
    measured = {
        "sqlite": (result("ours", 0.01, train_s=100.0), result("stock", 0.05, train_s=90.0)),
        "memory": (result("ours", 0.01), result("stock", 0.02)),
    }
    measured["memory"][0].sequential.errors = 2
    measured["memory"][0].sequential.failures = ["ours: no reply (HTTP 500)"] * 2
    text, summary = report(CONFIGS, measured, 300, run("A note."))
    sections = text.split("\n\n")
    assert sections[0] == f"**{CONFIGS['sqlite'].title}**"
    assert sections[1].splitlines()[:2] == HEADER
    assert sections[2] == f"**{CONFIGS['memory'].title}**"
    assert summary[0] == "Measured 2026-12-01 12:05 UTC on 2 cores (test CPU), 8 GiB RAM, Python 3.10.0."
    assert summary[1] == (
        "Other processes used 50 CPU-seconds during the 100 s run (25% of the machine's 2 cores; "
        "load average 1.0 at the start, 2.5 at the end)."
    )
    assert summary[2] == (
        "Messages measured (this assistant / stock): sqlite: sequential 100 / 100, 8 concurrent 100 / 100, "
        "/model/parse 100 / 100, long conversation 300 / 300 turns; memory: sequential 100 / 100, "
        "8 concurrent 100 / 100, /model/parse 100 / 100, long conversation 300 / 300 turns; "
        "request errors: 2."
    )
    assert summary[3].startswith("This assistant's actions ran in its Rasa server in the SQLite")
    assert summary[3].endswith(
        "and on one action server in the cluster (ACTION_SERVER_URL, as `make cluster`): started in "
        "3.2 s, 120 MB RSS (not in the Rasa server figures above; the stock bot has no action server)."
    )
    assert summary[4] == (
        # sqlite: throughput 1x, growth 2x; memory: p50 and p99 0.5x, throughput 1x.
        "Targets missed: throughput, 8 concurrent (sqlite), turn 300 / turn 20 (sqlite), "
        "REST latency p50, sequential (memory), REST latency p99, sequential (memory), "
        "advisor form turns p50, sequential (stock: its turns) (memory), "
        "advisor form turns p99, sequential (stock: its turns) (memory), "
        "throughput, 8 concurrent (memory)."
    )
    assert summary[5] == "First request errors: ours: no reply (HTTP 500)."
    assert summary[6] == "A note."


def test_write_doc_replaces_only_between_the_markers(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(f"# Benchmarks\n\nprose before\n\n{BEGIN}\nold table\n{END}\n\nprose after\n")
    write_doc(doc, "| new | table |", ["one.", "two."])
    assert doc.read_text() == (
        f"# Benchmarks\n\nprose before\n\n{BEGIN}\n| new | table |\n\n- one.\n- two.\n{END}\n\nprose after\n"
    )


def test_write_doc_starts_a_doc_without_markers(tmp_path: Path) -> None:
    doc = tmp_path / "docs" / "benchmarks.md"
    write_doc(doc, "| t |", ["s."])
    assert doc.read_text() == f"# Benchmarks\n\n{BEGIN}\n| t |\n\n- s.\n{END}\n"


def test_the_tail_split_into_what_is_asked_and_jitter() -> None:
    """Two messages, one twice as dear; every tenth sending of each 1.5 times its usual."""
    ours, stock = result("ours", 0.01), result("stock", 0.05)
    texts = ["short", "short", "short", "long"] * 50
    usual = {"short": 0.004, "long": 0.008}
    ours.sequential = Latencies(
        samples=[usual[t] * (1.5 if i % 40 < 4 else 1.0) for i, t in enumerate(texts)],
        messages=texts,
        wall=1.0,
    )
    found = by_label(rows(CONFIGS["sqlite"], ours, stock, 300))
    asked = found["sequential: p99 of each message's median / p50 (what is asked)"]
    jitter = found["sequential: p99 of a latency / its message's median (jitter)"]
    assert asked.ours == 0.008 / 0.004  # the p50 is a short message's
    assert jitter.ours == 1.5
    assert asked.cells()[3] == "" and jitter.cells()[3] == ""  # each bot's own, no ratio
    # Samples without their messages (the stock bot's fixture here): not measured.
    assert asked.stock != asked.stock
    assert found["REST latency max, sequential"].ours == 0.012 * 1000


def test_the_machines_stretch_is_each_bots_own_figure() -> None:
    ours, stock = result("ours", 0.01), result("stock", 0.05)
    ours.machine_stretch, stock.machine_stretch = 1.7, 1.4
    row = by_label(rows(CONFIGS["sqlite"], ours, stock, 300))[
        "machine: p99 / p50 of CPU work as long as the bot's p50 (no bot)"
    ]
    assert (row.ours, row.stock, row.met) == (1.7, 1.4, None)
    assert row.cells()[1:4] == ["1.70x", "1.40x", ""]
