"""The tracker store (PostgreSQL) unavailable at start and in the middle of a conversation.

What Rasa 3.6's SQL tracker store does when the database is not there at start:
it logs "Could not create tables: ... Connection refused" and starts anyway (no
crash loop); it does not try to create the tables again later.

1. The database is down when Rasa starts: a clear log line, the server comes
   up, and each message gets a quick 503 with an apology asking to send it
   again (nothing was kept); the process stays up.
2. The database comes back: the conversation works, without a restart.
3. The database goes down mid-conversation: the same 503 and apology; back,
   the message sent again is answered and the conversation carries on from
   its last answer. The database holds every answered message, once.

These servers run without --enable-api, as `make run` does: the HTTP API is not there.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore

from connectors.guard import STORE_APOLOGY
from local_stack.processes import free_port, stop_process
from local_stack.servers import MODEL, ActionServer, RasaServer
from local_stack.services import INSTALL_HINT, Postgres, missing_services
from tests.hardening.conftest import hardened_endpoints, new_sender, post, texts


def _user_texts(database: Postgres, sender: str) -> list[str]:
    import psycopg2

    connection = psycopg2.connect(
        host="127.0.0.1", port=database.port, user="rasa", password=database.password, dbname="rasa"
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT data FROM events WHERE sender_id = %s AND type_name = 'user' ORDER BY id", (sender,)
            )
            return [json.loads(data)["text"] for (data,) in cursor.fetchall()]
    finally:
        connection.close()


@pytest.fixture(scope="module")
def actions(hardening_workdir: Path) -> Iterator[ActionServer]:
    if missing_services():
        pytest.fail(f"{', '.join(missing_services())} missing: {INSTALL_HINT}")
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first")
    server = ActionServer(hardening_workdir).start()
    yield server
    server.stop()


def _rasa(workdir: Path, actions: ActionServer, database: Postgres) -> RasaServer:
    return RasaServer(
        workdir,
        actions.url,
        # endpoints.yml with the suite's short action timeout, credentials.yml as it is.
        endpoints=hardened_endpoints(),
        env={"TRACKER_STORE_URL": database.url},
    )


def _say(rasa: RasaServer, sender: str, message: str) -> tuple[int, Any]:
    body = json.dumps({"sender": sender, "message": message}).encode()
    return post(f"{rasa.base}/webhooks/rest/webhook", body, timeout=60)


def _answered_after_retries(rasa: RasaServer, sender: str, message: str) -> Any:
    """Sends `message` until it is answered (a pooled connection may fail once after an outage)."""
    for _ in range(3):
        status, replies = _say(rasa, sender, message)
        if status == 200:
            return replies
        assert status == 503 and texts(replies) == STORE_APOLOGY
        time.sleep(1)
    raise AssertionError(f"{message!r} not answered after the database came back")


def _assert_unavailable_reply(rasa: RasaServer, sender: str, message: str) -> None:
    started = time.monotonic()
    status, replies = _say(rasa, sender, message)
    assert status == 503
    assert texts(replies) == STORE_APOLOGY
    # Not hung on the store: bounded generously (the store's connect timeout is 5 s,
    # deploy/stores.py; a loaded machine may add more), within _say's 60 s.
    assert time.monotonic() - started < 45
    assert rasa.process is not None and rasa.process.poll() is None


def test_tracker_store_down_at_start_and_mid_conversation(
    hardening_workdir: Path, actions: ActionServer
) -> None:
    database = Postgres(port=free_port()).start()
    rasa = _rasa(hardening_workdir, actions, database)
    try:
        # The tables exist, as on any database Rasa has used before; then the database goes down.
        engine = sa.create_engine(database.url)
        SQLTrackerStore.Base.metadata.create_all(engine)
        engine.dispose()
        stop_process(database.process, signal.SIGINT)

        # 1. Down at start: a clear log line, no exit, a clear reply.
        rasa.start(timeout=600)
        log = rasa.log.read_text()
        assert "Could not create tables" in log and "Connection refused" in log
        sender = new_sender("db")
        for _ in range(3):
            _assert_unavailable_reply(rasa, sender, "How much does a production manager earn?")
        assert "Could not handle a message of conversation" in rasa.log.read_text()

        # 2. Back: answered without a restart.
        database.restart()
        replies = _answered_after_retries(rasa, sender, "How much does a production manager earn?")
        assert "$73,786" in texts(replies)

        # 3. Down mid-conversation, then back: the message sent again carries the conversation on.
        stop_process(database.process, signal.SIGINT)
        _assert_unavailable_reply(rasa, sender, "and product managers?")
        database.restart()
        replies = _answered_after_retries(rasa, sender, "and product managers?")
        assert "$98,439" in texts(replies)
        assert _user_texts(database, sender) == [
            "How much does a production manager earn?",
            "and product managers?",
        ]

        # Rasa's HTTP API is off unless --enable-api is given.
        for path in (f"/conversations/{sender}/tracker", "/model", "/status"):
            assert post(f"{rasa.base}{path}", b"{}")[0] in (404, 405)
        assert database.password not in rasa.log.read_text()
    finally:
        rasa.stop()
        database.stop()


def test_first_start_with_the_database_down_recovers_once_it_is_up(
    hardening_workdir: Path, actions: ActionServer
) -> None:
    database = Postgres(port=free_port())  # a new database, never started: no tables
    rasa = _rasa(hardening_workdir, actions, database)
    try:
        rasa.start(timeout=600)
        sender = new_sender("first")
        _assert_unavailable_reply(rasa, sender, "How much does a product manager make?")
        database.start()
        assert "$98,439" in texts(
            _answered_after_retries(rasa, sender, "How much does a product manager make?")
        )
    finally:
        rasa.stop()
        database.stop()
