"""benchmarks/load.py: `make load`'s report (the stack and the tracker store need real servers)."""

from __future__ import annotations

from collections import Counter

from benchmarks.load import Results, Size, Usage, report, usage_lines


def results(n: int, upstreams: Counter[str] | None = None) -> Results:
    done = Results(latencies=[(i + 1) / 1000 for i in range(n)])  # 1 ms to n ms
    done.sent = {f"load-x-{i:05d}": ["a", "b"] for i in range(n // 2)}
    done.upstreams = upstreams if upstreams is not None else Counter(direct=n)
    return done


def test_report_of_one_server() -> None:
    text = report(results(200), 4.0, Size(100, 2, 16), missing=[])
    assert text.splitlines() == [
        "conversations: 100 x 2 turns, 16 at once",
        "turns answered: 200 in 4.0 s = 50.0 turns/s",
        # The shared nearest-rank percentile: p95 of 200 is the 190th, p99 the 198th.
        "latency ms: p50 100, p95 190, p99 198, max 200, mean 100",
        "errors: 0",
        "tracker store: all 200 messages of 100 conversations found",
    ]


def test_report_names_the_servers_and_what_is_missing() -> None:
    done = results(100, Counter({"127.0.0.1:6001": 50, "127.0.0.1:6002": 50}))
    done.errors = ["load-x-00001 turn 1: HTTP 500 boom"]
    text = report(done, 2.0, Size(50, 2, 8, servers=2), missing=["load-x-00001: sent 2, stored 1"])
    lines = text.splitlines()
    assert "turns per Rasa server: 127.0.0.1:6001 50, 127.0.0.1:6002 50" in lines
    assert lines[-4:] == [
        "errors: 1",
        "  load-x-00001 turn 1: HTTP 500 boom",
        "tracker store: 1 conversations with messages missing or out of order",
        "  load-x-00001: sent 2, stored 1",
    ]


def test_usage_per_turn_and_per_core() -> None:
    usage = Usage(
        wall_s=10.0,
        parts={"PostgreSQL": 1.0, "action server": 2.0, "Rasa servers": 12.0},
        client_s=1.0,
        machine_s=18.0,
        cores=2,
    )
    assert usage.others_s == 2.0
    assert usage_lines(usage, turns=1000, servers=2) == [
        "CPU per turn: PostgreSQL 1.0 ms, action server 2.0 ms, Rasa servers 12.0 ms, load clients 1.0 ms",
        "Rasa servers busy: 60% of a core each (1.20 cores in all, 2 server(s))",
        "machine: 1.80 of 2 cores busy, 0.20 of them by processes outside this load test",
    ]
    assert usage_lines(usage, turns=0, servers=2) == []


def test_report_with_usage() -> None:
    usage = Usage(wall_s=4.0, parts={"Rasa servers": 2.0}, client_s=0.2, machine_s=3.0, cores=2)
    text = report(results(200), 4.0, Size(100, 2, 16), [], usage)
    assert "CPU per turn: Rasa servers 10.0 ms, load clients 1.0 ms" in text
    assert "Rasa servers busy: 50% of a core each (0.50 cores in all, 1 server(s))" in text
