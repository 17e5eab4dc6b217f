"""`make review` on PostgreSQL: conversations through REST into a Rasa server on a database
of its own, read back through TRACKER_STORE_URL in read-only transactions and in pages."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from local_stack.processes import ROOT
from local_stack.servers import ActionServer, RasaServer
from local_stack.services import Postgres
from review import store
from tests.unit.review.conftest import Page

CONVERSATIONS = {
    "fallback": ["asdfgh"],
    "feedback": ["how much do they earn?", "that's not what I asked"],
    "uncovered": ["what is the job outlook for production managers?"],
}


@pytest.fixture(scope="module")
def review_database(postgres: Postgres) -> Iterator[str]:
    """A database of its own on the session's server, so the counts are this file's alone."""
    name = f"review_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(postgres.url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    engine.dispose()
    yield postgres.url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="module")
def talked(review_database: str, actions: ActionServer, scaled_workdir: Path) -> Iterator[str]:
    server = RasaServer(scaled_workdir, actions.url, env={"TRACKER_STORE_URL": review_database}).start()
    try:
        for name, messages in CONVERSATIONS.items():
            sender = f"review-{name}-{uuid.uuid4().hex[:8]}"
            for message in messages:
                assert server.send(sender, message)
    finally:
        server.stop()
    yield review_database


def test_make_review_reads_tracker_store_url(talked: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scripts.review", "--out", str(tmp_path)],
        cwd=ROOT,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TRACKER_STORE_URL": talked},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "3 conversations, 4 messages, 1 fallbacks, 1 negative feedback" in result.stdout, result.stdout
    # The URL in the summary, never its password.
    assert "postgresql://rasa:***@" in result.stdout
    page = Page()
    page.feed((tmp_path / "index.html").read_text(encoding="utf-8"))
    assert "asdfgh" in page.sections["fallback"]
    assert "how much do they earn?" in page.sections["negative_feedback"]
    assert "what is the job outlook for production managers?" in page.sections["uncovered"]


def test_pages_read_every_row_once(talked: str) -> None:
    engine = sa.create_engine(talked)
    with engine.connect() as connection:
        ids = [row[0] for row in connection.exec_driver_sql("SELECT id FROM events ORDER BY id")]
    engine.dispose()
    assert [event.id for event in store.read_events(talked, None, page_size=3)] == ids


def test_a_write_in_the_readers_transaction_fails(talked: str) -> None:
    engine = store.read_only_engine(talked)
    try:
        with (
            pytest.raises(sa.exc.InternalError, match="read-only transaction"),
            engine.connect() as connection,
            store.read_only(connection),
        ):
            connection.exec_driver_sql("DELETE FROM events")
    finally:
        engine.dispose()
    assert list(store.read_events(talked, None))
