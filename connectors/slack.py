"""Rasa's Slack channel, configured from the environment.

Two additions to Rasa's connector, nothing else:

- Secrets and settings come from environment variables (SLACK_TOKEN,
  SLACK_SIGNING_SECRET, SLACK_CHANNEL, SLACK_USE_THREADS, SLACK_API_BASE_URL),
  so credentials.yml holds none. Without a token and a signing secret the
  channel answers 503 instead of stopping the server: `make run`, `make shell`
  and any `rasa run` with credentials.yml work whether Slack is set up or not
  (Rasa's own `${VAR}` substitution would refuse to start when one is unset).
- `slack_api_base_url`: slack_sdk's client takes a `base_url`, but Rasa never
  passes one, so replies could only go to slack.com. The end-to-end tests point
  it at a fake Slack Web API on loopback.

The channel keeps the name `slack`, and so the /webhooks/slack/webhook route.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from http import HTTPStatus
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot as RasaSlackBot
from rasa.core.channels.slack import SlackInput as RasaSlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

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
        return value.strip().lower() in {"1", "true", "yes", "on"}
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

    def get_output_channel(self, channel: str | None = None, thread_id: str | None = None) -> OutputChannel:
        return SlackBot(
            self.slack_token,
            channel or self.slack_channel,
            thread_id,
            self.proxy,
            api_base_url=self.slack_api_base_url,
        )


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
