"""The assistant's own servers as local processes: the action server, Rasa, the web page.

A Rasa server runs what the project ships: the repo's own credentials.yml and
endpoints.yml, as they are, in the environment `make run` and `make cluster`
give them (the actions in the Rasa process, or the action server
ACTION_SERVER_URL names, conversations in SQLite or PostgreSQL from
TRACKER_STORE_URL, locks in Redis from REDIS_URL), by default with the
actions in the process and an SQLite file in a folder of the caller's.

Each server runs in its own process group (local_stack.processes) on a free
loopback port unless given one, its log in its `workdir`, and is stopped by
process id. `start()` is `launch()` then `wait()`; starting several at once is
`launch()` on each, then local_stack.processes.wait_all over their `watched()`.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml

from local_stack.http_client import http_json
from local_stack.processes import (
    ROOT,
    Watched,
    free_port,
    kill_process,
    rasa_env,
    start_process,
    stop_process,
    url_answers,
    wait_all,
)
from local_stack.tracker_db import stored_events

VENV_BIN = ROOT / ".venv" / "bin"
RASA = str(VENV_BIN / "rasa")
MODEL = ROOT / "models" / "assistant.tar.gz"
CREDENTIALS = ROOT / "credentials.yml"
ENDPOINTS = ROOT / "endpoints.yml"
WEB = ROOT / "web"
WIDGET = WEB / "node_modules" / "rasa-webchat" / "lib" / "index.js"
# The variables the shipped files read (rasa_patches/action_endpoint.py, deploy/stores.py).
ACTION_SERVER_URL = "ACTION_SERVER_URL"
TRACKER_STORE_URL = "TRACKER_STORE_URL"
REDIS_URL = "REDIS_URL"
START_TIMEOUT = 180.0


def shipped_action_endpoint() -> dict[str, Any]:
    return dict(yaml.safe_load(ENDPOINTS.read_text())["action_endpoint"])


def shipped_endpoints(**sections: Any) -> str:
    """endpoints.yml's text with `sections` replaced, e.g. tracker_store={"type": "SQL", ...}."""
    config = yaml.safe_load(ENDPOINTS.read_text())
    config.update(sections)
    return yaml.safe_dump(config, sort_keys=False)


def stock_endpoints(action_url: str, extra: str = "") -> str:
    """An endpoints file for Rasa's own channels, which do not read ACTION_SERVER_URL:
    endpoints.yml's action endpoint settings at `action_url` (its `actions_module`,
    which Rasa 3.6 does not know, left out), then `extra`."""
    action_endpoint = {**shipped_action_endpoint(), "url": action_url}
    action_endpoint.pop("actions_module", None)
    return yaml.safe_dump({"action_endpoint": action_endpoint}) + extra


S = TypeVar("S", bound="_Server")


class _Server:
    """What every server here shares: a process of its own, a log in `workdir`, a health URL."""

    workdir: Path
    port: int
    process: subprocess.Popen | None
    log: Path
    name = "server"
    start_timeout = START_TIMEOUT

    @property
    def health_url(self) -> str:
        raise NotImplementedError

    def command(self) -> list[str]:
        raise NotImplementedError

    def environment(self) -> dict[str, str]:
        return {}

    def launch(self: S) -> S:
        """Start the process, without waiting for it."""
        self.port = self.port or free_port()
        self.log = self.workdir / f"{self.name}-{self.port}.log"
        self.process = start_process(self.command(), self.log, env=rasa_env(**self.environment()))
        return self

    def watched(self) -> Watched:
        assert self.process is not None, "launch() first"
        return self.process, self.log, url_answers(self.health_url)

    def wait(self, timeout: float | None = None) -> None:
        wait_all({self.health_url: self.watched()}, timeout or self.start_timeout)

    def start(self: S, timeout: float | None = None) -> S:
        """Launch, then wait until the health URL answers (at most `timeout`, or `start_timeout`)."""
        self.launch()
        self.wait(timeout)
        return self

    def stop(self) -> None:
        stop_process(self.process)


@dataclass
class ActionServer(_Server):
    """This assistant's action server (`rasa run actions`), on every interface as rasa_sdk
    listens, on a free port unless given one. `env` is added to its environment."""

    workdir: Path
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None

    name = "actions"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"

    @property
    def health_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/health"

    def command(self) -> list[str]:
        return [RASA, "run", "actions", "--port", str(self.port), "--actions", "actions"]

    def environment(self) -> dict[str, str]:
        return dict(self.env)


@dataclass
class RasaServer(_Server):
    """`rasa run` on a free loopback port, with the project's configuration.

    By default the repo's credentials.yml and endpoints.yml themselves, with
    ACTION_SERVER_URL empty (the actions in the Rasa process, endpoints.yml's
    `actions_module`), TRACKER_STORE_URL at `database` (an SQLite file in
    `workdir`, never var/) and REDIS_URL empty (locks in the process): `make
    run`'s form. `action_url` sends the actions to an action server instead,
    as `make cluster` does; `env` overrides these (PostgreSQL and Redis for the
    cluster's form).

    `credentials` or `endpoints`, as text, replace a file for the few tests that
    compare with Rasa's own channels or stores. Rasa's own channels do not read
    ACTION_SERVER_URL (rasa_patches/action_endpoint.py applies it to the agent
    that deploy/stores.py's tracker store or connectors.rest.RestInput patches): give them
    `stock_endpoints(action_url)`. `endpoints_extra` is the older way of saying
    `endpoints=stock_endpoints(action_url, endpoints_extra)`.
    """

    workdir: Path
    action_url: str | None = None
    credentials: str | None = None
    endpoints: str | None = None
    endpoints_extra: str = ""
    extra_args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    database: Path | None = None
    process: subprocess.Popen | None = None

    name = "rasa"

    def __post_init__(self) -> None:
        if self.database is None:
            self.database = self.workdir / f"conversations-{self.port}.db"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def health_url(self) -> str:
        return f"{self.base}/"

    def environment(self) -> dict[str, str]:
        """The variables the shipped configuration reads, as this server gets them."""
        return {
            ACTION_SERVER_URL: self.action_url or "",
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
            if self.action_url is None:
                raise ValueError("endpoints_extra sends the actions to an action server: give action_url")
            endpoints_text = stock_endpoints(self.action_url, self.endpoints_extra)
        endpoints = ENDPOINTS
        if endpoints_text is not None:
            endpoints = self.workdir / f"endpoints-{self.port}.yml"
            endpoints.write_text(endpoints_text)
        elif self.action_url is not None and "connectors.rest.RestInput" not in credentials.read_text():
            # Rasa's own channels build the agent before the patches read ACTION_SERVER_URL.
            raise ValueError(
                "Rasa's own channels do not read ACTION_SERVER_URL: "
                "give endpoints=stock_endpoints(action_url)"
            )
        if not self.environment()[TRACKER_STORE_URL].strip():
            raise ValueError("an empty TRACKER_STORE_URL would put the test's conversations in var/")
        return credentials, endpoints

    def command(self) -> list[str]:
        credentials, endpoints = self._config_files()
        return [
            RASA,
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
        ]

    def kill(self) -> None:
        """A hard crash: SIGKILL, no shutdown handlers run. `start()` brings it back."""
        kill_process(self.process)

    def send(self, sender: str, message: str) -> list[dict[str, Any]]:
        """One user message through the REST channel; the bot's replies."""
        return list(
            http_json("POST", f"{self.base}/webhooks/rest/webhook", {"sender": sender, "message": message})
        )

    def stored(self, sender: str) -> list[dict[str, Any]]:
        """The conversation's events, read from the tracker store's database itself."""
        return stored_events(self.tracker_store_url, [sender]).get(sender, [])


@dataclass
class WebServer(_Server):
    """web/ served as `make run` serves it (python -m http.server), on a free port unless
    given one, on loopback unless `bind` is None (every interface, as `make cluster`)."""

    workdir: Path
    port: int = 0
    bind: str | None = "127.0.0.1"
    process: subprocess.Popen | None = None

    name = "web"
    start_timeout = 30.0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def health_url(self) -> str:
        return f"{self.base}/index.html"

    def command(self) -> list[str]:
        bind = ["--bind", self.bind] if self.bind else []
        return [sys.executable, "-m", "http.server", str(self.port), *bind, "--directory", "web"]
