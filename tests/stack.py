"""Starts the real action server and Rasa server for end-to-end tests.

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
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
MODEL = ROOT / "models" / "assistant.tar.gz"


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
    return dict(yaml.safe_load((ROOT / "endpoints.yml").read_text())["action_endpoint"])


@dataclass
class RasaServer:
    workdir: Path
    action_url: str
    credentials: str = "rest:\n"
    endpoints_extra: str = ""
    extra_args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 180.0) -> RasaServer:
        credentials = self.workdir / f"credentials-{self.port}.yml"
        credentials.write_text(self.credentials)
        endpoints = self.workdir / f"endpoints-{self.port}.yml"
        # endpoints.yml's action endpoint settings, at this test's action server.
        action_endpoint = {**shipped_action_endpoint(), "url": self.action_url}
        endpoints.write_text(yaml.safe_dump({"action_endpoint": action_endpoint}) + self.endpoints_extra)
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
            env=rasa_env(**self.env),
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


def reply_text(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(r.get("text", "")) for r in replies)
