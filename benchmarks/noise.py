"""What the machine alone does to a p99: CPU work of one fixed size, timed over and over.

A message's latency varies for two reasons: what it asks for, and what the machine
does meanwhile (other tenants of the host, frequency changes, interrupts). The
second can be measured without any bot: the same pure-Python work, sized like a
bot's median message, repeated with a short pause between runs as requests come.
Its p99 over its p50 is how far this machine stretches a task of that length by
itself, a floor under the bot's own p99 / p50. The sizes are interleaved, so each
sees the same moments of the run.
"""

from __future__ import annotations

import time

from benchmarks.stats import percentile

PAUSE_SECONDS = 0.002  # between runs, as between a reply and the next message
CALIBRATION_ITERATIONS = 200_000


def spin(iterations: int) -> int:
    """Arithmetic in the interpreter, no allocation to speak of and no system calls."""
    total = 0
    for i in range(iterations):
        total += i * i
    return total


def iterations_for(milliseconds: float) -> int:
    """How many iterations of `spin` take about `milliseconds` here (the fastest of three tries)."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        spin(CALIBRATION_ITERATIONS)
        best = min(best, time.perf_counter() - start)
    return max(1, round(CALIBRATION_ITERATIONS * milliseconds / 1000 / best))


def stretch(sizes_ms: list[float], seconds: float) -> list[float]:
    """p99 / p50 of the time of work sized `sizes_ms`, run in turns for `seconds`."""
    counts = [iterations_for(size) for size in sizes_ms]
    samples: list[list[float]] = [[] for _ in sizes_ms]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for count, times in zip(counts, samples, strict=True):
            start = time.perf_counter()
            spin(count)
            times.append(time.perf_counter() - start)
            time.sleep(PAUSE_SECONDS)
    return [percentile(times, 99) / percentile(times, 50) for times in samples]
