"""Talking to the scaled-out stack and reading what the tracker store kept."""

from __future__ import annotations

import json
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deploy.stores import REDIS_URL, TRACKER_STORE_URL
from local_stack.processes import wait_all
from local_stack.servers import START_TIMEOUT, RasaServer
from local_stack.tracker_db import stored_events

__all__ = ["stored_events"]


def store_env(tracker_store_url: str, redis_url: str = "") -> dict[str, str]:
    return {TRACKER_STORE_URL: tracker_store_url, REDIS_URL: redis_url}


def start_rasa_servers(
    workdir: Path,
    action_url: str,
    env: dict[str, str],
    count: int,
    extra_args: list[str] | None = None,
) -> list[RasaServer]:
    """Start `count` Rasa servers at once (each loads for ~25 s) on the same stores.

    Each runs the repo's credentials.yml and endpoints.yml themselves, as
    `make cluster` does; `env` names the stores (TRACKER_STORE_URL, REDIS_URL).
    """
    servers = [
        RasaServer(workdir, action_url, extra_args=list(extra_args or []), env=env) for _ in range(count)
    ]
    try:
        for server in servers:
            server.launch()
        wait_all({server.base: server.watched() for server in servers}, START_TIMEOUT)
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return servers


@dataclass
class Reply:
    texts: list[str]
    upstream: str
    seconds: float
    raw: list[dict[str, Any]] = field(default_factory=list)
    started: float = 0.0  # time.monotonic() when the request left

    @property
    def ended(self) -> float:
        return self.started + self.seconds

    @property
    def text(self) -> str:
        return "\n".join(self.texts)


def post(base: str, sender: str, message: str, timeout: float = 60.0) -> Reply:
    """One user message through the REST channel of a Rasa server or the load balancer."""
    request = urllib.request.Request(
        f"{base}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": message}).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=timeout) as response:
        raw = json.loads(response.read() or b"[]")
        upstream = response.headers.get("X-Upstream", "")
    return Reply([str(r.get("text", "")) for r in raw], upstream, time.monotonic() - started, raw, started)


@dataclass
class Turn:
    user: str
    bot: list[str]
    events: list[dict[str, Any]]


def split_turns(events: list[dict[str, Any]]) -> list[Turn]:
    """The conversation as turns: a user message and everything up to the next one."""
    turns: list[Turn] = []
    for event in events:
        if event["event"] == "user":
            turns.append(Turn(event.get("text") or "", [], [event]))
        elif turns:
            turns[-1].events.append(event)
            if event["event"] == "bot":
                turns[-1].bot.append(event.get("text") or "")
    return turns


def assert_complete_turn(turn: Turn, reply: Reply) -> None:
    """The stored turn is this message's whole turn: its replies, then listening again."""
    assert turn.bot == reply.texts, f"stored replies for {turn.user!r} differ from the ones sent"
    last = turn.events[-1]
    assert last["event"] == "action" and last["name"] == "action_listen", (
        f"turn {turn.user!r} does not end by listening: {[e['event'] for e in turn.events]}"
    )
    actions = [e["name"] for e in turn.events if e["event"] == "action"]
    assert actions.count("action_listen") == 1, f"turn {turn.user!r} has interleaved actions: {actions}"


def slots_after(events: list[dict[str, Any]]) -> dict[str, Any]:
    slots: dict[str, Any] = {}
    for event in events:
        if event["event"] == "slot":
            slots[event["name"]] = event["value"]
    return slots
