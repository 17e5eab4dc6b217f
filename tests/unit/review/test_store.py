"""review/store.py on a file Rasa's SQLTrackerStore wrote: every row once, read-only, the window."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from review import store
from tests.unit.review.conftest import HOUR, Talk, save


def talks(now: float) -> list[Talk]:
    old = Talk("old", now - 10 * 24 * HOUR).user("hello", "greet").bot("Hi!", "small_talk")
    recent = Talk("recent", now - HOUR).user("what do they earn?").bot("About $100k.")
    other = Talk("other", now - 2 * HOUR).user("asdfgh", "nlu_fallback", 0.4).bot("Sorry?", "fallback")
    return [old, recent, other]


def stored_ids(path: Path) -> list[int]:
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT id FROM events ORDER BY id")]


def test_reads_every_row_once_in_id_order_whatever_the_page_size(database: Path, now: float) -> None:
    save(database, talks(now))
    url = f"sqlite:///{database}"
    expected = stored_ids(database)
    for page_size in (1, 3, 2000):
        assert [event.id for event in store.read_events(url, None, page_size)] == expected


def test_parses_rasas_json(database: Path, now: float) -> None:
    save(database, talks(now))
    events = list(store.read_events(f"sqlite:///{database}", None, 3))
    users = [e for e in events if e.type_name == "user"]
    assert {e.data["text"] for e in users} == {"hello", "what do they earn?", "asdfgh"}
    bot = next(e for e in events if e.type_name == "bot" and e.sender_id == "other")
    assert bot.data["metadata"]["answer"]["kind"] == "fallback"


def test_the_window_leaves_out_older_rows(database: Path, now: float) -> None:
    save(database, talks(now))
    since = datetime.fromtimestamp(now, timezone.utc) - timedelta(days=7)
    senders = {e.sender_id for e in store.read_events(f"sqlite:///{database}", since, 3)}
    assert senders == {"recent", "other"}


def test_a_write_through_the_readers_connection_fails(database: Path, now: float) -> None:
    save(database, talks(now))
    engine = store.read_only_engine(f"sqlite:///{database}")
    with pytest.raises(sa.exc.OperationalError, match="readonly"), engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM events")
    assert len(stored_ids(database)) == len(list(store.read_events(f"sqlite:///{database}")))


def test_a_missing_file_is_an_error_and_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nothing.db"
    with pytest.raises(store.StoreError):
        list(store.read_events(f"sqlite:///{missing}"))
    assert not missing.exists()


def test_a_file_without_the_events_table_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    with pytest.raises(store.StoreError, match="events"):
        list(store.read_events(f"sqlite:///{empty}"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", timedelta(days=7)),
        ("12h", timedelta(hours=12)),
        ("30m", timedelta(minutes=30)),
        (" 1.5d ", timedelta(hours=36)),
    ],
)
def test_since(text: str, expected: timedelta) -> None:
    assert store.parse_since(text) == expected


@pytest.mark.parametrize("text", ["7", "d", "7w", "-1d", ""])
def test_since_refuses_other_forms(text: str) -> None:
    with pytest.raises(ValueError):
        store.parse_since(text)


def test_the_default_store_is_the_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKER_STORE_URL", raising=False)
    assert store.default_url().endswith("var/conversations.db")
    monkeypatch.setenv("TRACKER_STORE_URL", "postgres://rasa:secret@db:5432/rasa")
    assert store.default_url() == "postgresql://rasa:secret@db:5432/rasa"
    assert "secret" not in store.display_url(store.default_url())


def test_the_window_starts_by_binary_search_not_by_a_scan(database: Path, now: float) -> None:
    old = Talk("old", now - 10 * 24 * HOUR)
    for number in range(40):
        old.user(f"old question {number}").bot("An old answer.")
    recent = Talk("recent", now - HOUR).user("what do they earn?").bot("About $100k.")
    save(database, [old, recent])
    url = f"sqlite:///{database}"
    engine = store.read_only_engine(url)
    since = now - 7 * 24 * HOUR
    with engine.connect() as connection:
        after = store.window_start_after(connection, since)
    engine.dispose()
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT id, timestamp FROM events ORDER BY id").fetchall()
    # Every row up to `after` is older than the window, every row after it is in it.
    assert all(timestamp < since for row_id, timestamp in rows if row_id <= after)
    assert all(timestamp >= since for row_id, timestamp in rows if row_id > after)
    assert after > 0


def test_rows_a_little_out_of_time_order_are_all_read(database: Path, now: float) -> None:
    # Two servers of a cluster whose clocks differ by minutes: ids and timestamps disagree a little.
    since = now - 24 * HOUR
    talks = [
        Talk(f"c{number}", since + (60 if number % 2 else -60) * 10).user("hi", "greet")
        for number in range(9)
    ]
    save(database, talks)
    read = {
        e.sender_id
        for e in store.read_events(f"sqlite:///{database}", datetime.fromtimestamp(since, timezone.utc), 2)
    }
    assert read == {f"c{number}" for number in range(1, 9, 2)}
