"""benchmarks/stats.py: the one percentile of `make bench` and `make load`."""

from __future__ import annotations

import random

import pytest

from benchmarks.stats import median_ratio_interval, over_own_median, own_medians, percentile


def test_nearest_rank_of_a_hundred_values() -> None:
    values = [float(v) for v in range(1, 101)]
    random.Random(3).shuffle(values)
    assert percentile(values, 50) == 50.0
    assert percentile(values, 95) == 96.0  # 95.5 rounds to 96 (see below)
    assert percentile(values, 94) == 94.0  # 94.5 rounds to 94
    assert percentile(values, 0) == 1.0
    assert percentile(values, 100) == 100.0


def test_rank_rounds_half_to_even_as_bench_always_did() -> None:
    """round(q/100 * n + 0.5): a whole q/100 * n = k gives rank k or k + 1, the even one."""
    values = [float(v) for v in range(1, 301)]
    assert percentile(values, 99) == 298.0  # 297.5 rounds to 298
    assert percentile([float(v) for v in range(1, 1201)], 99) == 1188.0  # 1188.5 rounds to 1188
    assert percentile(values, 50) == 150.0  # 150.5 rounds to 150


def test_a_value_of_the_sample_and_within_its_range() -> None:
    rng = random.Random(7)
    for n in (1, 2, 3, 7, 10, 99, 401):
        values = [rng.random() for _ in range(n)]
        for q in (0, 1, 25, 50, 95, 99, 100):
            p = percentile(values, q)
            assert p in values
            assert min(values) <= p <= max(values)
        assert percentile(values, 0) == min(values)
        assert percentile(values, 100) == max(values)


def test_one_value_and_order_do_not_matter() -> None:
    assert percentile([4.2], 99) == 4.2
    assert percentile([3.0, 1.0, 2.0], 50) == percentile([1.0, 2.0, 3.0], 50) == 2.0


def test_monotonic_in_q() -> None:
    values = [random.Random(1).random() for _ in range(57)]
    figures = [percentile(values, q) for q in range(0, 101)]
    assert figures == sorted(figures)


def test_no_values_is_an_error() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)


def test_median_ratio_interval_holds_the_ratio_and_narrows_with_more_samples() -> None:
    rng = random.Random(5)
    few = ([rng.gauss(10, 1) for _ in range(30)], [rng.gauss(10, 1) for _ in range(30)])
    many = ([rng.gauss(10, 1) for _ in range(600)], [rng.gauss(10, 1) for _ in range(600)])
    low, high = median_ratio_interval(*few)
    assert low < 1.0 < high
    many_low, many_high = median_ratio_interval(*many)
    assert many_low < 1.0 < many_high and many_high - many_low < high - low


def test_median_ratio_interval_excludes_one_for_a_real_slowdown() -> None:
    rng = random.Random(6)
    slower = [rng.gauss(12, 1) for _ in range(200)]
    base = [rng.gauss(10, 1) for _ in range(200)]
    low, high = median_ratio_interval(slower, base)
    assert 1.1 < low < 1.2 < high < 1.3
    assert median_ratio_interval(slower, base) == (low, high)  # seeded: one run, one interval


def test_median_ratio_interval_of_nothing_is_not_measured() -> None:
    low, high = median_ratio_interval([], [1.0])
    assert low != low and high != high


def test_each_sample_over_the_median_of_its_own_message() -> None:
    samples = [1.0, 2.0, 3.0, 10.0, 30.0]
    keys = ["a", "a", "a", "b", "b"]
    assert own_medians(samples, keys) == [2.0, 2.0, 2.0, 20.0, 20.0]
    assert over_own_median(samples, keys) == [0.5, 1.0, 1.5, 0.5, 1.5]
    with pytest.raises(ValueError, match="5 samples but 4 keys"):
        over_own_median(samples, keys[:4])
