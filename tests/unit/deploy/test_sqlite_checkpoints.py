"""deploy/sqlite_checkpoints.py through the tracker store, on real SQLite files."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from deploy.sqlite_checkpoints import BackgroundCheckpoints
from deploy.stores import TRACKER_STORE_URL, ConversationTrackerStore
from local_stack.processes import ROOT

DOMAIN = Domain.load(str(ROOT / "domain.yml"))
EVERY = 5


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv(TRACKER_STORE_URL, f"sqlite:///{tmp_path / 'conversations.db'}")
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    store = ConversationTrackerStore(DOMAIN)
    assert store.checkpoints is not None
    store.checkpoints.every = EVERY
    yield store, loop
    store.checkpoints.close()
    loop.close()


def _save_turns(
    store: ConversationTrackerStore, loop: asyncio.AbstractEventLoop, sender: str, turns: int
) -> None:
    for turn in range(turns):
        tracker = loop.run_until_complete(store.get_or_create_tracker(sender))
        tracker.update(UserUttered(f"what does a product manager earn? ({turn})", {"name": "ask_question"}))
        tracker.update(ActionExecuted("action_answer_question"))
        tracker.update(BotUttered("A product manager earns ... " * 40))
        tracker.update(ActionExecuted("action_listen"))
        loop.run_until_complete(store.save(tracker))


def test_the_thread_copies_the_whole_log_back_and_the_log_starts_over(store: Any) -> None:
    store, loop = store
    checkpoints = store.checkpoints
    # A new conversation is saved once when it is created: counted from after that,
    # each round's last save starts the round's checkpoint.
    loop.run_until_complete(store.get_or_create_tracker("conversation"))
    checkpoints.saves = 0
    frames = []
    for _ in range(3):
        _save_turns(store, loop, "conversation", EVERY)
        checkpoints.wait()
        busy, log, done = checkpoints.results[-1]
        # Nothing was written meanwhile: every frame of the log is in the database.
        assert (busy, done) == (0, log) and log > 0
        frames.append(log)
    # Each round's log holds that round's saves only: the commit after a whole
    # checkpoint wrote from the log's beginning, so the log does not grow.
    assert max(frames) <= 1.5 * min(frames)
    assert len(checkpoints.results) == 3 and checkpoints.failures == 0


def test_checkpoints_leave_what_is_stored_and_read_unchanged(store: Any) -> None:
    store, loop = store
    _save_turns(store, loop, "kept", 3 * EVERY)
    store.checkpoints.wait()
    fresh = ConversationTrackerStore(DOMAIN)
    tracker = loop.run_until_complete(fresh.retrieve("kept"))
    assert sum(isinstance(e, UserUttered) for e in tracker.events) == 3 * EVERY
    with sqlite3.connect(fresh.engine.url.database) as connection:
        (count,) = connection.execute("SELECT count(*) FROM events WHERE sender_id = 'kept'").fetchone()
    assert count == len(loop.run_until_complete(fresh.retrieve_full_tracker("kept")).events)
    assert fresh.checkpoints is not None
    fresh.checkpoints.close()


def test_a_failing_checkpoint_is_logged_once_and_saving_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A folder where the database should be: SQLite cannot open it.
    checkpoints = BackgroundCheckpoints(str(tmp_path), every=1)
    with caplog.at_level(logging.WARNING, logger="deploy.sqlite_checkpoints"):
        for _ in range(3):
            checkpoints.saved()
            checkpoints.wait()
    checkpoints.close()
    assert checkpoints.failures == 3 and checkpoints.results == []
    failed = "SQLite checkpoint in the background failed (unable to open database file)"
    assert [r.getMessage() for r in caplog.records if "checkpoint" in r.getMessage()] == [
        f"{failed}; commits checkpoint instead."
    ]


def test_only_a_file_database_gets_the_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TRACKER_STORE_URL, "sqlite://")
    assert ConversationTrackerStore(DOMAIN).checkpoints is None
