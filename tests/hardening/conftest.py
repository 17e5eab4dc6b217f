"""One hardened stack for the robustness tests (docs/robustness.md).

tests.fixtures.channel_stack, as the channel tests have it: the Rasa server with
the project's own credentials.yml and endpoints.yml (the hardened REST channel,
socket.io, Slack against a fake Slack Web API; conversations in an SQLite file
of its own), here with a 3 s action timeout instead of endpoints.yml's 10 s,
Sanic's body limit as scripts/run.sh sets it, and the HTTP API on behind a
token, as docs/robustness.md describes for production. Its actions run on a
real action server (ACTION_SERVER_URL, as in the cluster), which tests stop,
pause and restart; tests/rasa_patches/test_action_module.py holds the
actions in the Rasa process, as `make run` runs them, failing. A Rasa server takes ~25 s
to load, so the stack starts once per session.
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

from local_stack.servers import shipped_action_endpoint, shipped_endpoints
from tests.fixtures import ChannelOptions, ChannelStack, channel_stack_fixture

# Short, so the slow-action-server test waits seconds, not the 10 s of endpoints.yml.
ACTION_TIMEOUT = 3.0
SLACK_TOKEN = "xoxb-" + secrets.token_hex(12)
SLACK_SIGNING_SECRET = secrets.token_hex(16)
API_TOKEN = secrets.token_hex(24)
# Sanic's own limit on a request body, as scripts/run.sh sets it.
REQUEST_MAX_SIZE = 2 * 1024 * 1024

Stack = ChannelStack


def hardened_endpoints(action_timeout: float = ACTION_TIMEOUT) -> str:
    """endpoints.yml as the project has it, with another action timeout."""
    return shipped_endpoints(action_endpoint={**shipped_action_endpoint(), "timeout": action_timeout})


@pytest.fixture(scope="session")
def hardening_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hardening")


stack = channel_stack_fixture(
    "stack",
    ChannelOptions(
        SLACK_TOKEN,
        SLACK_SIGNING_SECRET,
        endpoints=hardened_endpoints(),
        api_token=API_TOKEN,
        env={"SANIC_REQUEST_MAX_SIZE": str(REQUEST_MAX_SIZE)},
        action_server=True,
    ),
    folder="hardening",
)


def wait_for(condition: Any, timeout: float, what: str) -> Any:
    """Polls `condition()` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {timeout:.0f} s")


def post(
    url: str, body: bytes, content_type: str = "application/json", timeout: float = 60.0
) -> tuple[int, Any]:
    """POST raw bytes; the status and the JSON body (or the text when it is not JSON)."""
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


def say(stack: Stack, sender: str, message: Any, timeout: float = 60.0) -> tuple[int, Any]:
    """One message through the REST channel."""
    body = json.dumps({"sender": sender, "message": message}).encode()
    return post(f"{stack.rasa.base}/webhooks/rest/webhook", body, timeout=timeout)


def texts(replies: Any) -> str:
    assert isinstance(replies, list), replies
    return "\n".join(str(r.get("text", "")) for r in replies)


def new_sender(prefix: str = "h") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"
