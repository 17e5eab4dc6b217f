"""The percentile that `make bench` and `make load` both report."""

from __future__ import annotations

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
