"""benchmarks/noise.py: CPU work of a chosen length, and how the machine stretches it."""

from __future__ import annotations

import time

from benchmarks import noise
from benchmarks.measure import BotResult, Latencies, machine_noise


def test_spin_does_the_work_it_is_asked() -> None:
    assert noise.spin(4) == 0 + 1 + 4 + 9
    assert noise.spin(0) == 0


def test_iterations_for_a_length_take_about_that_long() -> None:
    count = noise.iterations_for(5.0)
    times = []
    for _ in range(7):
        start = time.perf_counter()
        noise.spin(count)
        times.append(time.perf_counter() - start)
    times.sort()
    # Calibrated on the fastest try; a busy machine only makes runs longer.
    assert 0.002 < times[0] < 0.010
    assert noise.iterations_for(10.0) > 1.5 * count


def test_stretch_is_at_least_one_per_size() -> None:
    stretched = noise.stretch([1.0, 3.0], seconds=0.5)
    assert len(stretched) == 2
    assert all(value >= 1.0 for value in stretched)


def test_machine_noise_sizes_the_work_by_each_bots_p50() -> None:
    ours, stock = BotResult("ours"), BotResult("stock")
    ours.sequential.add(Latencies(samples=[0.001] * 50, wall=1.0))
    stock.sequential.add(Latencies(samples=[0.004] * 50, wall=1.0))
    machine_noise((ours, stock), seconds=0.3)
    assert ours.machine_stretch >= 1.0 and stock.machine_stretch >= 1.0


def test_machine_noise_is_skipped_when_off_or_nothing_was_measured() -> None:
    ours, stock = BotResult("ours"), BotResult("stock")
    machine_noise((ours, stock), seconds=1.0)  # no sequential samples
    assert ours.machine_stretch != ours.machine_stretch  # NaN: not measured
    ours.sequential.add(Latencies(samples=[0.001] * 5, wall=1.0))
    stock.sequential.add(Latencies(samples=[0.001] * 5, wall=1.0))
    machine_noise((ours, stock), seconds=0.0)
    assert stock.machine_stretch != stock.machine_stretch
