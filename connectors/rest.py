"""Rasa's REST channel, hardened: POST /webhooks/rest/webhook {"sender": "...", "message": "..."}.

Same name (`rest`), same route and same reply (a JSON list of bot messages) as
Rasa's RestInput, for well-formed requests. What changes, and why:

- A request Rasa's channel would answer with a 500, or pass on as `None`
  (broken JSON, a body that is not an object, a missing or non-string
  `sender` or `message`, non-object `metadata`, JSON nested more than
  `connectors.guard.MAX_JSON_DEPTH` levels deep), gets a 400 with a JSON
  `{"error": ..., "detail": ...}` saying what to send instead.
- The text goes through `connectors.guard.check_text`: invalid UTF-8 and
  control characters are replaced, empty text and text over
  `max_message_chars` get a reply at once without reaching NLU.
- More than `max_pending_per_sender` requests waiting for one conversation
  get a 429: Rasa handles one message per conversation at a time, so a flood
  from one sender would otherwise queue without bound.
- When Rasa fails on the message (e.g. the tracker store is down), the
  client gets a 503 with an apology as the bot's reply and a Retry-After
  header, instead of an empty 200 that hides the loss: nothing was kept, so
  the message should be sent again.
- `input_channel` in the body is ignored: a client could otherwise record
  its messages as coming from another channel.
- No `?stream=true` mode: nothing here uses it.
- When the server starts, the agent checks the text of every channel's
  messages (`connectors.guard.guard_agent`): this channel is on in every
  configuration of this project, so it is the one place that runs for
  socket.io and Slack messages too. It also makes sure rasa_patches/ is in
  place on the agent (`rasa_patches.apply_to`), whichever endpoints file the
  server was started with.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

import rasa_patches
from connectors.guard import (
    DEFAULT_MAX_MESSAGE_CHARS,
    STORE_APOLOGY,
    TooDeep,
    check_text,
    decode,
    guard_agent,
    load_json,
    sender_problem,
)
from rasa_patches.action_endpoint import BoundedActionEndpoint

logger = logging.getLogger(__name__)

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
DEFAULT_MAX_PENDING_PER_SENDER = 4
RETRY_AFTER_SECONDS = 5
USAGE = 'Send a JSON object: {"sender": "<conversation id>", "message": "<text>"}.'


def _error(status: HTTPStatus, error: str, detail: str) -> HTTPResponse:
    return response.json({"error": error, "detail": detail}, status=status)


def _number(credentials: dict[str, Any], key: str, default: float, minimum: float) -> float:
    value = credentials.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise ValueError(f"credentials: rest `{key}` must be a number >= {minimum}, not {value!r}")
    return float(value)


class RestInput(RasaRestInput):
    """The `rest` channel, with its input checked before Rasa sees it."""

    def __init__(
        self,
        max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        max_pending_per_sender: int = DEFAULT_MAX_PENDING_PER_SENDER,
    ) -> None:
        self.max_message_chars = max_message_chars
        self.max_body_bytes = max_body_bytes
        self.max_pending_per_sender = max_pending_per_sender
        self._pending: Counter[str] = Counter()

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        if "action_timeout" in credentials:
            # Moved, so that `rasa shell` and every channel get it too: say so, not ignore it.
            raise ValueError(
                "credentials: rest `action_timeout` is now endpoints.yml's action_endpoint `timeout`"
            )
        return cls(
            max_message_chars=int(_number(credentials, "max_message_chars", DEFAULT_MAX_MESSAGE_CHARS, 1)),
            max_body_bytes=int(_number(credentials, "max_body_bytes", DEFAULT_MAX_BODY_BYTES, 1024)),
            max_pending_per_sender=int(
                _number(credentials, "max_pending_per_sender", DEFAULT_MAX_PENDING_PER_SENDER, 1)
            ),
        )

    def parse(self, body: bytes) -> tuple[dict[str, Any] | None, HTTPResponse | None]:
        """The request's fields, or the 4xx response that says what is wrong."""
        if len(body) > self.max_body_bytes:
            return None, _error(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                "body_too_large",
                f"The request body is {len(body):,} bytes; at most {self.max_body_bytes:,} are accepted.",
            )
        try:
            payload = load_json(decode(body))
        except TooDeep as too_deep:
            return None, _error(
                HTTPStatus.BAD_REQUEST, "too_deeply_nested", f"The body is JSON but {too_deep}. {USAGE}"
            )
        except ValueError:
            return None, _error(HTTPStatus.BAD_REQUEST, "invalid_json", f"The body is not JSON. {USAGE}")
        if not isinstance(payload, dict):
            return None, _error(
                HTTPStatus.BAD_REQUEST, "not_an_object", f"The body is JSON but not an object. {USAGE}"
            )
        problem = sender_problem(payload.get("sender"))
        if problem:
            return None, _error(HTTPStatus.BAD_REQUEST, "invalid_sender", f"{problem}. {USAGE}")
        if not isinstance(payload.get("message"), str):
            return None, _error(
                HTTPStatus.BAD_REQUEST, "invalid_message", f"`message` must be a string. {USAGE}"
            )
        metadata = payload.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            return None, _error(
                HTTPStatus.BAD_REQUEST, "invalid_metadata", "`metadata`, when given, must be an object."
            )
        return payload, None

    async def handle(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        payload, refusal = self.parse(request.body or b"")
        if refusal is not None:
            return refusal
        assert payload is not None
        sender: str = payload["sender"]
        check = check_text(payload["message"], self.max_message_chars)
        if check.reply is not None:
            logger.info(f"Message from {sender!r} not handed to Rasa: {check.reason}.")
            return response.json([{"recipient_id": sender, "text": check.reply}])
        if self._pending[sender] >= self.max_pending_per_sender:
            return _error(
                HTTPStatus.TOO_MANY_REQUESTS,
                "too_many_pending",
                f"{self._pending[sender]} messages of this conversation are still being answered; "
                "wait for their replies.",
            )
        collector = CollectingOutputChannel()
        message = UserMessage(
            check.text, collector, sender, input_channel=self.name(), metadata=payload.get("metadata")
        )
        self._pending[sender] += 1
        try:
            await on_new_message(message)
        except Exception as error:
            # The user's text is left out of the log on purpose: it is theirs.
            logger.error(
                f"Could not handle a message of conversation {sender!r}: "
                f"{type(error).__name__}: {error}. The client was asked to send it again.",
                exc_info=logger.isEnabledFor(logging.DEBUG),
            )
            return response.json(
                [{"recipient_id": sender, "text": STORE_APOLOGY}],
                status=HTTPStatus.SERVICE_UNAVAILABLE,
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        finally:
            self._pending[sender] -= 1
            if self._pending[sender] <= 0:
                del self._pending[sender]
        return response.json(collector.messages)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("hardened_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            # What the health checks and probes ask: Rasa's own `/` says hello even
            # when the model failed to load and no message can be answered.
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or not agent.is_ready():
                return _error(
                    HTTPStatus.SERVICE_UNAVAILABLE,
                    "no_model",
                    "No model is loaded, so no message can be answered; the server's start-up log says why.",
                )
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self.handle(request, on_new_message)

        # After every before_server_start listener, and so after Rasa has loaded the agent.
        @webhook.listener("after_server_start")
        async def harden_agent(app: Sanic, _: Any) -> None:
            agent = getattr(app.ctx, "agent", None)
            if agent is None:
                logger.warning("No agent loaded: messages are not checked.")
                return
            rasa_patches.apply_to(agent)
            guard_agent(agent, self.max_message_chars)

        @webhook.listener("before_server_stop")
        async def close_action_session(app: Sanic, _: Any) -> None:
            endpoint = getattr(getattr(app.ctx, "agent", None), "action_endpoint", None)
            if isinstance(endpoint, BoundedActionEndpoint):
                await endpoint.close()

        return webhook
