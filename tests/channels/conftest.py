"""One stack for all channel tests: the action server, the Rasa server with the
project's own credentials.yml and endpoints.yml (REST, socket.io, Slack;
conversations in an SQLite file of the session's), the web page, and the fake
Slack Web API (tests.stack.channel_stack). A Rasa server takes ~25 s to load,
so it starts once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.stack import MODEL, ROOT, ChannelStack, channel_stack

SLACK_TOKEN = "xoxb-test-token"
SLACK_SIGNING_SECRET = "test-signing-secret"

Channels = ChannelStack


@pytest.fixture(scope="session")
def channels_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("channels")


@pytest.fixture(scope="session")
def channels(channels_workdir: Path) -> Iterator[Channels]:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first")
    if not (ROOT / "web" / "node_modules" / "rasa-webchat" / "lib" / "index.js").exists():
        pytest.fail("web/node_modules is missing: run `make web` (npm ci in web/)")
    with channel_stack(
        channels_workdir, SLACK_TOKEN, SLACK_SIGNING_SECRET, env={"SLACK_USE_THREADS": "true"}
    ) as stack:
        yield stack
