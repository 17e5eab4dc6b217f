"""The embedded default: one Rasa server on SQLite keeps a conversation through a
hard kill (SIGKILL) and a restart, follow-up context included."""

from __future__ import annotations

import uuid
from pathlib import Path

from local_stack.servers import RasaServer
from tests.scaled.helpers import (
    assert_complete_turn,
    post,
    slots_after,
    split_turns,
    stored_events,
)


def test_conversation_survives_a_hard_kill_and_restart(installed: None, scaled_workdir: Path) -> None:
    # `make run`'s form: credentials.yml, endpoints.yml (the actions in the Rasa server)
    # and SQLite (var/conversations.db there), here in this test's own folder.
    server = RasaServer(scaled_workdir, database=scaled_workdir / "sqlite" / "conversations.db")
    url = server.tracker_store_url
    sender = f"restart-{uuid.uuid4().hex[:10]}"
    try:
        server.start()
        before = [
            post(server.base, sender, "What skills does a product manager need?"),
            post(server.base, sender, "and production managers?"),
        ]
        assert "marketing" in before[0].text
        assert "quality control" in before[1].text

        server.kill()
        server.start()

        after = [
            post(server.base, sender, "what about their education?"),
            post(server.base, sender, "and product managers?"),
            post(server.base, sender, "where does that come from?"),
        ]
    finally:
        server.stop()

    # Role (production) and topic (education) carried over the restart.
    assert "engineering" in after[0].text and "production manager" in after[0].text.lower()
    assert "marketing" in after[1].text and "engineering" not in after[1].text
    assert "paragraph 9" in after[2].text

    events = stored_events(url, [sender])[sender]
    turns = split_turns(events)
    replies = before + after
    assert [t.user for t in turns] == [
        "What skills does a product manager need?",
        "and production managers?",
        "what about their education?",
        "and product managers?",
        "where does that come from?",
    ]
    for turn, reply in zip(turns, replies, strict=True):
        assert_complete_turn(turn, reply)
    # The restarted server started no new session: one conversation, one history.
    assert sum(e["event"] == "session_started" for e in events) == 1
    assert slots_after(turns[1].events)["role"] != slots_after(turns[0].events)["role"]
