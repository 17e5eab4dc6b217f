"""rasa_patches/store_errors.py: a failing tracker store raises where Rasa's falls back in memory."""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.agent import Agent
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_patches import store_errors


class BrokenStore(InMemoryTrackerStore):
    async def save(self, tracker: DialogueStateTracker) -> None:
        raise ConnectionError("the database is down")


def test_rasas_wrapper_hides_the_failure_and_the_strict_one_raises() -> None:
    tracker = DialogueStateTracker("someone", [])
    rasas = FailSafeTrackerStore(BrokenStore(Domain.empty()))
    asyncio.run(rasas.save(tracker))  # logged, then kept in memory: the caller never knows
    with pytest.raises(store_errors.TrackerStoreUnavailable, match="the database is down"):
        asyncio.run(store_errors.strict(rasas).save(tracker))


def test_strict_keeps_the_store_and_its_fallback_and_leaves_others_alone() -> None:
    inner, fallback = InMemoryTrackerStore(Domain.empty()), InMemoryTrackerStore(Domain.empty())
    strict = store_errors.strict(FailSafeTrackerStore(inner, fallback_tracker_store=fallback))
    assert strict._tracker_store is inner and strict._fallback_tracker_store is fallback
    assert store_errors.strict(strict) is strict
    assert store_errors.strict(inner) is inner


def test_install_makes_the_agents_store_strict() -> None:
    store_errors.install()
    agent = Agent(tracker_store=InMemoryTrackerStore(Domain.empty()))
    assert isinstance(agent.tracker_store, FailSafeTrackerStore)
    assert agent.tracker_store._on_tracker_store_error is store_errors._raise
    assert store_errors.is_installed()
