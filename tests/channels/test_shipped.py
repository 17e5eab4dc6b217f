"""Every channel's conversations go where the shipped endpoints.yml puts them.

The channel stack runs credentials.yml and endpoints.yml as they are, with
TRACKER_STORE_URL at an SQLite file in the session's temporary folder: a
message through socket.io or Slack must be there afterwards, under its channel.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import socketio

from tests.channels.conftest import Channels
from tests.channels.fake_slack import message_event


def _user_events(channels: Channels, sender: str) -> list[dict[str, Any]]:
    """The conversation's user messages in the SQLite file; Rasa stores a turn when it ends,
    just after sending the reply, so they may take a moment."""
    deadline = time.monotonic() + 30  # generous: a loaded machine stores later
    while True:
        users = [e for e in channels.rasa.stored(sender) if e["event"] == "user"]
        if users or time.monotonic() > deadline:
            return users
        time.sleep(0.2)


def test_a_socketio_conversation_is_in_the_shipped_tracker_store(channels: Channels) -> None:
    session_id = f"stored-{uuid.uuid4().hex[:10]}"
    question = "How much does a product manager make?"

    async def converse() -> list[str]:
        replies: list[str] = []
        answered = asyncio.Event()
        client = socketio.AsyncClient(reconnection=False)

        @client.on("bot_uttered")
        async def bot_uttered(data: dict[str, Any]) -> None:
            replies.append(str(data.get("text", "")))
            answered.set()

        await client.connect(
            channels.rasa.base,
            headers={"Origin": channels.web.base},
            transports=["polling"],
            wait_timeout=20,
        )
        try:
            await client.emit("session_request", {"session_id": session_id})
            await client.emit("user_uttered", {"message": question, "session_id": session_id})
            await asyncio.wait_for(answered.wait(), 60)
        finally:
            await client.disconnect()
        return replies

    replies = asyncio.run(converse())
    assert any("$98,439" in r for r in replies)
    users = _user_events(channels, session_id)
    assert [(e["text"], e["input_channel"]) for e in users] == [(question, "socketio")]


def test_a_slack_conversation_is_in_the_shipped_tracker_store(channels: Channels) -> None:
    tag = uuid.uuid4().hex[:8].upper()
    user, dm = f"U{tag}", f"D{tag}"
    question = "How much does a production manager earn?"
    event = message_event(user, dm, question, f"{int(time.time())}.000001")
    event["event_id"] = f"Ev{tag}"  # test_slack.py's events take their ids from the time
    assert channels.slack.event(event)[0] == 200
    channels.slack_api.wait_for(dm, lambda p: "$73,786" in p.text)
    users = _user_events(channels, user)
    assert [(e["text"], e["input_channel"]) for e in users] == [(question, "slack")]
