"""The two connector subclasses in isolation (no server): what they change in Rasa's."""

from __future__ import annotations

import asyncio
from typing import Any
from unittest.mock import AsyncMock

import pytest
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput

from connectors.slack import SLACK_API_BASE_URL, SlackBot, SlackInput, SlackNotConfigured, settings_from
from connectors.socketio import SocketIOInput


async def _noop(_: Any) -> None:
    return None


def _request_session(channel: RasaSocketIOInput) -> tuple[AsyncMock, AsyncMock]:
    channel.blueprint(_noop)
    sio = channel.sio
    assert sio is not None
    sio.enter_room = AsyncMock()
    sio.emit = AsyncMock()
    asyncio.run(sio.handlers["/"]["session_request"]("sid-1", {"session_id": "session-1"}))
    return sio.enter_room, sio.emit


@pytest.mark.filterwarnings("ignore:coroutine .* was never awaited:RuntimeWarning")
def test_rasa_socketio_never_awaits_enter_room() -> None:
    # The trap this repo's connector exists for; if Rasa fixes it, the subclass can go.
    enter_room, _ = _request_session(RasaSocketIOInput(session_persistence=True))
    assert enter_room.call_count == 1
    assert enter_room.await_count == 0


def test_socketio_joins_the_session_room() -> None:
    enter_room, emit = _request_session(SocketIOInput(session_persistence=True))
    enter_room.assert_awaited_once_with("sid-1", "session-1", namespace=None)
    emit.assert_awaited_once_with("session_confirm", "session-1", room="sid-1", namespace=None)


def test_socketio_without_persistence_joins_no_room() -> None:
    enter_room, emit = _request_session(SocketIOInput(session_persistence=False))
    enter_room.assert_not_called()
    assert emit.await_count == 1


def test_socketio_keeps_its_channel_name() -> None:
    assert SocketIOInput.name() == "socketio"


def test_slack_settings_come_from_the_environment() -> None:
    settings = settings_from(
        {"slack_channel": "", "use_threads": False, "slack_api_base_url": SLACK_API_BASE_URL},
        {"SLACK_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s3cret", "SLACK_USE_THREADS": "true"},
    )
    assert settings["slack_token"] == "xoxb-1"
    assert settings["slack_signing_secret"] == "s3cret"
    assert settings["use_threads"] is True
    assert settings["slack_channel"] is None
    assert settings["slack_api_base_url"] == SLACK_API_BASE_URL


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("1", True), ("false", False), ("0", False), ("no", False), ("", True)],
)
def test_slack_use_threads_from_a_string(value: str, expected: bool) -> None:
    # An empty variable counts as unset: credentials.yml's value (here true) stays.
    assert settings_from({"use_threads": True}, {"SLACK_USE_THREADS": value})["use_threads"] is expected


def test_slack_without_secrets_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("SLACK_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(variable, raising=False)
    channel = SlackInput.from_credentials({"use_threads": False})
    assert isinstance(channel, SlackNotConfigured)
    assert channel.name() == "slack"


def test_slack_replies_go_to_the_configured_api(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s3cret")
    monkeypatch.setenv("SLACK_API_BASE_URL", "http://127.0.0.1:9/api")
    channel = SlackInput.from_credentials({"slack_channel": ""})
    assert isinstance(channel, SlackInput)
    assert channel.name() == "slack"
    output = channel.get_output_channel("D1", "123.456")
    assert isinstance(output, SlackBot)
    assert output.client.base_url == "http://127.0.0.1:9/api/"
    assert (output.slack_channel, output.thread_id) == ("D1", "123.456")
