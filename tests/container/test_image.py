"""The image on its own: each role starts from the environment alone, as a user
that is not root, with the hardening `make run` has, and nothing secret inside."""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from local_stack.podman import podman, podman_json
from local_stack.processes import free_port, free_ports


@dataclass
class Container:
    name: str
    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def wait_answers(url: str, container: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            state = podman_json("inspect", container)[0]["State"]
            assert state["Running"], podman("logs", container, check=False).stderr[-3000:]
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {timeout:.0f} s")


def run(image: str, role: str, port_env: str, port: int, *env: str) -> str:
    name = f"test-{role}-{uuid.uuid4().hex[:8]}"
    # No periodic health check: it needs systemd; the tests run it by hand.
    options = ["--network", "host", "--health-interval", "disable", "-e", f"{port_env}={port}"]
    for pair in env:
        options += ["-e", pair]
    podman("run", "-d", "--name", name, *options, image, role)
    return name


@pytest.fixture(scope="module")
def api_token() -> str:
    return secrets.token_urlsafe(16)


@pytest.fixture(scope="module")
def stack(image: str, api_token: str) -> Iterator[dict[str, Container]]:
    """The three roles, Rasa with SQLite inside its container (no TRACKER_STORE_URL)."""
    ports = dict(zip(("actions", "rasa", "web"), free_ports(3), strict=True))
    names: dict[str, str] = {}
    try:
        names["actions"] = run(image, "actions", "ACTION_PORT", ports["actions"])
        names["web"] = run(image, "web", "WEB_PORT", ports["web"])
        action_url = f"ACTION_SERVER_URL=http://127.0.0.1:{ports['actions']}/webhook"
        token = f"RASA_API_TOKEN={api_token}"
        names["rasa"] = run(image, "rasa", "RASA_PORT", ports["rasa"], action_url, token)
        containers = {role: Container(name, ports[role]) for role, name in names.items()}
        paths = {"actions": "/health", "rasa": "/", "web": "/index.html"}
        for role, container in containers.items():
            wait_answers(container.base + paths[role], container.name)
        yield containers
    finally:
        for name in names.values():
            podman("rm", "-f", "-t", "2", name, check=False)


def say(rasa: Container, sender: str, message: str) -> list[dict[str, object]]:
    request = urllib.request.Request(
        f"{rasa.base}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": message}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return list(json.loads(response.read()))


def test_a_conversation_through_the_rasa_and_actions_containers(stack: dict[str, Container]) -> None:
    sender = f"img-{uuid.uuid4().hex[:8]}"
    first = " ".join(
        str(r.get("text")) for r in say(stack["rasa"], sender, "How much does a product manager earn?")
    )
    assert "$98,439" in first
    second = " ".join(str(r.get("text")) for r in say(stack["rasa"], sender, "and production managers?"))
    assert "$73,786" in second, "the second turn needs the first's topic, from the SQLite store"


def test_every_role_is_healthy_by_the_images_own_check(stack: dict[str, Container]) -> None:
    for container in stack.values():
        assert podman("healthcheck", "run", container.name, check=False).returncode == 0, container.name


def test_the_health_check_fails_when_the_server_is_gone(image: str) -> None:
    # Nothing listens on the port the container's role is told to use.
    name = f"test-sleep-{uuid.uuid4().hex[:8]}"
    podman(
        "run",
        "-d",
        "--name",
        name,
        "--network",
        "host",
        "--health-interval",
        "disable",
        "-e",
        f"ACTION_PORT={free_port()}",
        "--entrypoint",
        "sleep",
        image,
        "60",
    )
    try:
        assert podman("healthcheck", "run", name, check=False).returncode != 0
    finally:
        podman("rm", "-f", "-t", "0", name, check=False)


def test_the_page_and_the_widget_are_served(stack: dict[str, Container]) -> None:
    web = stack["web"].base
    with urllib.request.urlopen(f"{web}/index.html", timeout=10) as response:
        assert "node_modules/rasa-webchat/lib/index.js" in response.read().decode()
    with urllib.request.urlopen(f"{web}/node_modules/rasa-webchat/lib/index.js", timeout=10) as response:
        assert response.status == 200 and len(response.read()) > 100_000


def test_the_hardening_of_make_run_is_on(stack: dict[str, Container], api_token: str) -> None:
    rasa = stack["rasa"].base
    # Slack without its secrets answers 503; the HTTP API wants the token.
    request = urllib.request.Request(f"{rasa}/webhooks/slack/webhook", data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 503
    with pytest.raises(urllib.error.HTTPError) as unauthorised:
        urllib.request.urlopen(f"{rasa}/status", timeout=10)
    assert unauthorised.value.code == 401
    with urllib.request.urlopen(f"{rasa}/status?token={api_token}", timeout=10) as response:
        assert response.status == 200
    # A body over the 2 MB limit scripts/serve.sh gives Sanic.
    big = urllib.request.Request(f"{rasa}/webhooks/rest/webhook", data=b"x" * 3_000_000, method="POST")
    with pytest.raises(urllib.error.HTTPError) as too_big:
        urllib.request.urlopen(big, timeout=10)
    assert too_big.value.code == 413


def shell(image: str, script: str) -> list[str]:
    """The words `script` prints in a throwaway container of the image, as its user."""
    return podman("run", "--rm", "--entrypoint", "sh", image, "-c", script).stdout.split()


def test_it_runs_as_a_user_that_is_not_root_and_cannot_change_the_code(image: str) -> None:
    config = podman_json("image", "inspect", image)[0]["Config"]
    assert config["User"] == "10001:10001"
    out = shell(
        image,
        "id -u; touch /app/actions/x 2>/dev/null && echo writable || echo read-only; "
        "touch /app/var/x && echo var-writable",
    )
    assert out == ["10001", "read-only", "var-writable"]


SECRET_NAMES = ("SLACK_TOKEN", "SLACK_SIGNING_SECRET", "RASA_API_TOKEN", "TRACKER_STORE_URL", "REDIS_URL")


def test_no_secret_in_its_history_its_configuration_or_its_files(image: str) -> None:
    history = podman("history", "--no-trunc", "--format", "{{.CreatedBy}}", image).stdout
    inspected = podman("image", "inspect", image).stdout
    for name in SECRET_NAMES:
        assert name not in history and name not in inspected, name
    for pattern in ("xoxb-", "password", "PASSWORD"):
        assert pattern not in history and pattern not in inspected, pattern
    env = podman_json("image", "inspect", image)[0]["Config"]["Env"]
    assert not [pair for pair in env if pair.split("=")[0] in SECRET_NAMES]
    # What the build context may hold and the image must not: conversations, a .env, the host's venv.
    listing = shell(
        image,
        "ls -A /app; ls -A /app/var; test -e /app/.env && echo has-env; "
        "grep -c sandboxing /etc/ssl/certs/ca-certificates.crt || true",
    )
    assert "has-env" not in listing and "conversations.db" not in listing
    assert {"tests", "docs", ".git", "results", "evaluation", "benchmarks"}.isdisjoint(listing)
    assert listing[-1] == "0", "the build's borrowed CA bundle is not baked in"


def test_every_role_stops_when_asked_not_killed(image: str) -> None:
    """SIGTERM ends each role (tini passes it on): a rolling update does not wait out
    the grace period, nor kill a server in the middle of a request."""
    roles = {"actions": "ACTION_PORT", "web": "WEB_PORT", "rasa": "RASA_PORT"}
    ports = dict(zip(roles, free_ports(len(roles)), strict=True))
    names = {role: run(image, role, variable, ports[role]) for role, variable in roles.items()}
    try:
        paths = {"actions": "/health", "rasa": "/", "web": "/index.html"}
        for role, name in names.items():
            wait_answers(f"http://127.0.0.1:{ports[role]}{paths[role]}", name)
        for role, name in names.items():
            started = time.monotonic()
            podman("stop", "-t", "8", name)
            state = podman_json("inspect", name)[0]["State"]
            assert state["ExitCode"] != 137, f"{role} was killed after the timeout, not stopped"
            assert time.monotonic() - started < 8, role
    finally:
        for name in names.values():
            podman("rm", "-f", "-t", "0", name, check=False)
