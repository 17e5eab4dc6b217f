"""benchmarks/measure.py: what the side-by-side rounds time, and what they leave out."""

from __future__ import annotations

import threading
from typing import Any

from benchmarks.measure import ROUND_WARMUP, ROUNDS, BotResult, measure_side_by_side


class CountingBot:
    """A bot that answers at once, noting the order of its messages and who sent them."""

    def __init__(self, name: str, log: list[tuple[str, str]]) -> None:
        self.name = name
        self.log = log
        self.lock = threading.Lock()

    def send(self, sender: str, message: str) -> float:
        with self.lock:
            self.log.append((self.name, sender))
        return 0.001

    def parse(self, text: str) -> float:
        return 0.001


def test_each_round_starts_with_untimed_messages_and_times_the_rest() -> None:
    log: list[tuple[str, str]] = []
    conversations = [("hello", "what do they earn?")] * 20
    ours, stock = BotResult("ours"), BotResult("stock")
    bots: list[Any] = [
        (CountingBot("ours", log), conversations, ours),
        (CountingBot("stock", log), conversations, stock),
    ]
    measure_side_by_side(bots, messages=80, budget=60.0)
    for result in (ours, stock):
        assert len(result.sequential.samples) == 80
        assert len(result.round_start.samples) == ROUNDS * ROUND_WARMUP
        assert len(result.parse.samples) == 80
    # Every part of a round, in every phase, opens with its warm-up messages.
    first_of_parts = [i for i, (name, _) in enumerate(log) if i == 0 or log[i - 1][0] != name]
    for i in first_of_parts:
        assert all("-w" in sender for _, sender in log[i : i + ROUND_WARMUP])


def test_the_advisor_gets_as_many_timed_turns_as_the_questions() -> None:
    log: list[tuple[str, str]] = []
    conversations = [("hello", "what do they earn?")] * 20
    form = [("help me choose", "/pick_option", "/pick_option", "/pick_option")]
    ours, stock = BotResult("ours"), BotResult("stock")
    our_bot = CountingBot("ours", log)
    bots: list[Any] = [(our_bot, conversations, ours), (CountingBot("stock", log), conversations, stock)]
    advisor: Any = (our_bot, form, ours)
    measure_side_by_side(bots, messages=80, budget=60.0, advisor=advisor)
    # A p99 of the form turns needs as many samples as the questions' p99.
    assert len(ours.advisor.samples) == len(ours.sequential.samples) == 80
    assert stock.advisor.samples == []
    assert sum("-form" in sender for _, sender in log) == 80
