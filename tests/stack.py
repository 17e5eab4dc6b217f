"""Starts the real action server and Rasa server for end-to-end tests.

A Rasa server runs what the project ships: the repo's own credentials.yml and
endpoints.yml, as they are, in the environment `make run` and `make cluster`
give them (the action server from ACTION_SERVER_URL, conversations in SQLite
or PostgreSQL from TRACKER_STORE_URL, locks in Redis from REDIS_URL), here
with an SQLite file of the test's own and a test action server. `channel_stack`
adds what the channel tests talk to: the web page and a fake Slack Web API.

Each server runs in its own process group on a free loopback port and is
stopped by process id. A Rasa server takes ~25 s to load here, so test
sessions start one stack and share it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:  # tests.channels.fake_slack imports this module
    from tests.channels.fake_slack import FakeSlackApi, SlackSender

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
MODEL = ROOT / "models" / "assistant.tar.gz"
CREDENTIALS = ROOT / "credentials.yml"
ENDPOINTS = ROOT / "endpoints.yml"
# The variables the shipped files read (rasa_patches/action_endpoint.py, deploy/stores.py).
ACTION_SERVER_URL = "ACTION_SERVER_URL"
TRACKER_STORE_URL = "TRACKER_STORE_URL"
REDIS_URL = "REDIS_URL"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rasa_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def http_json(method: str, url: str, body: Any = None, timeout: float = 30.0) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        raw = response.read()
    return json.loads(raw) if raw else None


def wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"{url}: process exited with {process.returncode}; log:\n{log.read_text()[-3000:]}"
            )
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.5)
    raise RuntimeError(f"{url} not up after {timeout:.0f} s; log:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@dataclass
class ActionServer:
    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"

    def start(self) -> ActionServer:
        log = self.workdir / f"actions-{self.port}.log"
        self.process = subprocess.Popen(
            [str(VENV_BIN / "rasa"), "run", "actions", "--port", str(self.port), "--actions", "actions"],
            cwd=ROOT,
            env=rasa_env(),
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until_up(f"http://127.0.0.1:{self.port}/health", self.process, log)
        return self

    def stop(self) -> None:
        stop(self.process)


def shipped_action_endpoint() -> dict[str, Any]:
    return dict(yaml.safe_load(ENDPOINTS.read_text())["action_endpoint"])


def shipped_endpoints(**sections: Any) -> str:
    """endpoints.yml's text with `sections` replaced, e.g. tracker_store={"type": "SQL", ...}."""
    config = yaml.safe_load(ENDPOINTS.read_text())
    config.update(sections)
    return yaml.safe_dump(config, sort_keys=False)


def stock_endpoints(action_url: str, extra: str = "") -> str:
    """An endpoints file for Rasa's own channels, which do not read ACTION_SERVER_URL:
    endpoints.yml's action endpoint settings at `action_url`, then `extra`."""
    action_endpoint = {**shipped_action_endpoint(), "url": action_url}
    return yaml.safe_dump({"action_endpoint": action_endpoint}) + extra


def stored_events(
    url: str, sender_ids: list[str] | None = None, prefix: str | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Every event a tracker store database holds for these conversations, in stored order."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            if prefix is not None:
                rows = connection.execute(
                    sa.text("SELECT sender_id, data FROM events WHERE sender_id LIKE :p ORDER BY id"),
                    {"p": prefix + "%"},
                )
            else:
                query = sa.text("SELECT sender_id, data FROM events WHERE sender_id IN :ids ORDER BY id")
                rows = connection.execute(
                    query.bindparams(sa.bindparam("ids", expanding=True)), {"ids": sender_ids or []}
                )
            events: dict[str, list[dict[str, Any]]] = {}
            for sender_id, data in rows:
                events.setdefault(sender_id, []).append(json.loads(data))
            return events
    finally:
        engine.dispose()


@dataclass
class RasaServer:
    """`rasa run` on a free loopback port, with the project's configuration.

    By default the repo's credentials.yml and endpoints.yml themselves, with
    ACTION_SERVER_URL at `action_url`, TRACKER_STORE_URL at `database` (an
    SQLite file in `workdir`, never var/) and REDIS_URL empty (locks in the
    process): `make run`'s form. `env` overrides these (PostgreSQL and Redis
    for the cluster's form).

    `credentials` or `endpoints`, as text, replace a file for the few tests that
    compare with Rasa's own channels or stores. Rasa's own channels do not read
    ACTION_SERVER_URL (rasa_patches/action_endpoint.py applies it to the agent
    that deploy/stores.py's tracker store or connectors.rest.RestInput patches): give them
    `stock_endpoints(action_url)`. `endpoints_extra` is the older way of saying
    `endpoints=stock_endpoints(action_url, endpoints_extra)`.
    """

    workdir: Path
    action_url: str
    credentials: str | None = None
    endpoints: str | None = None
    endpoints_extra: str = ""
    extra_args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    database: Path | None = None
    process: subprocess.Popen | None = None

    def __post_init__(self) -> None:
        if self.database is None:
            self.database = self.workdir / f"conversations-{self.port}.db"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        """The variables the shipped configuration reads, as this server gets them."""
        return {
            ACTION_SERVER_URL: self.action_url,
            TRACKER_STORE_URL: f"sqlite:///{self.database}",
            REDIS_URL: "",
            **self.env,
        }

    @property
    def tracker_store_url(self) -> str:
        return self.environment()[TRACKER_STORE_URL]

    def _config_files(self) -> tuple[Path, Path]:
        credentials = CREDENTIALS
        if self.credentials is not None:
            credentials = self.workdir / f"credentials-{self.port}.yml"
            credentials.write_text(self.credentials)
        endpoints_text = self.endpoints
        if endpoints_text is None and self.endpoints_extra:
            endpoints_text = stock_endpoints(self.action_url, self.endpoints_extra)
        endpoints = ENDPOINTS
        if endpoints_text is not None:
            endpoints = self.workdir / f"endpoints-{self.port}.yml"
            endpoints.write_text(endpoints_text)
        elif "connectors.rest.RestInput" not in credentials.read_text():
            # The action calls would go to endpoints.yml's localhost:5055, whatever listens there.
            raise ValueError(
                "Rasa's own channels do not read ACTION_SERVER_URL: "
                "give endpoints=stock_endpoints(action_url)"
            )
        if not self.environment()[TRACKER_STORE_URL].strip():
            raise ValueError("an empty TRACKER_STORE_URL would put the test's conversations in var/")
        return credentials, endpoints

    def start(self, timeout: float = 180.0) -> RasaServer:
        credentials, endpoints = self._config_files()
        self.log = self.workdir / f"rasa-{self.port}.log"
        self.process = subprocess.Popen(
            [
                str(VENV_BIN / "rasa"),
                "run",
                "--model",
                str(MODEL),
                "--port",
                str(self.port),
                "--interface",
                "127.0.0.1",
                "--credentials",
                str(credentials),
                "--endpoints",
                str(endpoints),
                *self.extra_args,
            ],
            cwd=ROOT,
            env=rasa_env(**self.environment()),
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until_up(f"{self.base}/", self.process, self.log, timeout)
        return self

    def stop(self) -> None:
        stop(self.process)

    def kill(self) -> None:
        """A hard crash: SIGKILL, no shutdown handlers run. `start()` brings it back."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def send(self, sender: str, message: str) -> list[dict[str, Any]]:
        """One user message through the REST channel; the bot's replies."""
        return list(
            http_json("POST", f"{self.base}/webhooks/rest/webhook", {"sender": sender, "message": message})
        )

    def stored(self, sender: str) -> list[dict[str, Any]]:
        """The conversation's events, read from the tracker store's database itself."""
        return stored_events(self.tracker_store_url, [sender]).get(sender, [])


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
class ChannelStack:
    """A Rasa server with every channel of credentials.yml, and what each talks to."""

    rasa: RasaServer
    actions: ActionServer
    web: WebServer
    slack_api: FakeSlackApi
    slack: SlackSender
    api_token: str | None = None

    @property
    def page_url(self) -> str:
        # delay=0: the widget shows each bot message at once instead of "typing" first.
        return f"{self.web.base}/index.html?server={self.rasa.base}&delay=0"

    @property
    def database(self) -> Path:
        assert self.rasa.database is not None
        return self.rasa.database

    def user_texts(self, sender: str) -> list[str]:
        """The user messages of a conversation, as the tracker store (the SQLite file) holds them."""
        with contextlib.closing(sqlite3.connect(self.database)) as db:
            rows = db.execute(
                "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
                (sender,),
            ).fetchall()
        return [json.loads(data).get("text") for (data,) in rows]

    def tracker(self, sender: str) -> dict[str, Any]:
        """The conversation through Rasa's HTTP API, with the token."""
        assert self.api_token, "the HTTP API is on only with an api_token"
        url = f"{self.rasa.base}/conversations/{urllib.parse.quote(sender)}/tracker?token={self.api_token}"
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


@contextlib.contextmanager
def channel_stack(
    workdir: Path,
    slack_token: str,
    slack_signing_secret: str,
    credentials: str | None = None,
    api_token: str | None = None,
    extra_args: list[str] | None = None,
    env: dict[str, str] | None = None,
    endpoints: str | None = None,
) -> Iterator[ChannelStack]:
    """The fake Slack Web API, the web page, the action server and a Rasa server with
    the project's configuration (`RasaServer`), the page's origin allowed (`--cors`),
    Slack on, and the HTTP API on behind `api_token` when one is given. Stopped on exit."""
    from tests.channels.fake_slack import FakeSlackApi, SlackSender

    if not MODEL.exists():
        raise RuntimeError(f"{MODEL} is missing: run `make train` first")
    started: list[Any] = []
    stack: ChannelStack | None = None
    try:
        slack_api = FakeSlackApi().start()
        started.append(slack_api)
        web = WebServer(workdir).start()
        started.append(web)
        actions = ActionServer(workdir).start()
        started.append(actions)
        api = ["--enable-api", "--auth-token", api_token] if api_token else []
        rasa = RasaServer(
            workdir,
            actions.url,
            credentials=credentials,
            endpoints=endpoints,
            # The page comes from another origin (port) than the socket.io endpoint.
            extra_args=["--cors", web.base, *api, *(extra_args or [])],
            env={
                "SLACK_TOKEN": slack_token,
                "SLACK_SIGNING_SECRET": slack_signing_secret,
                "SLACK_API_BASE_URL": slack_api.base_url,
                **(env or {}),
            },
        ).start()
        started.append(rasa)
        stack = ChannelStack(
            rasa=rasa,
            actions=actions,
            web=web,
            slack_api=slack_api,
            slack=SlackSender(f"{rasa.base}/webhooks/slack/webhook", slack_signing_secret),
            api_token=api_token,
        )
        yield stack
    finally:
        if stack is not None:
            started[2] = stack.actions  # perhaps restarted, on the same port
        for server in reversed(started):
            if isinstance(server, ActionServer) and server.process is not None:
                # A paused action server would not stop on SIGTERM.
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(server.process.pid, signal.SIGCONT)
            server.stop()


def reply_text(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(r.get("text", "")) for r in replies)
