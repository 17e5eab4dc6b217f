"""Rasa's socket.io channel, with the session room joined, other origins refused and events checked.

- With python-socketio >= 5.10, `AsyncServer.enter_room` is a coroutine. Rasa 3.6
  calls it without `await`, so with `session_persistence: true` the socket never
  joins the room named after the session id, and every bot message (emitted to
  that room) is dropped.
- Browsers apply no CORS to WebSockets, and Rasa builds its socket.io server with
  `cors_allowed_origins=[]`, which turns python-engineio's Origin check off: any
  web page could open a WebSocket to the assistant. Connections whose Origin
  is not one the server allows (`--cors`, which `make run` sets from
  CORS_ORIGINS) are refused here. engine.io's own check is left off because it
  would add CORS headers beside Sanic-CORS's.
- A `user_uttered` event of the wrong shape made Rasa's handler raise: no
  reply, an error in the log. It now gets one reply saying so; so does a
  packet nested more than `connectors.guard.MAX_JSON_DEPTH` levels deep (one
  nested about 1,000 deep made python-socketio's decoding raise RecursionError,
  logged, with no reply; one a little less deep broke Rasa further on).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint
from sanic_cors.core import get_cors_origins, try_match

from connectors.guard import MAX_JSON_DEPTH, TooDeep, load_json, nesting_exceeds

logger = logging.getLogger(__name__)

UNREADABLE_REPLY = (
    "Sorry, I couldn't read that message. Please type your question as plain text and send it again."
)


def origin_allowed(environ: Mapping[str, Any]) -> bool:
    """Whether the server's CORS settings allow the Origin of this socket.io request.

    The decision is Sanic-CORS's own, on the options Rasa gave it (`--cors`), so
    a WebSocket is allowed exactly when a long-polling request from the same page
    would get CORS headers. No Origin means no browser, to which CORS does not apply.
    """
    origin = environ.get("HTTP_ORIGIN")
    if not origin:
        return True
    request = environ.get("sanic.request")
    cors = getattr(getattr(getattr(request, "app", None), "ctx", None), "sanic_cors", None)
    for pattern, options in getattr(cors, "resources", None) or []:
        if try_match(request.path, pattern):  # type: ignore[union-attr]
            return get_cors_origins(options, origin) is not None
    return False


def event_problem(data: Any, metadata_key: str) -> str | None:
    """Why a `user_uttered` event can't be handed to Rasa, or None when it can."""
    if not isinstance(data, dict):
        return "the event is not an object"
    if not isinstance(data.get("message"), str):
        return "`message` is not a string"
    if nesting_exceeds(data, MAX_JSON_DEPTH - 1):  # the packet's list holds the event
        return f"the event {TooDeep(MAX_JSON_DEPTH)}"
    metadata = data.get(metadata_key)
    if isinstance(metadata, str):
        # Rasa's handler accepts metadata as JSON text and decodes it itself.
        try:
            metadata = load_json(metadata)
        except TooDeep as too_deep:
            return f"`{metadata_key}` {too_deep}"
        except ValueError:
            return f"`{metadata_key}` is not valid JSON"
    if metadata is not None and not isinstance(metadata, dict):
        return f"`{metadata_key}` is not an object"
    return None


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

        # At engine.io's connect, not socket.io's: by socket.io's the WebSocket is
        # already open, and a page could keep it. Rasa's JWT check stays on socket.io's.
        handle_eio_connect = sio.eio.handlers["connect"]

        @sio.eio.on("connect")
        async def connect(eio_sid: str, environ: dict[str, Any]) -> bool | None:
            if not origin_allowed(environ):
                logger.warning(f"socket.io connection from origin {environ.get('HTTP_ORIGIN')!r} refused.")
                return False
            result: bool | None = await handle_eio_connect(eio_sid, environ)
            return result

        # A packet nested too deeply for Python's JSON parser (about 1,000 levels)
        # fails in python-socketio's decoding, before any event handler: it
        # logged the RecursionError and the user got no answer.
        handle_eio_message = sio.eio.handlers["message"]

        @sio.eio.on("message")
        async def message(eio_sid: str, data: Any) -> None:
            try:
                await handle_eio_message(eio_sid, data)
            except RecursionError:
                sid = sio.manager.sid_from_eio_sid(eio_sid, self.namespace or "/")
                logger.info(f"socket.io packet from {sid or eio_sid} not handled: nested too deeply.")
                if sid is not None:
                    await sio.emit(
                        self.bot_message_evt, {"text": UNREADABLE_REPLY}, room=sid, namespace=self.namespace
                    )

        handle_user_message = sio.handlers[self.namespace or "/"][self.user_message_evt]

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            problem = event_problem(data, self.metadata_key or "metadata")
            if problem is not None:
                logger.info(f"socket.io event from {sid} not handled: {problem}.")
                await sio.emit(
                    self.bot_message_evt, {"text": UNREADABLE_REPLY}, room=sid, namespace=self.namespace
                )
                return
            await handle_user_message(sid, data)

        return blueprint
