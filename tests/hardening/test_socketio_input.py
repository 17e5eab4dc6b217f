"""Bad input through the socket.io channel (connectors/socketio.py, as it stands).

The channel hands its text to Rasa unchecked; the agent-level guard
(connectors.guard.guard_agent, installed by the REST channel at start) is
what every message passes. One client connection (long-polling, like the
widget's first transport) is shared by the module: each case asks for its own
session and waits for that session's replies.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future
from typing import Any

import pytest
import socketio

from connectors.guard import EMPTY_REPLY
from connectors.socketio import UNREADABLE_REPLY
from rasa_patches.action_endpoint import ACTION_APOLOGY
from tests.hardening.conftest import Stack
from tests.hardening.test_rest_input import nested

REPLY_TIMEOUT = 30.0
# Sent after the message under test; its answer marks the end of that message's reply.
MARKER, MARKER_ANSWER = "are you a bot?", "Yes, I'm a bot."


class Client:
    """A socket.io client on its own event loop thread, used synchronously by the tests."""

    def __init__(self, base: str, origin: str) -> None:
        self.base = base
        self.origin = origin
        self.replies: list[dict[str, Any]] = []
        self.confirmed: set[str] = set()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("bot_uttered", self._on_bot)
        self.sio.on("session_confirm", self._on_confirm)

    async def _on_bot(self, data: dict[str, Any]) -> None:
        self.replies.append(data)

    async def _on_confirm(self, session_id: str) -> None:
        self.confirmed.add(session_id)

    def run(self, coroutine: Any, timeout: float = 30.0) -> Any:
        future: Future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        return future.result(timeout)

    def connect(self) -> Client:
        self.thread.start()
        self.run(
            self.sio.connect(
                self.base,
                socketio_path="/socket.io/",
                transports=["polling"],
                headers={"Origin": self.origin},
                wait_timeout=20,
            )
        )
        return self

    def close(self) -> None:
        # Long-polling may take a ping interval to notice; the server copes either way.
        with contextlib.suppress(Exception):
            self.run(self.sio.disconnect(), timeout=5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)

    def session(self) -> str:
        session_id = f"sio-{uuid.uuid4().hex[:10]}"
        self.run(self.sio.emit("session_request", {"session_id": session_id}))
        deadline = time.monotonic() + 20
        while session_id not in self.confirmed:
            assert time.monotonic() < deadline, "no session_confirm"
            time.sleep(0.05)
        return session_id

    def send(
        self, data: Any, session_id: str, expect_reply: bool = True, marker_answer: str = MARKER_ANSWER
    ) -> list[str]:
        """Emit one user_uttered event; the texts of the bot's replies to it."""
        return self._collect(
            lambda: self.sio.emit("user_uttered", data), session_id, expect_reply, marker_answer
        )

    def send_raw(self, event: str, session_id: str) -> list[str]:
        """Send `event`, the JSON text of a user_uttered event, as it is (no client-side encoding)."""
        return self._collect(
            lambda: self.sio.eio.send(f'2["user_uttered",{event}]'), session_id, True, MARKER_ANSWER
        )

    def _collect(self, emit: Any, session_id: str, expect_reply: bool, marker_answer: str) -> list[str]:
        """The replies to what `emit` sends, all of them, without a fixed wait.

        A reply may come in several bot_uttered events, so after the first one
        (waited for, REPLY_TIMEOUT at most) a marker message goes to the same
        session. Rasa handles one conversation's messages in order (its lock
        store), so the marker's answer comes after every event of the reply
        before it; what came before the marker's answer is the reply. With the
        action server down the marker's answer is the apology (`marker_answer`),
        looked for only among the events that came after the marker was sent.
        """
        self.replies.clear()
        self.run(emit())
        if expect_reply:
            self._wait(lambda: bool(self.replies), "no reply")
        sent = len(self.replies)
        self.run(self.sio.emit("user_uttered", {"message": MARKER, "session_id": session_id}))

        def marker_at() -> int | None:
            texts = [str(r.get("text", "")) for r in self.replies]
            return next((i for i in range(sent, len(texts)) if marker_answer in texts[i]), None)

        self._wait(lambda: marker_at() is not None, "no marker answer")
        return [str(r.get("text", "")) for r in self.replies[: marker_at()]]

    @staticmethod
    def _wait(condition: Any, what: str) -> None:
        deadline = time.monotonic() + REPLY_TIMEOUT
        while not condition():
            assert time.monotonic() < deadline, f"{what} within {REPLY_TIMEOUT:.0f} s"
            time.sleep(0.05)

    def ask(
        self, message: Any, session_id: str | None = None, marker_answer: str = MARKER_ANSWER
    ) -> list[str]:
        session_id = session_id or self.session()
        return self.send(
            {"message": message, "session_id": session_id}, session_id, marker_answer=marker_answer
        )


@pytest.fixture(scope="module")
def client(stack: Stack) -> Iterator[Client]:
    connected = Client(stack.rasa.base, stack.web.base).connect()
    yield connected
    connected.close()


def test_a_normal_question_is_answered(client: Client) -> None:
    assert any("$98,439" in t for t in client.ask("How much does a product manager make?"))


@pytest.mark.parametrize("message", ["", "   ", "\n\t", "\x00\x07"])
def test_empty_text_gets_a_prompt(client: Client, message: str) -> None:
    assert client.ask(message) == [EMPTY_REPLY]


def test_a_100_kb_message_is_refused_with_a_reply_and_the_server_stays_responsive(client: Client) -> None:
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
    client: Client, message: str, expected: str
) -> None:
    assert any(expected in t for t in client.ask(message))


@pytest.mark.parametrize(
    "message",
    ["<script>alert(1)</script>", "<img src=x onerror=alert(1)> how much does a product manager make"],
)
def test_markup_is_never_echoed_back(client: Client, message: str) -> None:
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
def test_malformed_events_do_not_hurt_the_server(client: Client, data: Any) -> None:
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
def test_json_nested_too_deep_gets_the_unreadable_reply(client: Client, depth: int, as_text: bool) -> None:
    session_id = client.session()
    metadata = f'{{"x": {nested(depth)}}}'
    if as_text:
        metadata = json.dumps(metadata)
    question = "How much does a product manager make?"
    event = f'{{"message": "{question}", "session_id": "{session_id}", "metadata": {metadata}}}'
    assert client.send_raw(event, session_id) == [UNREADABLE_REPLY]
    # The same socket and session go on.
    assert any("$98,439" in t for t in client.ask("How much does a product manager make?", session_id))


def test_action_server_down_gets_the_apology_here_too(stack: Stack, client: Client) -> None:
    session_id = client.session()
    stack.actions.stop()
    try:
        # Every answer is the apology now, the marker's too.
        replies = client.ask(
            "How much does a product manager make?", session_id, marker_answer=ACTION_APOLOGY
        )
        assert replies == [ACTION_APOLOGY]
    finally:
        stack.restart_actions()
    assert any("$98,439" in t for t in client.ask("How much does a product manager make?", session_id))
