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


def _medians_by_key(samples: Sequence[float], keys: Sequence[str]) -> dict[str, float]:
    if len(samples) != len(keys):
        raise ValueError(f"{len(samples)} samples but {len(keys)} keys")
    by_key: dict[str, list[float]] = {}
    for key, sample in zip(keys, samples, strict=True):
        by_key.setdefault(key, []).append(sample)
    return {key: statistics.median(values) for key, values in by_key.items()}


def own_medians(samples: Sequence[float], keys: Sequence[str]) -> list[float]:
    """For each sample, the median of every sample with its key (the same message sent).

    The latency each message costs by what it asks for, its sendings' jitter aside.
    """
    medians = _medians_by_key(samples, keys)
    return [medians[key] for key in keys]


def over_own_median(samples: Sequence[float], keys: Sequence[str]) -> list[float]:
    """Each sample divided by the median of every sample with its key.

    How much one message's latency varies from one sending to the next: the
    machine's and the server's jitter, apart from what the message asks for.
    """
    medians = _medians_by_key(samples, keys)
    return [
        sample / medians[key] if medians[key] else float("nan")
        for key, sample in zip(keys, samples, strict=True)
    ]


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
