"""The `events` rows of Rasa's SQL tracker store in a time window, read-only and in bounded pages.

The store may be the live database of a running server, so the reader
- opens SQLite with a `mode=ro` URI (a write fails in SQLite itself) and
  PostgreSQL in READ ONLY transactions;
- finds where the window starts by a binary search on the primary key
  (`window_start_after`), then reads keyset pages (`id > last id`, at most
  `page_size` rows), one short transaction each: no snapshot is held open
  across the whole read, which in SQLite's WAL mode would keep the server's
  log from being checkpointed, and no query scans the rows before the window.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa

from deploy.stores import tracker_store_url, with_timeouts

DEFAULT_PAGE_SIZE = 2000
DEFAULT_SINCE = "7d"
_SINCE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhd])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
CLOCK_MARGIN = timedelta(hours=1)

# The columns of Rasa's SQLTrackerStore.SQLEvent that the review reads (Rasa 3.6.21).
EVENTS = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("sender_id", sa.String),
    sa.column("type_name", sa.String),
    sa.column("timestamp", sa.Float),
    sa.column("data", sa.Text),
)


@dataclass(frozen=True)
class StoredEvent:
    """One row of `events`, its JSON parsed."""

    id: int
    sender_id: str
    type_name: str
    timestamp: float
    data: dict[str, Any]


class StoreError(Exception):
    """The tracker store cannot be read (no such file, no `events` table, refused)."""


def parse_since(text: str) -> timedelta:
    """`30m`, `12h`, `7d`: how far back the window reaches."""
    found = _SINCE.match(text)
    if not found:
        raise ValueError(f"--since {text!r}: a number and m, h or d, e.g. 30m, 12h, 7d")
    return timedelta(**{_UNITS[found.group(2)]: float(found.group(1))})


def window_start(since: timedelta, now: datetime | None = None) -> datetime:
    return (now or datetime.now(timezone.utc)) - since


def default_url() -> str:
    """The store the server uses: TRACKER_STORE_URL, or the SQLite file of `make run`."""
    return tracker_store_url()


def display_url(url: str) -> str:
    """The URL without its password, for a summary."""
    return sa.engine.make_url(url).render_as_string(hide_password=True)


def read_only_engine(url: str) -> sa.engine.Engine:
    """An engine through which nothing can be written."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database
        if not path or path == ":memory:":
            raise StoreError(f"{display_url(url)}: not an SQLite file")
        if not Path(path).is_file():
            raise StoreError(
                f"{path}: no such file (`make run` keeps its conversations there; "
                "set TRACKER_STORE_URL or --store for another store)"
            )
        uri = f"file:{quote(path)}?mode=ro"

        def connect() -> sqlite3.Connection:
            try:
                return sqlite3.connect(uri, uri=True)
            except sqlite3.OperationalError as error:
                raise StoreError(f"{path}: {error}") from error

        return sa.create_engine("sqlite://", creator=connect, poolclass=sa.pool.NullPool)
    # The same connect and keepalive timeouts as the server's store: a database
    # that does not answer fails the review in seconds.
    return sa.create_engine(with_timeouts(url), poolclass=sa.pool.NullPool)


def _page_query(page_size: int) -> sa.sql.Select:
    return (
        sa.select(EVENTS.c.id, EVENTS.c.sender_id, EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.data)
        .where(EVENTS.c.id > sa.bindparam("after"), EVENTS.c.timestamp >= sa.bindparam("since"))
        .order_by(EVENTS.c.id)
        .limit(page_size)
    )


@contextlib.contextmanager
def read_only(connection: sa.engine.Connection) -> Iterator[sa.engine.Connection]:
    """A transaction in which PostgreSQL refuses any write (an SQLite `mode=ro` file refuses them anyway)."""
    with connection.begin():
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")
        yield connection


def read_page(connection: sa.engine.Connection, query: sa.sql.Select, after: int, since: float) -> list[Any]:
    """One page in one short read-only transaction."""
    with read_only(connection):
        return list(connection.execute(query, {"after": after, "since": since}).all())


def window_start_after(connection: sa.engine.Connection, since: float) -> int:
    """An id after which the window's rows lie: a binary search on the primary key.

    A row's timestamp is read where it is found by id, so each probe is one
    index lookup; a window of the last week in a store of years does not scan
    the years. Each server writes its events in time order, so ids and
    timestamps rise together up to the clock skew between a cluster's servers:
    the search stops CLOCK_MARGIN before the window, and the pages' own
    `timestamp >=` condition keeps exactly the window.
    """
    target = since - CLOCK_MARGIN.total_seconds()
    first_at = (
        sa.select(EVENTS.c.timestamp).where(EVENTS.c.id >= sa.bindparam("at")).order_by(EVENTS.c.id).limit(1)
    )
    with read_only(connection):
        low, high = connection.execute(sa.select(sa.func.min(EVENTS.c.id), sa.func.max(EVENTS.c.id))).one()
        if low is None:
            return -1
        while low < high:
            middle = (low + high) // 2
            timestamp = connection.execute(first_at, {"at": middle}).scalar()
            if timestamp is not None and timestamp >= target:
                high = middle
            else:
                low = middle + 1
    return low - 1


def read_events(
    url: str, since: datetime | None = None, page_size: int = DEFAULT_PAGE_SIZE
) -> Iterator[StoredEvent]:
    """Every row stored at or after `since` (all rows when None), in id order, a page at a time."""
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    engine = read_only_engine(url)
    query = _page_query(page_size)
    since_timestamp = since.timestamp() if since else float("-inf")
    try:
        with engine.connect() as connection:
            with _as_store_errors(url):
                after = window_start_after(connection, since_timestamp) if since is not None else -1
            while True:
                with _as_store_errors(url):
                    rows = read_page(connection, query, after, since_timestamp)
                for row in rows:
                    yield StoredEvent(
                        id=row.id,
                        sender_id=row.sender_id,
                        type_name=row.type_name,
                        timestamp=row.timestamp or 0.0,
                        data=_parse(row.data),
                    )
                if len(rows) < page_size:
                    return
                after = rows[-1].id
    finally:
        engine.dispose()


@contextlib.contextmanager
def _as_store_errors(url: str) -> Iterator[None]:
    """A database's refusal (no such table, unreachable, denied) as a StoreError naming the store."""
    try:
        yield
    except (sa.exc.OperationalError, sa.exc.ProgrammingError) as error:
        raise StoreError(f"{display_url(url)}: {error.orig}") from error


def _parse(data: str | None) -> dict[str, Any]:
    try:
        parsed = json.loads(data or "{}")
    except json.JSONDecodeError:
        return {}
    return parsed if isinstance(parsed, dict) else {}
