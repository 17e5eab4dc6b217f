"""A long conversation through the project's tracker store and through Rasa's own, side by side.

Two real Rasa servers with the same model, channel and action server: one with
endpoints.yml's store (ConversationTrackerStore, which hands Rasa the latest
turns, deploy/recent_tracker.py), one with Rasa's stock SQLTrackerStore, each
on its own SQLite file. The same 60-turn conversation of follow-ups, clarifying
questions, out-of-scope and nonsense text goes to both: every reply is the same,
and so is every stored event (type, action, intent, slot values, bot text).
"""

from __future__ import annotations

import json
import sqlite3
import tarfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from deploy import recent_tracker
from local_stack.servers import MODEL, ActionServer, RasaServer, shipped_endpoints
from tests.scaled.helpers import post

QUESTIONS = [
    "How much does a production manager earn?",
    "and product managers?",
    "what about their education?",
    "where does that come from?",
    "which certifications do they get?",
    "what's the salary?",
    "Production manager",
    "what's the job outlook?",
    "how much does a project manager make?",
    "what skills do they need?",
    "asdf qwerty zxcv",
    "thanks!",
    "compare the work environment",
    "hi",
    "are you a bot?",
]
TURNS = 60


def _stored(path: Path, sender: str) -> list[tuple[object, ...]]:
    """Every stored event, without what differs between two runs (ids, times, model ids)."""
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT type_name, intent_name, action_name, data FROM events WHERE sender_id = ? ORDER BY id",
            (sender,),
        ).fetchall()
    kept: list[tuple[object, ...]] = []
    for type_name, intent, action, data in rows:
        event = json.loads(data)
        kept.append((type_name, intent, action, event.get("name"), event.get("value"), event.get("text")))
    return kept


def test_longest_rule_fits_in_the_window() -> None:
    with tarfile.open(MODEL) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith("RulePolicy0/rule_policy.json"))
        extracted = archive.extractfile(member)
        assert extracted is not None
        lookup = json.load(extracted)["lookup"]
    # Each user turn adds at least one state; RulePolicy compares a rule's states only.
    longest = max(len(json.loads(key)) for key in lookup["rules"])
    assert longest < recent_tracker.WINDOW_TURNS
    assert not lookup["rule_only_loops"]


def test_long_conversation_same_replies_and_events_as_rasas_store(
    actions: ActionServer, scaled_workdir: Path
) -> None:
    folder = scaled_workdir / "recent"
    folder.mkdir()
    ours_db, rasa_db = folder / "ours.db", folder / "rasa.db"
    # Both with credentials.yml; ours with endpoints.yml as it is, Rasa's with its
    # SQL tracker store in endpoints.yml's place.
    ours = RasaServer(folder, actions.url, database=ours_db)
    rasa = RasaServer(
        folder,
        actions.url,
        endpoints=shipped_endpoints(tracker_store={"type": "SQL", "dialect": "sqlite", "db": str(rasa_db)}),
        database=folder / "unused.db",
    )
    sender = f"long-{uuid.uuid4().hex[:10]}"
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            for future in [pool.submit(ours.start), pool.submit(rasa.start)]:
                future.result()
        for turn in range(TURNS):
            message = QUESTIONS[turn % len(QUESTIONS)]
            mine, theirs = post(ours.base, sender, message), post(rasa.base, sender, message)
            assert mine.raw == theirs.raw, (turn, message)
    finally:
        ours.stop()
        rasa.stop()
    stored = _stored(ours_db, sender)
    assert stored == _stored(rasa_db, sender)
    assert not (folder / "unused.db").exists()  # Rasa's store read no TRACKER_STORE_URL
    assert sum(1 for event in stored if event[0] == "user") == TURNS
