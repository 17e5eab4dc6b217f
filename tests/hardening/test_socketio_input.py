"""Bad input through the socket.io channel (connectors/socketio.py, as it stands).

The channel hands its text to Rasa unchecked; the agent-level guard
(connectors.guard.guard_agent, installed by the REST channel at start) is
what every message passes. One client connection (long-polling, like the
widget's first transport) is shared by the module: each case asks for its own
session and waits for that session's replies.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from connectors.guard import EMPTY_REPLY
from connectors.socketio import UNREADABLE_REPLY
from local_stack.socketio_client import SocketIOClient
from rasa_patches.action_endpoint import ACTION_APOLOGY
from tests.hardening.conftest import Stack
from tests.hardening.test_rest_input import nested


@pytest.fixture(scope="module")
def client(stack: Stack) -> Iterator[SocketIOClient]:
    connected = SocketIOClient(stack.rasa.base, stack.web.base).connect()
    yield connected
    connected.close()


def test_a_normal_question_is_answered(client: SocketIOClient) -> None:
    assert any("$98,439" in t for t in client.ask("How much does a product manager make?"))


@pytest.mark.parametrize("message", ["", "   ", "\n\t", "\x00\x07"])
def test_empty_text_gets_a_prompt(client: SocketIOClient, message: str) -> None:
    assert client.ask(message) == [EMPTY_REPLY]


def test_a_100_kb_message_is_refused_with_a_reply_and_the_server_stays_responsive(
    client: SocketIOClient,
) -> None:
    # Unguarded, this one message took the Rasa server past 20 GB of memory until the kernel killed it.
    # Bounded by the reply's wait (REPLY_TIMEOUT), not by a stopwatch.
    replies = client.ask("how much does a product manager make " * 2800)
    assert len(replies) == 1 and "too long" in replies[0] and "2,000 characters" in replies[0]
    assert any("$73,786" in t for t in client.ask("How much does a production manager earn?"))


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("👩🏽‍💻 what does a product manager do? 🚀", "market"),
        ("מה המשכורת של production manager?", "production manager"),
        ("what do production managers\x00 earn\x07?", "$73,786"),
        ("what do product managers earn \ud800?", "$98,439"),
        ("what do product\u202e managers earn", "$98,439"),
    ],
)
def test_any_script_emoji_or_control_character_gets_an_answer(
    client: SocketIOClient, message: str, expected: str
) -> None:
    assert any(expected in t for t in client.ask(message))


@pytest.mark.parametrize(
    "message",
    ["<script>alert(1)</script>", "<img src=x onerror=alert(1)> how much does a product manager make"],
)
def test_markup_is_never_echoed_back(client: SocketIOClient, message: str) -> None:
    replies = client.ask(message)
    assert replies
    for fragment in ("<script", "<img", "onerror"):
        assert all(fragment not in t for t in replies)


@pytest.mark.parametrize(
    "data",
    [
        {"message": 42},
        {"message": None},
        {"message": ["a"]},
        [1, 2],
        "just a string",
        None,
        {"message": "hi", "metadata": "{not json"},
    ],
    ids=["int", "null", "list", "array-event", "string-event", "null-event", "bad-metadata"],
)
def test_malformed_events_do_not_hurt_the_server(client: SocketIOClient, data: Any) -> None:
    """No 4xx exists here; the server must stay up and answer the next message on the same socket.

    Rasa's handler raises on these before any check can run (docs/robustness.md asks
    connectors/socketio.py for an error reply); what matters here is that nothing else breaks.
    """
    session_id = client.session()
    if isinstance(data, dict):
        data = {**data, "session_id": session_id}
    # Nothing may come back for these; the marker's answer shows they were handled.
    client.send(data, session_id, expect_reply=False)
    assert any("$98,439" in t for t in client.ask("How much does a product manager make?", session_id))


@pytest.mark.parametrize(
    ("depth", "as_text"),
    [
        # The REST channel's 20 kB case: python-socketio's decoding raised RecursionError, no reply.
        (5000, False),
        # Decoded, and Rasa failed on it further on.
        (900, False),
        # Metadata as JSON text, which Rasa's handler decodes itself.
        (5000, True),
    ],
    ids=["5000-deep", "900-deep", "5000-deep-metadata-text"],
)
def test_json_nested_too_deep_gets_the_unreadable_reply(
    client: SocketIOClient, depth: int, as_text: bool
) -> None:
    session_id = client.session()
    metadata = f'{{"x": {nested(depth)}}}'
    if as_text:
        metadata = json.dumps(metadata)
    question = "How much does a product manager make?"
    event = f'{{"message": "{question}", "session_id": "{session_id}", "metadata": {metadata}}}'
    assert client.send_raw(event, session_id) == [UNREADABLE_REPLY]
    # The same socket and session go on.
    assert any("$98,439" in t for t in client.ask("How much does a product manager make?", session_id))


def test_action_server_down_gets_the_apology_here_too(stack: Stack, client: SocketIOClient) -> None:
    session_id = client.session()
    stack.action_server.stop()
    try:
        # Every answer is the apology now, the marker's too.
        replies = client.ask(
            "How much does a product manager make?", session_id, marker_answer=ACTION_APOLOGY
        )
        assert replies == [ACTION_APOLOGY]
    finally:
        stack.restart_actions()
    assert any("$98,439" in t for t in client.ask("How much does a product manager make?", session_id))
