"""benchmarks/targets.py: the ratios and the targets they are checked against."""

from __future__ import annotations

import math

from benchmarks.targets import CONFIGS, RSS_LIMIT_MB, at_least, at_most, ratio


def test_ratio() -> None:
    assert ratio(3.0, 12.0) == 0.25
    assert math.isnan(ratio(1.0, 0.0))


def test_at_most_and_at_least_hold_at_their_limit() -> None:
    text, test = at_most(0.3)
    assert text == "≤ 0.3x"
    assert test(0.3) and test(0.1) and not test(0.31)
    text, test = at_least(2.5)
    assert text == "≥ 2.5x"
    assert test(2.5) and test(3) and not test(2.49)
    assert at_most(180, "s")[0] == "≤ 180 s"


def test_not_measured_never_meets_a_target() -> None:
    nan = float("nan")
    assert not at_most(1.5)[1](nan)
    assert not at_least(2)[1](nan)


def test_issue_targets_of_the_sqlite_configuration() -> None:
    sqlite = CONFIGS["sqlite"]
    assert sqlite.check("p50", 0.3) == ("≤ 0.3x", True)
    assert sqlite.check("p99", 0.26) == ("≤ 0.25x", False)
    assert sqlite.check("throughput", 2.5) == ("≥ 2.5x", True)
    assert sqlite.check("turn 300 / turn 20", 1.6) == ("≤ 1.5x", False)
    assert sqlite.check("store of 1,000 / empty", 1.0) == ("≤ 1x", True)
    assert sqlite.check("rss", RSS_LIMIT_MB) == ("≤ 1.3 GB", True)
    assert sqlite.check("rss", RSS_LIMIT_MB + 1) == ("≤ 1.3 GB", False)
    assert sqlite.check("no such measure", 1.0) is None


def test_each_configuration_has_its_own_targets() -> None:
    assert set(CONFIGS) == {"sqlite", "cluster", "memory"}
    assert all(key == config.key for key, config in CONFIGS.items())
    assert CONFIGS["memory"].check("p50", 0.25) == ("≤ 0.25x", True)
    assert CONFIGS["memory"].check("throughput", 1.9) == ("≥ 2x", False)
    # The cluster's latency is not compared with a target; its growth is.
    assert CONFIGS["cluster"].check("p50", 0.1) is None
    assert CONFIGS["cluster"].check("turn 300 / turn 20", 1.2) == ("≤ 1.5x", True)
    assert "turn 300 / turn 20" not in CONFIGS["memory"].targets
