"""Rasa's socket.io channel, with the session room actually joined.

With python-socketio >= 5.10, `AsyncServer.enter_room` is a coroutine. Rasa 3.6
calls it without `await`, so with `session_persistence: true` the socket never
joins the room named after the session id, and every bot message (emitted to
that room) is dropped. This subclass replaces only that one event handler.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint

logger = logging.getLogger(__name__)


class SocketIOInput(RasaSocketIOInput):
    """The `socketio` channel (same name, same options) for the web chat widget."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None  # set by the parent's blueprint()

        # Registering a handler for the same event and namespace replaces the parent's.
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: dict[str, Any] | None) -> None:
            data = data or {}
            if not data.get("session_id"):
                data["session_id"] = uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, data["session_id"], namespace=self.namespace)
            await sio.emit("session_confirm", data["session_id"], room=sid, namespace=self.namespace)
            logger.debug(f"Socket {sid} joined session {data['session_id']}.")

        return blueprint
