"""One stack for all channel tests: the action server, the Rasa server with the
project's own credentials.yml (REST, socket.io, Slack), the web page, and the
fake Slack Web API. A Rasa server takes ~25 s to load, so it starts once."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.channels.fake_slack import FakeSlackApi, SlackSender
from tests.stack import MODEL, ROOT, ActionServer, RasaServer, free_port, rasa_env, stop, wait_until_up

SLACK_TOKEN = "xoxb-test-token"
SLACK_SIGNING_SECRET = "test-signing-secret"


@dataclass
class WebServer:
    """web/ served as `make run` serves it (python -m http.server), on a free loopback port."""

    workdir: Path
    port: int = 0
    process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> WebServer:
        self.port = self.port or free_port()
        log = self.workdir / f"web-{self.port}.log"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "http.server",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--directory",
                "web",
            ],
            cwd=ROOT,
            env=rasa_env(),
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until_up(f"{self.base}/index.html", self.process, log, timeout=30)
        return self

    def stop(self) -> None:
        stop(self.process)


@dataclass
class Channels:
    rasa: RasaServer
    web: WebServer
    slack_api: FakeSlackApi
    slack: SlackSender

    @property
    def page_url(self) -> str:
        # delay=0: the widget shows each bot message at once instead of "typing" first.
        return f"{self.web.base}/index.html?server={self.rasa.base}&delay=0"


@pytest.fixture(scope="session")
def channels_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("channels")


@pytest.fixture(scope="session")
def channels(channels_workdir: Path) -> Iterator[Channels]:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first")
    if not (ROOT / "web" / "node_modules" / "rasa-webchat" / "lib" / "index.js").exists():
        pytest.fail("web/node_modules is missing: run `make web` (npm ci in web/)")
    started: list[ActionServer | RasaServer | WebServer | FakeSlackApi] = []
    try:
        slack_api = FakeSlackApi().start()
        started.append(slack_api)
        web = WebServer(channels_workdir).start()
        started.append(web)
        actions = ActionServer(channels_workdir).start()
        started.append(actions)
        rasa = RasaServer(
            channels_workdir,
            actions.url,
            credentials=(ROOT / "credentials.yml").read_text(),
            # The page comes from another origin (port) than the socket.io endpoint.
            extra_args=["--cors", web.base],
            env={
                "SLACK_TOKEN": SLACK_TOKEN,
                "SLACK_SIGNING_SECRET": SLACK_SIGNING_SECRET,
                "SLACK_API_BASE_URL": slack_api.base_url,
                "SLACK_USE_THREADS": "true",
            },
        ).start()
        started.append(rasa)
        yield Channels(
            rasa=rasa,
            web=web,
            slack_api=slack_api,
            slack=SlackSender(f"{rasa.base}/webhooks/slack/webhook", SLACK_SIGNING_SECRET),
        )
    finally:
        for server in reversed(started):
            server.stop()
