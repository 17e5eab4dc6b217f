"""Rasa's Slack channel, configured from the environment, checked and without double answers.

Five additions to Rasa's connector, nothing else:

- Secrets and settings come from environment variables (SLACK_TOKEN,
  SLACK_SIGNING_SECRET, SLACK_CHANNEL, SLACK_USE_THREADS, SLACK_API_BASE_URL),
  so credentials.yml holds none. Without a token and a signing secret the
  channel answers 503 instead of stopping the server: `make run`, `make shell`
  and any `rasa run` with credentials.yml work whether Slack is set up or not
  (Rasa's own `${VAR}` substitution would refuse to start when one is unset).
- `slack_api_base_url`: slack_sdk's client takes a `base_url`, but Rasa never
  passes one, so replies could only go to slack.com. The end-to-end tests point
  it at a fake Slack Web API on loopback.
- A signed body of the wrong shape (JSON that is not an object, `event` not an
  object, a message's `text` or `user` not a string, a form without a JSON
  object in `payload`, JSON nested more than `connectors.guard.MAX_JSON_DEPTH`
  levels deep) gets a 400 saying why. Rasa's handler raised on them (500),
  and Slack retries a 500.
- An event is answered once. Slack delivers an event again when the first
  delivery failed or looked slow, and Rasa drops only retries for
  `http_timeout`; any other retry of an event already handed to Rasa was
  answered a second time. The `event_id`s accepted in the last hour are kept
  in Redis when REDIS_URL is set (as for the lock store), so a retry that the
  load balancer sends to another Rasa server is not answered twice either;
  without Redis, each process keeps its own.
- The "Not helpful" button (actions/feedback.py) goes in a block of its own
  under the reply, apart from the follow-up buttons it would otherwise crowd.

The channel keeps the name `slack`, and so the /webhooks/slack/webhook route.
"""

from __future__ import annotations

import logging
import os
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from http import HTTPStatus
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot as RasaSlackBot
from rasa.core.channels.slack import SlackInput as RasaSlackInput
from sanic import Blueprint, response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from actions.feedback import NOT_HELPFUL_PAYLOAD, TRUE_WORDS
from connectors.guard import TooDeep, load_json

logger = logging.getLogger(__name__)

SLACK_API_BASE_URL = "https://slack.com/api/"

# credential key -> environment variable that sets it (and wins over credentials.yml)
ENVIRONMENT = {
    "slack_token": "SLACK_TOKEN",
    "slack_signing_secret": "SLACK_SIGNING_SECRET",
    "slack_channel": "SLACK_CHANNEL",
    "use_threads": "SLACK_USE_THREADS",
    "slack_api_base_url": "SLACK_API_BASE_URL",
}


def _as_bool(value: Any) -> bool:
    # Environment variables are strings, and "false" is truthy.
    if isinstance(value, str):
        return value.strip().lower() in TRUE_WORDS
    return bool(value)


def settings_from(credentials: Mapping[str, Any] | None, environ: Mapping[str, str]) -> dict[str, Any]:
    """credentials.yml's `slack` section overlaid with the SLACK_* environment variables."""
    settings = dict(credentials or {})
    for key, variable in ENVIRONMENT.items():
        if environ.get(variable):
            settings[key] = environ[variable]
    settings["use_threads"] = _as_bool(settings.get("use_threads", False))
    settings["slack_channel"] = settings.get("slack_channel") or None
    settings["slack_api_base_url"] = (
        str(settings.get("slack_api_base_url") or "").strip() or SLACK_API_BASE_URL
    )
    return settings


JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
# Event types Rasa's handler reads as a user's message.
MESSAGE_EVENTS = ("message", "app_mention")


def json_problem(body: Any) -> str | None:
    """Why a signed Events API body would break Rasa's handler, or None when it would not."""
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    event = body.get("event", {})
    if not isinstance(event, dict):
        return "`event` is not an object"
    authorizations = body.get("authorizations")
    if authorizations is not None and not (
        isinstance(authorizations, list) and all(isinstance(a, dict) for a in authorizations)
    ):
        return "`authorizations` is not a list of objects"
    # Other event types (user_change, team_join, ...) carry a user object, and Rasa ignores them.
    if event.get("type") in MESSAGE_EVENTS:
        for key in ("text", "user"):
            if key in event and not isinstance(event[key], str):
                return f"`event.{key}` is not a string"
    return None


def payload_problem(form: RequestParameters) -> str | None:
    """Why a signed Interactivity form would break Rasa's handler, or None when it would not."""
    # The list, as Rasa's handler reads it (form["payload"][0]); form.get() gives its first item.
    values = form.getlist("payload")
    if not values:
        return "the form has no `payload`"
    try:
        payload = load_json(values[0])
    except TooDeep as too_deep:
        return f"`payload` {too_deep}"
    except ValueError:
        return "`payload` is not JSON"
    if not isinstance(payload, dict):
        return "`payload` is not a JSON object"
    for key in ("user", "channel", "message"):
        if key in payload and not isinstance(payload[key], dict):
            return f"`payload.{key}` is not an object"
    actions = payload.get("actions")
    if actions is not None and not (isinstance(actions, list) and all(isinstance(a, dict) for a in actions)):
        return "`payload.actions` is not a list of objects"
    if actions and not isinstance(payload.get("user", {}).get("id"), str):
        return "`payload.user.id` is not a string"
    return None


class SeenEvents:
    """The `event_id`s accepted lately: at most `size`, none older than `ttl` seconds.

    Slack retries an event up to three times within about an hour, so an hour
    covers every retry; the size bounds memory under a flood of distinct events.
    """

    def __init__(self, size: int = 10_000, ttl: float = 3600.0) -> None:
        self.size = size
        self.ttl = ttl
        self._seen: OrderedDict[str, float] = OrderedDict()

    def _expire(self, now: float) -> None:
        while self._seen and (
            len(self._seen) > self.size or next(iter(self._seen.values())) < now - self.ttl
        ):
            self._seen.popitem(last=False)

    def add(self, event_id: str) -> bool:
        """Remember `event_id`; False when it was already there."""
        now = time.monotonic()
        self._expire(now)
        if event_id in self._seen:
            return False
        self._seen[event_id] = now
        self._expire(now)
        return True

    def forget(self, event_id: str) -> None:
        self._seen.pop(event_id, None)


class SharedSeenEvents:
    """`SeenEvents` kept in Redis, shared by every Rasa server: one key per event, expiring.

    `SET NX` is one atomic step, so of two servers receiving the same event at
    once exactly one accepts it. When Redis fails, the event is answered (a rare
    double answer rather than a lost message) and the failure logged.
    """

    PREFIX = "slack-event:"

    def __init__(self, url: str, ttl: float = 3600.0) -> None:
        import redis

        self.ttl = ttl
        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def add(self, event_id: str) -> bool:
        try:
            return bool(self._redis.set(self.PREFIX + event_id, "1", nx=True, ex=int(self.ttl)))
        except Exception as error:  # redis.RedisError, OSError
            logger.warning(f"Slack event {event_id}: Redis unavailable ({error}); answering it.")
            return True

    def forget(self, event_id: str) -> None:
        try:
            self._redis.delete(self.PREFIX + event_id)
        except Exception as error:
            logger.warning(f"Slack event {event_id}: could not forget it in Redis ({error}).")


def seen_events() -> SeenEvents | SharedSeenEvents:
    """Shared through Redis when REDIS_URL is set, else this process's own."""
    from deploy.stores import redis_url

    url = redis_url()
    return SharedSeenEvents(url) if url else SeenEvents()


class SlackBot(RasaSlackBot):
    """Posts replies through a Web API client at the configured address."""

    def __init__(
        self,
        token: str,
        slack_channel: str | None = None,
        thread_id: str | None = None,
        proxy: str | None = None,
        api_base_url: str = SLACK_API_BASE_URL,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.client = AsyncWebClient(token, base_url=api_base_url, proxy=proxy)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        follow_ups = [b for b in buttons if b.get("payload") != NOT_HELPFUL_PAYLOAD]
        feedback = [b for b in buttons if b.get("payload") == NOT_HELPFUL_PAYLOAD]
        if not feedback or len(follow_ups) > 5:
            # Rasa's own rendering (which sends the text alone for more than five buttons).
            await super().send_text_with_buttons(recipient_id, text, follow_ups, **kwargs)
            return
        blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "plain_text", "text": text}}]
        if follow_ups:
            blocks.append({"type": "actions", "elements": [_slack_button(b) for b in follow_ups]})
        blocks.append({"type": "actions", "block_id": "feedback", "elements": [_slack_button(feedback[0])]})
        await self._post_message(
            channel=self.slack_channel or recipient_id, as_user=True, text=text, blocks=blocks
        )


def _slack_button(button: Mapping[str, Any]) -> dict[str, Any]:
    """A button as Rasa's SlackBot.send_text_with_buttons writes it."""
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": button["title"]},
        "value": button["payload"],
    }


class SlackInput(RasaSlackInput):
    """The `slack` channel, set up from the environment."""

    slack_api_base_url: str = SLACK_API_BASE_URL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        settings = settings_from(credentials, os.environ)
        if not (settings.get("slack_token") and settings.get("slack_signing_secret")):
            logger.info("Slack channel off: set SLACK_TOKEN and SLACK_SIGNING_SECRET to turn it on.")
            return SlackNotConfigured()
        base_url = settings.pop("slack_api_base_url")
        channel = super().from_credentials(settings)
        assert isinstance(channel, SlackInput)
        channel.slack_api_base_url = base_url
        logger.info(f"Slack channel on (Web API at {base_url}).")
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        slack_webhook = super().blueprint(on_new_message)
        seen = seen_events()

        # Runs before Rasa's handler for this blueprint's routes only; a response
        # returned here is the answer, and Rasa's handler is not called.
        @slack_webhook.on_request
        async def check(request: Request) -> HTTPResponse | None:
            if request.method != "POST" or not request.path.endswith("/webhook"):
                return None
            if not self.is_request_from_slack_authentic(request):
                # Rasa's words; answered here so its handler does not check the signature again.
                return response.text(
                    "Message is not properly signed with a valid X-Slack-Signature header",
                    status=HTTPStatus.BAD_REQUEST,
                )
            content_type = request.headers.get("content-type")
            event_id = None
            if content_type == JSON:
                try:
                    body = load_json(request.body)
                except TooDeep as too_deep:
                    return _bad_request(f"the body {too_deep}")
                except ValueError:
                    return _bad_request("the body is not valid JSON")
                # Rasa's handler reads request.json: parsed once, here.
                request.parsed_json = body
                problem = json_problem(body)
                if problem is None:
                    event_id = body.get("event_id")
            elif content_type == FORM:
                problem = payload_problem(request.form)
            else:
                return None
            if problem is not None:
                logger.warning(f"Signed Slack request refused: {problem}.")
                return _bad_request(problem)
            if not isinstance(event_id, str):
                return None
            retry_reason = request.headers.get(self.retry_reason_header)
            if request.headers.get(self.retry_num_header) and retry_reason in self.errors_ignore_retry:
                return None  # Rasa's handler drops these itself (201, X-Slack-No-Retry)
            if not seen.add(event_id):
                logger.info(f"Slack event {event_id} already handled; retry ({retry_reason}) not answered.")
                return response.text("", status=HTTPStatus.OK, headers={"X-Slack-No-Retry": "1"})
            request.ctx.slack_event_id = event_id
            return None

        @slack_webhook.on_response
        async def release(request: Request, answer: HTTPResponse) -> None:
            # Not accepted after all: Slack's retry of this event must be handled.
            event_id = getattr(request.ctx, "slack_event_id", None)
            if event_id is not None and answer.status >= 300:
                seen.forget(event_id)

        return slack_webhook

    def get_output_channel(self, channel: str | None = None, thread_id: str | None = None) -> OutputChannel:
        return SlackBot(
            self.slack_token,
            channel or self.slack_channel,
            thread_id,
            self.proxy,
            api_base_url=self.slack_api_base_url,
        )


def _bad_request(problem: str) -> HTTPResponse:
    return response.text(f"Bad request: {problem}.", status=HTTPStatus.BAD_REQUEST)


class SlackNotConfigured(InputChannel):
    """Stands in for the Slack channel when no token or signing secret is set."""

    @classmethod
    def name(cls) -> str:
        return "slack"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        slack_webhook = Blueprint("slack_webhook", __name__)

        @slack_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "not configured"}, status=HTTPStatus.SERVICE_UNAVAILABLE)

        @slack_webhook.route("/webhook", methods=["GET", "POST"])
        async def webhook(_: Request) -> HTTPResponse:
            return response.text(
                "Slack is not configured on this server: set SLACK_TOKEN and SLACK_SIGNING_SECRET.",
                status=HTTPStatus.SERVICE_UNAVAILABLE,
            )

        return slack_webhook
