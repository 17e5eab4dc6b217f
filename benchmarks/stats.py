"""The percentile that `make bench` and `make load` both report, and the interval of a ratio of medians."""

from __future__ import annotations

import random
import statistics
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (q in 0..100) by nearest rank, from the sorted values.

    The rank is round(q/100 * n + 0.5), kept within 1..n, as `make bench` has
    always computed it, so figures stay comparable across runs. Python rounds
    halves to even: where q/100 * n is a whole number k the rank is k or k + 1
    (e.g. p99 of 300 values is the 298th, of 1,200 the 1,188th).
    """
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median_ratio_interval(
    numerator: Sequence[float],
    denominator: Sequence[float],
    confidence: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
) -> tuple[float, float]:
    """A bootstrap interval of median(numerator) / median(denominator).

    Each sample is resampled on its own, with replacement, `resamples` times; the
    interval holds the middle `confidence` of the ratios. Seeded, so one run's
    figures give one interval. NaN, NaN when either sample is empty.
    """
    if not numerator or not denominator:
        return float("nan"), float("nan")
    rng = random.Random(seed)
    ratios = []
    for _ in range(resamples):
        top = statistics.median(rng.choices(numerator, k=len(numerator)))
        bottom = statistics.median(rng.choices(denominator, k=len(denominator)))
        ratios.append(top / bottom if bottom else float("inf"))
    tail = (1 - confidence) / 2 * 100
    return percentile(ratios, tail), percentile(ratios, 100 - tail)
