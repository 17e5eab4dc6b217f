"""The tests' socket.io client: python-socketio on an event loop thread of its own, used synchronously.

A reply may come in several `bot_uttered` events, so after the first one (waited
for, REPLY_TIMEOUT at most) a marker message goes to the same session. Rasa
handles one conversation's messages in order (its lock store), so the marker's
answer comes after every event of the reply before it: what came before the
marker's answer is the reply, without a fixed wait. Small talk keeps the role,
topic and cited claims, so a follow-up after the marker reads as before it.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import aiohttp
import socketio
import websockets.client

MARKER, MARKER_ANSWER = "are you a bot?", "Yes, I'm a bot."
REPLY_TIMEOUT = 30.0


def wait_until(condition: Callable[[], object], what: str, timeout: float = REPLY_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {timeout:.0f} s"
        time.sleep(0.05)


class SocketIOClient:
    """One socket.io connection to `base`, sent from the page `origin`.

    `local_address` makes every request (polling or WebSocket) leave from that
    loopback address, for a balancer that hashes on the client's address.
    """

    def __init__(
        self,
        base: str,
        origin: str,
        transports: Sequence[str] = ("polling",),
        local_address: str | None = None,
    ) -> None:
        self.base, self.origin = base, origin
        self.transports, self.local_address = list(transports), local_address
        self.replies: list[dict[str, Any]] = []
        self.confirmed: set[str] = set()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self._http: aiohttp.ClientSession | None = None
        self._sio: socketio.AsyncClient | None = None

    @property
    def sio(self) -> socketio.AsyncClient:
        assert self._sio is not None, "connect() first"
        return self._sio

    def run(self, coroutine: Any, timeout: float = 30.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    async def _connect(self) -> None:
        if self.local_address is not None:
            connector = aiohttp.TCPConnector(local_addr=(self.local_address, 0))
            self._http = aiohttp.ClientSession(connector=connector)
        self._sio = socketio.AsyncClient(reconnection=False, http_session=self._http)

        async def on_bot(data: dict[str, Any]) -> None:
            self.replies.append(data)

        async def on_confirm(session_id: str) -> None:
            self.confirmed.add(session_id)

        self._sio.on("bot_uttered", on_bot)
        self._sio.on("session_confirm", on_confirm)
        await self._sio.connect(
            self.base,
            socketio_path="/socket.io/",
            transports=self.transports,
            headers={"Origin": self.origin},
            wait_timeout=20,
        )

    def connect(self, session_id: str | None = None) -> SocketIOClient:
        """Connects, and joins `session_id`'s conversation when one is given."""
        self.run(self._connect())
        if session_id is not None:
            self.session(session_id)
        return self

    def session(self, session_id: str | None = None) -> str:
        """Asks for the conversation `session_id` (a new one by default); its id once confirmed."""
        session_id = session_id or f"sio-{uuid.uuid4().hex[:10]}"
        self.run(self.sio.emit("session_request", {"session_id": session_id}))
        wait_until(lambda: session_id in self.confirmed, "no session_confirm", timeout=20)
        return session_id

    @property
    def transport(self) -> str:
        return str(self.sio.transport())

    def send(
        self, data: Any, session_id: str, expect_reply: bool = True, marker_answer: str = MARKER_ANSWER
    ) -> list[str]:
        """Emits one user_uttered event; the texts of the bot's replies to it."""
        return self._collect(
            lambda: self.sio.emit("user_uttered", data), session_id, expect_reply, marker_answer
        )

    def send_raw(self, event: str, session_id: str) -> list[str]:
        """Sends `event`, the JSON text of a user_uttered event, as it is (no client-side encoding)."""
        return self._collect(
            lambda: self.sio.eio.send(f'2["user_uttered",{event}]'), session_id, True, MARKER_ANSWER
        )

    def ask(
        self, message: Any, session_id: str | None = None, marker_answer: str = MARKER_ANSWER
    ) -> list[str]:
        session_id = session_id or self.session()
        return self.send(
            {"message": message, "session_id": session_id}, session_id, marker_answer=marker_answer
        )

    def _collect(self, emit: Any, session_id: str, expect_reply: bool, marker_answer: str) -> list[str]:
        """The replies to what `emit` sends, complete once the marker after it is answered.

        With the action server down the marker's answer is the apology
        (`marker_answer`), looked for only among the events after the marker.
        """
        self.replies.clear()
        self.run(emit())
        if expect_reply:
            wait_until(lambda: bool(self.replies), "no reply")
        sent = len(self.replies)
        self.run(self.sio.emit("user_uttered", {"message": MARKER, "session_id": session_id}))

        def marker_at() -> int | None:
            texts = [str(r.get("text", "")) for r in self.replies]
            return next((i for i in range(sent, len(texts)) if marker_answer in texts[i]), None)

        wait_until(lambda: marker_at() is not None, "no answer to the marker")
        return [str(r.get("text", "")) for r in self.replies[: marker_at()]]

    def close(self) -> None:
        async def shut() -> None:
            # Long-polling may take a ping interval to notice; the server copes either way.
            if self._sio is not None:
                with contextlib.suppress(Exception):
                    await self._sio.disconnect()
            if self._http is not None:
                await self._http.close()

        with contextlib.suppress(Exception):
            self.run(shut(), timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


class WebSocketClient:
    """engine.io 4 / socket.io 5 over a WebSocket to 127.0.0.1:`port`, by hand, from `address`.

    python-engineio's own WebSocket transport needs a newer aiohttp than Rasa
    3.6 allows, so the protocol is spoken here with `websockets` (a Rasa
    dependency): optionally the widget's way (a long-polling handshake, then
    the upgrade of that same session, both of which must reach one server), or
    a WebSocket from the start.
    """

    def __init__(self, port: int, origin: str, upgrade: bool, address: str = "127.0.0.1") -> None:
        self.port, self.origin, self.upgrade, self.address = port, origin, upgrade, address
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.ws: Any = None
        self.transport = ""

    def run(self, coroutine: Any, timeout: float = 30.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def _poll(self, method: str, query: str, body: str | None = None) -> list[str]:
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(self.address, 0)
        )
        try:
            headers = {"Origin": self.origin, "Content-Type": "text/plain;charset=UTF-8"}
            connection.request(method, f"/socket.io/?EIO=4&transport=polling{query}", body, headers)
            response = connection.getresponse()
            text = response.read().decode()
            assert response.status == 200, (response.status, text)
            return text.split("\x1e")
        finally:
            connection.close()

    async def _open(self) -> None:
        url = f"ws://127.0.0.1:{self.port}/socket.io/?EIO=4&transport=websocket"
        options: dict[str, Any] = {"extra_headers": {"Origin": self.origin}, "local_addr": (self.address, 0)}
        if self.upgrade:
            opened = self._poll("GET", "")[0]
            assert opened.startswith("0"), opened
            sid = json.loads(opened[1:])["sid"]
            assert [p.lower() for p in self._poll("POST", f"&sid={sid}", "40")] == ["ok"]
            assert self._poll("GET", f"&sid={sid}")[0].startswith("40")
            self.ws = await websockets.client.connect(f"{url}&sid={sid}", **options)
            await self.ws.send("2probe")
            assert await self._packet() == "3probe"
            await self.ws.send("5")
        else:
            self.ws = await websockets.client.connect(url, **options)
            assert (await self._packet()).startswith("0")
            await self.ws.send("40")
            assert (await self._packet()).startswith("40")
        self.transport = "websocket"

    async def _packet(self) -> str:
        """The next packet that is not a ping (pings are answered)."""
        while True:
            packet = str(await asyncio.wait_for(self.ws.recv(), 30))
            if packet == "2":
                await self.ws.send("3")
                continue
            return packet

    async def _emit_and_wait(
        self, event: str, data: Any, reply: str, done: Callable[[list[Any]], bool] = bool
    ) -> list[Any]:
        """Emit `event`; the `reply` events' arguments received until `done` says so (30 s at most)."""
        await self.ws.send("42" + json.dumps([event, data]))
        received: list[Any] = []
        deadline = time.monotonic() + REPLY_TIMEOUT
        while not done(received):
            left = deadline - time.monotonic()
            assert left > 0, f"{event}: no complete {reply} within {REPLY_TIMEOUT:.0f} s; got {received}"
            packet = await asyncio.wait_for(self._packet(), left)
            if packet.startswith("42"):
                name, *args = json.loads(packet[2:])
                if name == reply:
                    received.extend(args)
        return received

    async def _ask(self, session_id: str, message: str) -> list[Any]:
        first = await self._emit_and_wait(
            "user_uttered", {"message": message, "session_id": session_id}, "bot_uttered"
        )
        rest = await self._emit_and_wait(
            "user_uttered",
            {"message": MARKER, "session_id": session_id},
            "bot_uttered",
            lambda got: any(MARKER_ANSWER in str(r.get("text", "")) for r in got),
        )
        texts = [str(r.get("text", "")) for r in first + rest]
        return texts[: next(i for i, t in enumerate(texts) if MARKER_ANSWER in t)]

    def connect(self, session_id: str) -> WebSocketClient:
        self.run(self._open())
        confirmed = self.run(
            self._emit_and_wait("session_request", {"session_id": session_id}, "session_confirm")
        )
        assert session_id in confirmed
        return self

    def ask(self, message: str, session_id: str) -> list[str]:
        """The reply to `message`, complete once the marker sent after it is answered
        (local_stack/socketio_client.py says why)."""
        return list(self.run(self._ask(session_id, message), timeout=2 * REPLY_TIMEOUT + 10))

    def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                self.run(self.ws.close(), timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
