"""The benchmark's configurations as the report names them, and the targets that hold in each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# A target: its text in the table, and the test on the checked value.
Target = tuple[str, Callable[[float], bool]]

RSS_LIMIT_MB = 1331  # 1.3 GB


@dataclass(frozen=True)
class Config:
    """One configuration of the stores, and the targets that hold in it."""

    key: str
    title: str
    # measure -> (target text, test on the value): ratios ours/stock, or this assistant's own figure
    targets: dict[str, Target]

    def check(self, key: str, value: float) -> tuple[str, bool] | None:
        """(target text, met) for the measure `key` at `value`; None without a target."""
        if key not in self.targets:
            return None
        text, test = self.targets[key]
        return text, test(value)


def at_most(limit: float, unit: str = "x") -> Target:
    return (f"≤ {limit:g}{unit}" if unit == "x" else f"≤ {limit:g} {unit}", lambda v: v <= limit)


def at_least(limit: float) -> Target:
    return (f"≥ {limit:g}x", lambda v: v >= limit)


def ratio(a: float, b: float) -> float:
    """a / b; NaN when b is 0."""
    return a / b if b else float("nan")


RSS_TARGET: Target = ("≤ 1.3 GB", lambda v: v <= RSS_LIMIT_MB)
GROWTH_TARGETS = {"turn 300 / turn 20": at_most(1.5), "store of 1,000 / empty": at_most(1.0)}
CONFIGS = {
    "sqlite": Config(
        "sqlite",
        "(1) `make run`'s configuration: SQLite in a temp folder, the shipped `endpoints.yml` and "
        "`credentials.yml`; the stock bot with Rasa's SQL tracker store on SQLite",
        {
            "p50": at_most(0.3),
            "p99": at_most(0.25),
            "throughput": at_least(2.5),
            "cold": at_most(0.7),
            "rss": RSS_TARGET,
            **GROWTH_TARGETS,
        },
    ),
    "cluster": Config(
        "cluster",
        "(2) `make cluster`'s configuration: two Rasa servers a bot behind nginx (round robin), "
        "PostgreSQL and Redis; the stock bot with Rasa's SQL (PostgreSQL) and Redis stores",
        {"rss": RSS_TARGET, **GROWTH_TARGETS},
    ),
    "memory": Config(
        "memory",
        "(3) In memory, for reference: both bots with Rasa's in-memory tracker and lock stores",
        {
            "p50": at_most(0.25),
            "p99": at_most(0.3),
            "throughput": at_least(2),
            "cold": at_most(0.7),
            "rss": RSS_TARGET,
        },
    ),
}
