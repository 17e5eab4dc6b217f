"""`make smoke`: the checks that a deployment of deploy/kubernetes/ works as a whole.

Each check talks to the deployment from outside, through its balancer, as users
do, and raises SmokeFailure saying what it saw. A `Stack` says where things are;
`make deploy-local` writes it to var/deploy-local/stack.json, and the container
tests build it from their own LocalDeployment.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from local_stack.processes import ROOT
from local_stack.socketio_client import SocketIOClient, WebSocketClient

STACK_FILE = ROOT / "var" / "deploy-local" / "stack.json"

# (message, words the reply holds): the second needs the first's role and topic.
CONVERSATION = [
    ("How much does a product manager earn?", "$98,439"),
    ("and production managers?", "$73,786"),
    ("what skills do they need?", "quality control"),
]


class SmokeFailure(AssertionError):
    pass


@dataclass(frozen=True)
class Stack:
    balancer: str  # "http://127.0.0.1:5005"
    web: str  # the page's origin
    rasa_pods: dict[str, str]  # the balancer's upstream ("127.0.0.1:5006") -> its pod's name
    played: str  # the manifests as podman played them (local_stack/kube_local.py)
    ready_seconds: float = 0.0  # from `podman kube play` to every pod answering

    def save(self, path: Path = STACK_FILE) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.__dict__, indent=2) + "\n")

    @classmethod
    def load(cls, path: Path = STACK_FILE) -> Stack:
        return cls(**json.loads(path.read_text()))


def say(balancer: str, sender: str, message: str) -> tuple[str, str]:
    """(the Rasa server's address that answered, the reply's text), through `balancer`'s REST."""
    request = urllib.request.Request(
        f"{balancer}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": message}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        replies = json.loads(response.read() or b"[]")
        # After a refused connection nginx tries the next server and names both: the last answered.
        upstream = response.headers.get("X-Upstream", "").split(",")[-1].strip()
    return upstream, " ".join(str(r.get("text", "")) for r in replies)


def _expect(message: str, text: str, words: str) -> None:
    if words.lower() not in text.lower():
        raise SmokeFailure(f"{message!r} was answered {text!r}, without {words!r}")


def rest_across_pods(stack: Stack) -> list[str]:
    """One conversation whose turns the balancer spreads over the Rasa pods, context kept."""
    sender, lines, upstreams = f"smoke-{uuid.uuid4().hex[:8]}", [], set()
    for message, words in CONVERSATION:
        upstream, text = say(stack.balancer, sender, message)
        _expect(message, text, words)
        upstreams.add(upstream)
        lines.append(f"[{stack.rasa_pods.get(upstream, upstream)}] {message} -> {text[:70]}...")
    if len(upstreams) < 2:
        raise SmokeFailure(f"every turn went to {upstreams}: the balancer spread nothing")
    return lines


def socketio_through_balancer(stack: Stack) -> list[str]:
    """The web chat's transport through the balancer: a conversation over long-polling
    (every request must reach the pod that holds the session), then one upgraded from
    polling to a WebSocket, as the widget does, carrying the same conversation on."""
    port = int(stack.balancer.rsplit(":", 1)[1])
    polling = SocketIOClient(stack.balancer, stack.web, ["polling"])
    lines = []
    try:
        session_id = polling.connect().session()
        message, words = CONVERSATION[0]
        text = " ".join(polling.ask(message, session_id))
        _expect(message, text, words)
        lines.append(f"[socket.io, {polling.transport}] {message} -> {text[:60]}...")
    finally:
        polling.close()
    upgraded = WebSocketClient(port, stack.web, upgrade=True).connect(session_id)
    try:
        message, words = CONVERSATION[1]
        text = " ".join(upgraded.ask(message, session_id))
        _expect(message, text, words)
        lines.append(f"[socket.io, polling upgraded to {upgraded.transport}] {message} -> {text[:60]}...")
    finally:
        upgraded.close()
    return lines


def pod_killed_mid_conversation(stack: Stack, kill: Callable[[str], None]) -> list[str]:
    """The pod that answered a turn is killed; the next turn is answered by another, in context."""
    sender = f"smoke-kill-{uuid.uuid4().hex[:8]}"
    message, words = CONVERSATION[0]
    first, text = say(stack.balancer, sender, message)
    _expect(message, text, words)
    victim = stack.rasa_pods.get(first, first)
    kill(victim)
    lines = [f"[{victim}] {message} -> {text[:50]}...", f"killed {victim}"]
    for message, words in CONVERSATION[1:]:
        started = time.monotonic()
        upstream, text = say(stack.balancer, sender, message)
        took = time.monotonic() - started
        _expect(message, text, words)
        if upstream == first:
            raise SmokeFailure(f"{message!r} was answered by {victim}, which was killed")
        pod = stack.rasa_pods.get(upstream, upstream)
        lines.append(f"[{pod}, {took * 1000:.0f} ms] {message} -> {text[:50]}...")
    return lines


def rolling_update(stack: Stack, replace: Callable[[str], None]) -> list[str]:
    """Every Rasa pod replaced in turn (`replace` returns once the new pod answers), as a
    rolling update does, while conversations go on through the balancer: no request
    fails and every answer is in the context of the turn before."""
    stop, failures, answered = threading.Event(), [], Counter[str]()

    def converse() -> None:
        while not stop.is_set():
            sender = f"smoke-roll-{uuid.uuid4().hex[:8]}"
            for message, words in CONVERSATION:
                try:
                    upstream, text = say(stack.balancer, sender, message)
                    _expect(message, text, words)
                    answered[stack.rasa_pods.get(upstream, upstream)] += 1
                except (OSError, SmokeFailure) as error:
                    failures.append(f"{message!r}: {error}")

    talker = threading.Thread(target=converse, daemon=True)
    talker.start()
    lines = []
    try:
        for pod in stack.rasa_pods.values():
            started = time.monotonic()
            replace(pod)
            lines.append(f"replaced {pod}: the new pod answering after {time.monotonic() - started:.0f} s")
            time.sleep(1)
    finally:
        stop.set()
        talker.join(timeout=90)
    if failures:
        raise SmokeFailure(f"{len(failures)} requests failed during the update: {failures[:3]}")
    idle = set(stack.rasa_pods.values()) - set(answered)
    if idle:
        raise SmokeFailure(f"{sorted(idle)} answered nothing during the update")
    total = sum(answered.values())
    lines.append(f"{total} turns answered meanwhile, none failed: {dict(answered)}")
    return lines
