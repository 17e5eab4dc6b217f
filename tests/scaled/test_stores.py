"""The environment picks the stores, through Rasa's own endpoint reading and factories;
and the Redis lock lets one holder at a time into a conversation, across processes."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import uuid
from pathlib import Path

import pytest
import redis
from rasa.core.lock_store import LockStore
from rasa.core.tracker_store import TrackerStore
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.domain import Domain

from deploy.stores import (
    DEFAULT_SQLITE_PATH,
    REDIS_URL,
    TRACKER_STORE_URL,
    ConversationLockStore,
    ConversationTrackerStore,
    redis_url,
    tracker_store_url,
)
from local_stack.processes import ROOT
from local_stack.services import Postgres, Redis


def test_unset_environment_means_sqlite_in_var_and_in_process_locks() -> None:
    for env in ({}, {TRACKER_STORE_URL: "", REDIS_URL: " "}):
        assert tracker_store_url(env) == f"sqlite:///{ROOT / 'var' / 'conversations.db'}"
        assert redis_url(env) is None
    assert DEFAULT_SQLITE_PATH.parent == ROOT / "var"
    ignored = [line.strip() for line in (ROOT / ".gitignore").read_text().splitlines()]
    assert "var/" in ignored, "the default SQLite file must stay out of git"


def test_environment_names_postgres_and_redis() -> None:
    env = {TRACKER_STORE_URL: "postgres://rasa:pw@db:5432/rasa", REDIS_URL: "redis://:pw@redis:6379/0"}
    assert tracker_store_url(env) == "postgresql://rasa:pw@db:5432/rasa"
    assert redis_url(env) == "redis://:pw@redis:6379/0"


def _stores_from_endpoints_yml() -> tuple[TrackerStore, LockStore]:
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml"))
    return TrackerStore.create(endpoints.tracker_store), LockStore.create(endpoints.lock_store)


def test_endpoints_yml_without_environment_gives_one_machine_stores(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The default file is var/conversations.db; here the same SQLite path, in a temp dir.
    database = tmp_path / "nested" / "conversations.db"
    monkeypatch.setenv(TRACKER_STORE_URL, f"sqlite:///{database}")
    monkeypatch.delenv(REDIS_URL, raising=False)
    tracker_store, lock_store = _stores_from_endpoints_yml()
    assert isinstance(tracker_store, ConversationTrackerStore)
    assert tracker_store.engine.dialect.name == "sqlite"
    assert database.exists()
    assert isinstance(lock_store, ConversationLockStore) and lock_store._redis is None


def test_endpoints_yml_with_environment_gives_postgres_and_redis(
    monkeypatch: pytest.MonkeyPatch, postgres: Postgres, redis_server: Redis
) -> None:
    monkeypatch.setenv(TRACKER_STORE_URL, postgres.url)
    monkeypatch.setenv(REDIS_URL, redis_server.url)
    tracker_store, lock_store = _stores_from_endpoints_yml()
    assert isinstance(tracker_store, ConversationTrackerStore)
    assert tracker_store.engine.dialect.name == "postgresql"
    assert isinstance(lock_store, ConversationLockStore) and lock_store._redis is not None
    conversation = f"store-{uuid.uuid4().hex[:8]}"
    first = lock_store.issue_ticket(conversation)
    assert lock_store.issue_ticket(conversation) == first + 1
    assert redis.Redis.from_url(redis_server.url).exists("lock:" + conversation)
    lock_store.cleanup(conversation, first)
    lock_store.cleanup(conversation, first + 1)
    assert not redis.Redis.from_url(redis_server.url).exists("lock:" + conversation)


PROCESSES = 6
ROUNDS = 25


def _increment_under_lock(url: str, conversation: str, counter: str, done: multiprocessing.Queue) -> None:
    # A read-pause-write that loses updates unless the lock admits one holder at a time.
    os.environ[REDIS_URL] = url
    store = ConversationLockStore()
    client = redis.Redis.from_url(url)

    async def run() -> None:
        for _ in range(ROUNDS):
            async with store.lock(conversation, wait_time_in_seconds=0.005):
                value = int(client.get(counter) or 0)
                await asyncio.sleep(0.002)
                client.set(counter, value + 1)

    asyncio.run(run())
    done.put(ROUNDS)


def test_redis_lock_admits_one_process_at_a_time(redis_server: Redis) -> None:
    conversation = f"race-{uuid.uuid4().hex[:8]}"
    counter = f"test-counter:{conversation}"
    context = multiprocessing.get_context("fork")
    done: multiprocessing.Queue = context.Queue()
    workers = [
        context.Process(target=_increment_under_lock, args=(redis_server.url, conversation, counter, done))
        for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    alive = [w for w in workers if w.is_alive()]
    for worker in alive:
        worker.kill()
    assert not alive, "lock holders still running after 120 s"
    assert [w.exitcode for w in workers] == [0] * PROCESSES
    client = redis.Redis.from_url(redis_server.url)
    assert int(client.get(counter) or 0) == PROCESSES * ROUNDS, "two processes held the lock at once"
    assert not client.exists("lock:" + conversation), "the last holder left its lock behind"


def _stored_sessions(store: ConversationTrackerStore) -> None:
    """Three conversations with sessions, restarts and a timestamp tie, saved by Rasa's own save."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import ActionExecuted, SessionStarted
    from rasa.shared.core.trackers import DialogueStateTracker

    for sender, starts in (("none", []), ("one", [3.0]), ("three", [2.0, 5.0, 5.0])):
        events = []
        for step in range(8):
            timestamp = float(step + 1)  # 0.0 would mean "now" to Rasa
            if timestamp in starts:
                events += [ActionExecuted("action_session_start", timestamp=timestamp)]
                events += [SessionStarted(timestamp=timestamp)]
            events += [ActionExecuted(f"utter_{sender}_{step}", timestamp=timestamp)]
            events += [ActionExecuted("action_listen", timestamp=timestamp)]
        asyncio.run(SQLTrackerStore.save(store, DialogueStateTracker.from_events(sender, events)))


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_latest_session_query_selects_rasas_rows(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    if database == "sqlite":
        url = f"sqlite:///{tmp_path / 'conversations.db'}"
    else:
        url = request.getfixturevalue("postgres").url
    monkeypatch.setenv(TRACKER_STORE_URL, url)
    store = ConversationTrackerStore(Domain.empty())
    with store.session_scope() as session:
        session.execute(store.SQLEvent.__table__.delete())
        session.commit()
    _stored_sessions(store)
    with store.session_scope() as session:
        for sender in ("none", "one", "three", "absent"):
            ours = session.execute(store._latest_session, {"sender_id": sender}).all()
            theirs = store._event_query(session, sender, fetch_events_from_all_sessions=False).all()
            assert [row.id for row in ours] == [row.id for row in theirs], sender
            assert [row.data for row in ours] == [row.data for row in theirs], sender
        assert len(session.execute(store._latest_session, {"sender_id": "three"}).all()) == 4 * 2 + 2
        last_session = session.execute(store._latest_session, {"sender_id": "one"}).all()
        last = last_session[-3].id
        from_id = session.execute(store._rows_from, {"sender_id": "one", "from_id": last}).all()
        assert [row.id for row in from_id] == [row.id for row in last_session[-3:]]
