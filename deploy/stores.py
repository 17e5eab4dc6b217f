"""The tracker store and lock store that endpoints.yml names, set by the environment.

- TRACKER_STORE_URL: an SQLAlchemy URL, e.g. postgresql://rasa:secret@db:5432/rasa.
  Unset or empty: SQLite in var/conversations.db, so one server keeps its
  conversations across restarts with no service to run.
- REDIS_URL: e.g. redis://:secret@redis:6379/0 (rediss:// for TLS). Unset or empty:
  locks held in the Rasa process, which is enough for exactly one Rasa server.

Rasa expands `${VAR}` in endpoints.yml itself, but refuses to start when a variable
is unset, so every command that reads endpoints.yml (run, shell, test core, ...)
would depend on a start script exporting defaults. These classes read the
environment themselves and fall back to the single-machine defaults.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy.orm import Session, sessionmaker

import rasa_patches
from deploy import recent_tracker
from deploy.sqlite_checkpoints import BackgroundCheckpoints

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = ROOT / "var" / "conversations.db"
TRACKER_STORE_URL = "TRACKER_STORE_URL"
REDIS_URL = "REDIS_URL"
LOCK_KEY_PREFIX = "lock:"
# A WATCH transaction is retried only when another server changed the same
# conversation's lock in between, which takes microseconds; this many conflicts
# in a row means something is wrong, not busy.
MAX_TRANSACTION_ATTEMPTS = 100
# libpq settings that bound how long a database call can block. Rasa's SQL store
# runs synchronously in the event loop, so one hung call stalls every
# conversation of the process: a database that does not answer (a network
# partition rather than a refusal) must fail within seconds, not TCP's minutes.
# Connecting: 5 s. A connection whose server went silent: dropped after ~25 s,
# by keepalive probes when idle and by tcp_user_timeout when a query is unanswered.
# A value set in TRACKER_STORE_URL's query string wins.
POSTGRES_TIMEOUTS = {
    "connect_timeout": "5",
    "keepalives": "1",
    "keepalives_idle": "10",
    "keepalives_interval": "5",
    "keepalives_count": "3",
    "tcp_user_timeout": "25000",
}

Result = TypeVar("Result")


def tracker_store_url(environ: dict[str, str] | None = None) -> str:
    """The SQLAlchemy URL of the tracker store for this environment."""
    env = os.environ if environ is None else environ
    url = env.get(TRACKER_STORE_URL, "").strip()
    if not url:
        return f"sqlite:///{DEFAULT_SQLITE_PATH}"
    # SQLAlchemy 1.4 dropped the `postgres://` spelling that many hosts still hand out.
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    return url


def redis_url(environ: dict[str, str] | None = None) -> str | None:
    """The Redis URL of the lock store, or None for in-process locks."""
    env = os.environ if environ is None else environ
    return env.get(REDIS_URL, "").strip() or None


def with_timeouts(url: str) -> str:
    """`url` with POSTGRES_TIMEOUTS added when it is a psycopg2 PostgreSQL URL."""
    parsed = sa.engine.make_url(url)
    # The parameter names are libpq's; other drivers (asyncpg, pg8000) would refuse them.
    if parsed.drivername not in ("postgresql", "postgresql+psycopg2"):
        return url
    missing = {key: value for key, value in POSTGRES_TIMEOUTS.items() if key not in parsed.query}
    return parsed.update_query_dict(missing).render_as_string(hide_password=False)


def _sqlite_wal(connection: Any, _record: Any) -> None:
    """SQLite in write-ahead-log mode: a commit appends to the log instead of rewriting pages."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL syncs at checkpoints, not at every commit: a commit survives
    # any crash of the process (a restart loses nothing) and only an operating-system
    # crash or power cut can undo the last ones. The database is never corrupted.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def event_queries(events: sa.Table) -> tuple[sa.sql.Select, sa.sql.Select]:
    """The two reads of `retrieve`, built once: SQLAlchemy reuses a statement's cache key
    and compiled SQL, where building one per call cost more than the query.

    - rows of `sender_id` from id `from_id` on;
    - rows of `sender_id`'s latest session, the rows Rasa's SQLTrackerStore._event_query
      selects (Rasa 3.6.21): those at or after the latest SessionStarted's timestamp,
      or all of them when there is none.
    Both give (id, type_name, timestamp, data), ordered by id.
    """
    columns = (events.c.id, events.c.type_name, events.c.timestamp, events.c.data)
    sender = events.c.sender_id == sa.bindparam("sender_id")
    from_id = events.c.id >= sa.bindparam("from_id")
    rows_from = sa.select(*columns).where(sender, from_id).order_by(events.c.id)
    session_start = (
        sa.select(sa.func.max(events.c.timestamp))
        .where(sender, events.c.type_name == SessionStarted.type_name)
        .scalar_subquery()
    )
    latest_session = (
        sa.select(*columns)
        .where(sender, sa.or_(events.c.timestamp >= session_start, session_start.is_(None)))
        .order_by(events.c.id)
    )
    return rows_from, latest_session


def event_row(sender_id: str, event: Event) -> dict[str, Any]:
    """The `events` row of `event`, column for column as Rasa's SQLTrackerStore.save fills it."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


class ConversationTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store on TRACKER_STORE_URL, or on SQLite in var/.

    Each message reads only the rows stored since the conversation's previous
    message and hands Rasa the latest turns with the slots before them
    (deploy/recent_tracker.py); what is stored, and how, is Rasa's.
    """

    engine: sa.engine.Engine

    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        event_broker: EventBroker | None = None,
        **kwargs: Any,
    ) -> None:
        # Rasa builds the tracker store before the agent and its model, in `rasa
        # run` and `rasa shell` alike: the earliest place to patch Rasa from.
        rasa_patches.install()
        url = tracker_store_url()
        if url.startswith("sqlite:///"):
            # SQLite creates the file but not the folder it goes in.
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        url = with_timeouts(url)
        # A URL with a scheme is passed to SQLAlchemy as it is (SQLTrackerStore.get_db_url).
        # Rasa tries to create the tables here, and only here: when the database
        # is down at start it logs "Could not create tables" and carries on.
        super().__init__(domain=domain, host=url, event_broker=event_broker, **kwargs)
        # Rasa builds its engine without pre-ping, so after a database restart
        # each pooled connection would fail one message before being replaced
        # (a server database; an SQLite file has no server to restart).
        started_engine = self.engine
        self.checkpoints: BackgroundCheckpoints | None = None
        if started_engine.dialect.name == "sqlite":
            # SQLAlchemy 1.4 opens and closes an SQLite connection for every session
            # (NullPool): two a message, and in WAL mode the close of the last one
            # checkpoints the log into the database, with its fsyncs. One connection
            # kept open instead; Rasa uses the store from its event loop's thread only.
            self.engine = sa.create_engine(
                started_engine.url,
                poolclass=sa.pool.QueuePool,
                pool_size=1,
                max_overflow=4,
                connect_args={"check_same_thread": False},
            )
            sa.event.listen(self.engine, "connect", _sqlite_wal)
            database = started_engine.url.database
            if database and database != ":memory:":
                self.checkpoints = BackgroundCheckpoints(database)
        else:
            self.engine = sa.create_engine(
                started_engine.url, pool_pre_ping=True, **create_engine_kwargs(url)
            )
        started_engine.dispose()
        self.recent = recent_tracker.RecentConversations()
        self._rows_from, self._latest_session = event_queries(self.SQLEvent.__table__)
        self._insert = self.SQLEvent.__table__.insert()
        self.sessionmaker = sessionmaker(bind=self.engine)
        # Whether Rasa's attempt at start succeeded is only logged, so check again on first use.
        self._tables_created = False
        # repr() of an SQLAlchemy URL hides the password.
        logger.info("Tracker store: %r", self.engine.url)

    def _ensure_tables(self) -> None:
        # Without this, a database that was down when Rasa started (and never had
        # the tables) fails every message with "relation does not exist" until a
        # restart. create_all only creates what is missing; a failure here (still
        # down) fails this message like any other database error, and the next
        # message tries again.
        if not self._tables_created:
            self.Base.metadata.create_all(self.engine)
            with super().session_scope():
                pass  # Rasa's check of POSTGRESQL_SCHEMA, which exits when it is missing
            self._tables_created = True

    @contextlib.contextmanager
    def session_scope(self) -> Iterator[Session]:
        self._ensure_tables()
        with super().session_scope() as session:
            yield session

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sa.engine.Connection]:
        """One connection and transaction, without the ORM session.

        Every message reads and writes with prebuilt statements only, and the
        session's set-up and unit of work cost more than those (docs/benchmarks.md).
        """
        self._ensure_tables()
        with self.engine.begin() as connection:
            yield connection

    def _windowed(self) -> bool:
        # An event broker diffs what it retrieves against what is saved: Rasa's way, then.
        return self.event_broker is None

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest session's tracker, its last turns and slots (see deploy/recent_tracker.py)."""
        if not self._windowed():
            return await super().retrieve(sender_id)
        with self._transaction() as connection:
            recent = self.recent.get(sender_id)
            if recent is not None:
                newer = connection.execute(
                    self._rows_from, {"sender_id": sender_id, "from_id": recent.last_id}
                )
                if not recent_tracker.catch_up(recent, newer.all()):
                    recent = None
            if recent is None:
                rows = connection.execute(self._latest_session, {"sender_id": sender_id}).all()
                recent = recent_tracker.load(sender_id, rows, self.domain.slots)
        if recent is None:
            self.recent.forget(sender_id)
            self.recent.absent(sender_id)
            return None
        self.recent.was_absent(sender_id)
        self.recent.put(sender_id, recent)
        tracker = recent_tracker.hand_out(recent, self.domain.slots)
        recent_tracker.mark_stored(tracker, self)
        return tracker

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        # Every session, for Rasa's HTTP API: Rasa's way, and whatever is saved from it is counted.
        self.recent.was_absent(conversation_id)
        return await super().retrieve_full_tracker(conversation_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        stored = recent_tracker.stored_count(tracker, self)
        if stored is None and self.recent.was_absent(tracker.sender_id):
            # The tracker Rasa creates when `retrieve` found no conversation: nothing
            # of it is stored yet (Rasa would count the rows to learn that, twice).
            recent_tracker.mark_stored(tracker, self, 0)
            stored = 0
        await self.stream_events(tracker)
        if stored is None:
            # A tracker from elsewhere (Rasa's HTTP API, an event broker): Rasa counts
            # the session's stored rows to find the new events, and writes them.
            with self.session_scope() as session:
                self._insert_rows(session, super()._additional_events(session, tracker), tracker.sender_id)
                session.commit()
            self._saved()
        else:
            # A tracker this store handed out: the events added since.
            with self._transaction() as connection:
                self._insert_rows(
                    connection, itertools.islice(tracker.events, stored, None), tracker.sender_id
                )
            recent_tracker.mark_stored(tracker, self)
            self._saved()

    def _saved(self) -> None:
        if self.checkpoints is not None:
            self.checkpoints.saved()

    def _insert_rows(
        self, connection: Session | sa.engine.Connection, events: Iterable[Event], sender_id: str
    ) -> None:
        rows = [event_row(sender_id, event) for event in events]
        if rows:
            # The rows Rasa's SQLTrackerStore.save writes (Rasa 3.6.21), in one
            # executemany instead of one ORM object each: the ORM's unit of work
            # cost more than the database did (docs/benchmarks.md).
            connection.execute(self._insert, rows)


class ConversationLockStore(LockStore):
    """Rasa's ticket lock, in Redis when REDIS_URL is set, changed atomically.

    Rasa's own RedisLockStore reads a conversation's lock, changes it and writes it
    back in separate commands. Two servers that receive messages for the same
    conversation at the same moment can then both take the first ticket and process
    both messages at once, and a server finishing its turn can write back a ticket
    that another server has just removed (RasaHQ/rasa#9213; the fix,
    ConcurrentRedisLockStore, is Rasa Pro only). Here every change to a lock is one
    Redis transaction (WATCH/MULTI/EXEC), retried when another server changed the
    lock in between, and an empty lock is deleted in that same transaction.
    """

    def __init__(self, endpoint_config: EndpointConfig | None = None) -> None:
        url = redis_url()
        self._memory: dict[str, str] = {}
        self._redis: Any = None
        if url:
            import redis

            self._redis = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=10)
            # Fail at start-up, not on the first message, when Redis is unreachable.
            self._redis.ping()
        logger.info("Lock store: %s", "Redis" if self._redis else "in process (one Rasa server only)")
        super().__init__()

    def _key(self, conversation_id: str) -> str:
        return LOCK_KEY_PREFIX + conversation_id

    @staticmethod
    def _decode(conversation_id: str, raw: bytes | str | None) -> TicketLock:
        if not raw:
            return TicketLock(conversation_id)
        return TicketLock.from_dict(json.loads(raw))

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        if self._redis is None:
            raw: bytes | str | None = self._memory.get(conversation_id)
        else:
            raw = self._redis.get(self._key(conversation_id))
        return self._decode(conversation_id, raw) if raw else None

    def delete_lock(self, conversation_id: str) -> None:
        if self._redis is None:
            self._memory.pop(conversation_id, None)
        else:
            self._redis.delete(self._key(conversation_id))

    def save_lock(self, lock: TicketLock) -> None:
        def replace(stored: TicketLock) -> None:
            stored.tickets = deque(lock.tickets)

        self._change(lock.conversation_id, replace)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return self._change(conversation_id, lambda lock: lock.issue_ticket(lock_lifetime))
        except Exception as error:
            raise LockError(f"Error while acquiring lock for {conversation_id!r}: {error}") from error

    def update_lock(self, conversation_id: str) -> None:
        self._change(conversation_id, lambda lock: lock.remove_expired_tickets())

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # The base class checks for waiters and deletes in separate steps, which can
        # delete a ticket issued in between; `_change` deletes only an empty lock.
        self.finish_serving(conversation_id, ticket_number)

    def _change(self, conversation_id: str, change: Callable[[TicketLock], Result]) -> Result:
        """Apply `change` to the stored lock as one atomic step, and return its result."""
        if self._redis is None:
            # One event loop per Rasa process and no await in here: already atomic.
            lock = self._decode(conversation_id, self._memory.get(conversation_id))
            result = change(lock)
            lock.remove_expired_tickets()
            if lock.tickets:
                self._memory[conversation_id] = lock.dumps()
            else:
                self._memory.pop(conversation_id, None)
            return result
        return self._change_in_redis(conversation_id, change)

    def _change_in_redis(self, conversation_id: str, change: Callable[[TicketLock], Result]) -> Result:
        import redis

        key = self._key(conversation_id)
        with self._redis.pipeline(transaction=True) as pipe:
            for _ in range(MAX_TRANSACTION_ATTEMPTS):
                try:
                    pipe.watch(key)
                    lock = self._decode(conversation_id, pipe.get(key))
                    result = change(lock)
                    lock.remove_expired_tickets()
                    pipe.multi()
                    if lock.tickets:
                        # Expire with the last ticket, so the lock of a server that died
                        # holding it does not stay in Redis for ever.
                        ttl_ms = int((max(t.expires for t in lock.tickets) - time.time()) * 1000)
                        pipe.set(key, lock.dumps(), px=max(ttl_ms, 1))
                    else:
                        pipe.delete(key)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue
        raise LockError(
            f"The lock of {conversation_id!r} changed under {MAX_TRANSACTION_ATTEMPTS} transactions in a row."
        )
