"""One hardened stack for the robustness tests (docs/robustness.md).

The Rasa server runs with the project's own credentials.yml (the hardened REST
channel, socket.io, Slack against a fake Slack Web API), the SQL tracker store
on an SQLite file of its own, and the HTTP API on behind a token, as
docs/robustness.md describes for production. Its action server is the real one,
on a fixed port, so tests can stop, pause and restart it. A Rasa server takes
~25 s to load, so the stack starts once per session.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import sqlite3
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.channels.conftest import WebServer
from tests.channels.fake_slack import FakeSlackApi, SlackSender
from tests.stack import MODEL, ROOT, ActionServer, RasaServer, free_port, http_json

# Short, so the slow-action-server test waits seconds, not the 10 s of credentials.yml.
ACTION_TIMEOUT = 3.0
SLACK_TOKEN = "xoxb-" + secrets.token_hex(12)
SLACK_SIGNING_SECRET = secrets.token_hex(16)
API_TOKEN = secrets.token_hex(24)
# Sanic's own limit on a request body, as scripts/run.sh sets it.
REQUEST_MAX_SIZE = 2 * 1024 * 1024


def hardened_credentials(action_timeout: float = ACTION_TIMEOUT) -> str:
    """credentials.yml as the project has it, with a shorter action timeout."""
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text())
    rest = credentials.get("connectors.rest.RestInput")
    assert rest is not None, "credentials.yml must use the hardened REST channel (connectors.rest.RestInput)"
    rest["action_timeout"] = action_timeout
    return yaml.safe_dump(credentials, sort_keys=False)


def sqlite_store(path: Path) -> tuple[str, dict[str, str]]:
    """endpoints.yml lines and environment for the project's SQL tracker store on `path`."""
    extra = "tracker_store:\n  type: deploy.stores.ConversationTrackerStore\n"
    return extra, {"TRACKER_STORE_URL": f"sqlite:///{path}"}


@dataclass
class Stack:
    rasa: RasaServer
    actions: ActionServer
    web: WebServer
    slack_api: FakeSlackApi
    slack: SlackSender
    database: Path

    @property
    def page_url(self) -> str:
        return f"{self.web.base}/index.html?server={self.rasa.base}&delay=0"

    def user_texts(self, sender: str) -> list[str]:
        """The user messages of a conversation, as the tracker store holds them."""
        with sqlite3.connect(self.database) as db:
            rows = db.execute(
                "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
                (sender,),
            ).fetchall()
        return [json.loads(data).get("text") for (data,) in rows]

    def tracker(self, sender: str) -> dict[str, Any]:
        """The conversation through Rasa's HTTP API, with the token."""
        url = f"{self.rasa.base}/conversations/{urllib.parse.quote(sender)}/tracker?token={API_TOKEN}"
        return dict(http_json("GET", url))

    def pause_actions(self) -> None:
        """Stop the action server's processes without closing its socket: calls hang."""
        assert self.actions.process is not None
        os.killpg(self.actions.process.pid, signal.SIGSTOP)

    def resume_actions(self) -> None:
        assert self.actions.process is not None
        os.killpg(self.actions.process.pid, signal.SIGCONT)

    def restart_actions(self) -> None:
        self.actions.stop()
        self.actions = ActionServer(self.actions.workdir, port=self.actions.port).start()


@pytest.fixture(scope="session")
def hardening_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hardening")


@pytest.fixture(scope="session")
def stack(hardening_workdir: Path) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first")
    started: list[Any] = []
    stack: Stack | None = None
    database = hardening_workdir / "conversations.db"
    endpoints_extra, store_env = sqlite_store(database)
    try:
        slack_api = FakeSlackApi().start()
        started.append(slack_api)
        web = WebServer(hardening_workdir).start()
        started.append(web)
        actions = ActionServer(hardening_workdir, port=free_port()).start()
        started.append(actions)
        rasa = RasaServer(
            hardening_workdir,
            actions.url,
            credentials=hardened_credentials(),
            endpoints_extra=endpoints_extra,
            # As in production: one allowed origin (the page's), the API behind a token.
            extra_args=["--cors", web.base, "--enable-api", "--auth-token", API_TOKEN],
            env={
                **store_env,
                "SANIC_REQUEST_MAX_SIZE": str(REQUEST_MAX_SIZE),
                "SLACK_TOKEN": SLACK_TOKEN,
                "SLACK_SIGNING_SECRET": SLACK_SIGNING_SECRET,
                "SLACK_API_BASE_URL": slack_api.base_url,
            },
        ).start()
        started.append(rasa)
        stack = Stack(
            rasa=rasa,
            actions=actions,
            web=web,
            slack_api=slack_api,
            slack=SlackSender(f"{rasa.base}/webhooks/slack/webhook", SLACK_SIGNING_SECRET),
            database=database,
        )
        yield stack
    finally:
        if stack is not None:
            started[2] = stack.actions  # perhaps restarted, under the same port
        for server in reversed(started):
            try:
                if isinstance(server, ActionServer) and server.process is not None:
                    # A paused action server would not stop on SIGTERM.
                    os.killpg(server.process.pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
            server.stop()


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
