"""The tests' stacks, in one place: what the suites' conftests import and share.

The servers themselves are local_stack's (the action server, the Rasa server
with the project's own credentials.yml and endpoints.yml, the web page,
PostgreSQL, Redis, nginx). Here is what only the tests build of them:

- `channel_stack(workdir, options)`: the one builder of the channel and
  hardening suites' stack, a Rasa server with every channel of credentials.yml
  and what each talks to (the web page, a fake Slack Web API, and an action
  server when `options.action_server` asks for one instead of the actions in
  the Rasa process), parameterised by `ChannelOptions`;
- the session fixtures of the suites (a Rasa server takes ~25 s to load here,
  so a session starts one stack and shares it): `action_server` and
  `rasa_server` (tests/e2e); `actions`, `postgres` and `redis_server`
  (tests/scaled); a channel stack's, `channel_stack_fixture(name, options)`
  (`channels` in tests/channels, `stack` in tests/hardening). Each suite's
  conftest imports (or makes) the ones it uses.
"""

from __future__ import annotations

import contextlib
import json
import signal
import sqlite3
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from local_stack.http_client import http_json
from local_stack.processes import free_port, signal_group, stop_process
from local_stack.servers import MODEL, WIDGET, ActionServer, RasaServer, WebServer
from local_stack.services import INSTALL_HINT, Postgres, Redis, missing_services

if TYPE_CHECKING:  # tests.channels.fake_slack imports local_stack only
    from tests.channels.fake_slack import FakeSlackApi, SlackSender


def reply_text(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(r.get("text", "")) for r in replies)


def require_model() -> None:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first")


# --------------------------------------------------------------------- the channel stack


@dataclass(frozen=True)
class ChannelOptions:
    """How a channel stack differs from the project's configuration.

    `credentials` and `endpoints` (text) replace credentials.yml and endpoints.yml;
    `api_token` turns the HTTP API on behind it; `extra_args` go to `rasa run`;
    `env` to the Rasa server. `action_server` runs the actions on an action server
    (ACTION_SERVER_URL), as the cluster does, instead of in the Rasa process.
    """

    slack_token: str
    slack_signing_secret: str
    credentials: str | None = None
    endpoints: str | None = None
    api_token: str | None = None
    extra_args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    # The channel tests drive the web chat widget: fail early when it is not installed.
    needs_widget: bool = False
    action_server: bool = False


@dataclass
class ChannelStack:
    """A Rasa server with every channel of credentials.yml, and what each talks to."""

    rasa: RasaServer
    actions: ActionServer | None
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

    @property
    def action_server(self) -> ActionServer:
        assert self.actions is not None, "this stack runs its actions in the Rasa process"
        return self.actions

    def pause_actions(self) -> None:
        """Stop the action server's processes without closing its socket: calls hang."""
        assert self.action_server.process is not None
        signal_group(self.action_server.process, signal.SIGSTOP)

    def resume_actions(self) -> None:
        assert self.action_server.process is not None
        signal_group(self.action_server.process, signal.SIGCONT)

    def restart_actions(self) -> None:
        self.action_server.stop()
        self.actions = ActionServer(self.action_server.workdir, port=self.action_server.port).start()

    def stop(self) -> None:
        if self.actions is not None:
            # A paused action server would not stop on SIGTERM.
            signal_group(self.actions.process, signal.SIGCONT)
        for server in (self.rasa, self.actions, self.web, self.slack_api):
            if server is not None:
                server.stop()


@contextlib.contextmanager
def channel_stack(workdir: Path, options: ChannelOptions) -> Iterator[ChannelStack]:
    """The fake Slack Web API, the web page, an action server if `options.action_server`,
    and a Rasa server with the project's configuration (`RasaServer`), the page's origin
    allowed (`--cors`), Slack on, and the HTTP API on behind `options.api_token` when one
    is given. Stopped on exit, whatever the tests did to the action server (stopped,
    paused, restarted on its port)."""
    from tests.channels.fake_slack import FakeSlackApi, SlackSender

    require_model()
    if options.needs_widget and not WIDGET.exists():
        pytest.fail("web/node_modules is missing: run `make web` (npm ci in web/)")
    slack_api = FakeSlackApi()
    web = WebServer(workdir, port=free_port())
    actions = ActionServer(workdir) if options.action_server else None
    api = ["--enable-api", "--auth-token", options.api_token] if options.api_token else []
    rasa = RasaServer(
        workdir,
        actions.url if actions else None,
        credentials=options.credentials,
        endpoints=options.endpoints,
        # The page comes from another origin (port) than the socket.io endpoint.
        extra_args=["--cors", web.base, *api, *options.extra_args],
        env={
            "SLACK_TOKEN": options.slack_token,
            "SLACK_SIGNING_SECRET": options.slack_signing_secret,
            "SLACK_API_BASE_URL": slack_api.base_url,
            **options.env,
        },
    )
    stack = ChannelStack(
        rasa=rasa,
        actions=actions,
        web=web,
        slack_api=slack_api,
        slack=SlackSender(f"{rasa.base}/webhooks/slack/webhook", options.slack_signing_secret),
        api_token=options.api_token,
    )
    started: list[Any] = []
    for server in (slack_api, web, actions, rasa):
        if server is None:
            continue
        try:
            server.start()
        except BaseException:
            stop_process(getattr(server, "process", None))
            for running in reversed(started):
                running.stop()
            raise
        started.append(server)
    try:
        yield stack
    finally:
        stack.stop()


def channel_stack_fixture(name: str, options: ChannelOptions, folder: str | None = None) -> Any:
    """A session fixture `name`: a channel stack with `options`, in a temporary folder of its own."""

    @pytest.fixture(scope="session", name=name)
    def started(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChannelStack]:
        with channel_stack(tmp_path_factory.mktemp(folder or name), options) as stack:
            yield stack

    return started


# --------------------------------------------------------------------- session fixtures


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("stack")


@pytest.fixture(scope="session")
def action_server(workdir: Path) -> Iterator[ActionServer]:
    server = ActionServer(workdir).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def rasa_server(workdir: Path) -> Iterator[RasaServer]:
    """A Rasa server with the project's own credentials.yml and endpoints.yml (the actions
    in its process), conversations in an SQLite file in the session's temporary folder."""
    require_model()
    server = RasaServer(workdir).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def installed() -> None:
    missing = missing_services()
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: {INSTALL_HINT}")
    require_model()


@pytest.fixture(scope="session")
def scaled_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("scaled")


@pytest.fixture(scope="session")
def actions(installed: None, scaled_workdir: Path) -> Iterator[ActionServer]:
    # One stateless action server behind every Rasa server, as in make cluster.
    server = ActionServer(scaled_workdir).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres(installed: None) -> Iterator[Postgres]:
    server = Postgres().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server(installed: None) -> Iterator[Redis]:
    server = Redis().start()
    yield server
    server.stop()
