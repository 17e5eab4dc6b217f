"""The scaled-out form: two Rasa servers on one PostgreSQL tracker store and one Redis
lock store, one action server, nginx balancing round-robin in front."""

from __future__ import annotations

import json
import re
import statistics
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from deploy.local import Nginx, Postgres, Redis
from tests.scaled.helpers import (
    Reply,
    assert_complete_turn,
    post,
    split_turns,
    start_rasa_servers,
    store_env,
    stored_events,
)
from tests.stack import ROOT, ActionServer, RasaServer


@dataclass
class Cluster:
    servers: list[RasaServer]
    balancer: Nginx
    tracker_store_url: str


@pytest.fixture(scope="module")
def cluster(
    scaled_workdir: Path, actions: ActionServer, postgres: Postgres, redis_server: Redis
) -> Iterator[Cluster]:
    env = store_env(postgres.url, redis_server.url)
    servers = start_rasa_servers(scaled_workdir, actions.url, env, count=2)
    balancer = None
    try:
        balancer = Nginx([f"127.0.0.1:{s.port}" for s in servers]).start()
        yield Cluster(servers, balancer, postgres.url)
    finally:
        if balancer is not None:
            balancer.stop()
        for server in servers:
            server.stop()


# A conversation that only makes sense with the previous turns' role and topic.
SCRIPT = [
    ("What skills does a product manager need?", ["marketing"], []),
    ("and production managers?", ["quality control"], ["marketing"]),
    ("what about their education?", ["engineering", "production manager"], []),
    ("and product managers?", ["marketing"], ["engineering"]),
    ("where does that come from?", ["paragraph 9"], []),
]


def check_reply(message: str, reply: Reply, present: list[str], absent: list[str]) -> None:
    text = reply.text.lower()
    for words in present:
        assert words.lower() in text, f"{message!r}: {words!r} missing from {reply.text!r}"
    for words in absent:
        assert words.lower() not in text, f"{message!r}: {words!r} in {reply.text!r}"


def check_stored_conversation(cluster: Cluster, sender: str, sent: list[str], replies: list[Reply]) -> None:
    """Every turn is in the tracker store, in order, each complete and on its own."""
    events = stored_events(cluster.tracker_store_url, [sender])[sender]
    turns = split_turns(events)
    assert [t.user for t in turns] == sent
    for turn, reply in zip(turns, replies, strict=True):
        assert_complete_turn(turn, reply)
    assert sum(e["event"] == "session_started" for e in events) == 1


def test_turns_alternating_between_servers_keep_context_and_history(cluster: Cluster) -> None:
    sender = f"alternate-{uuid.uuid4().hex[:10]}"
    replies = []
    for index, (message, present, absent) in enumerate(SCRIPT):
        server = cluster.servers[index % 2]
        reply = post(server.base, sender, message)
        check_reply(message, reply, present, absent)
        replies.append(reply)
    check_stored_conversation(cluster, sender, [m for m, _, _ in SCRIPT], replies)


SIMULTANEOUS_ROUNDS = 6
# Rasa re-checks a lock it is waiting for once a second, so a message that had to
# wait for the other one takes at least that long.
LOCK_POLL_SECONDS = 1.0


def send_together(sender: str, messages: dict[str, str]) -> dict[str, Reply]:
    """Send each message to its server (base URL) at the same moment; replies by message."""
    barrier = threading.Barrier(len(messages))

    def send(base: str) -> Reply:
        barrier.wait(timeout=10)
        return post(base, sender, messages[base])

    with ThreadPoolExecutor(max_workers=len(messages)) as pool:
        futures = {base: pool.submit(send, base) for base in messages}
        return {messages[base]: future.result(timeout=120) for base, future in futures.items()}


def test_simultaneous_messages_on_two_servers_are_processed_one_after_the_other(cluster: Cluster) -> None:
    first_server, second_server = cluster.servers
    waited = 0
    for _ in range(SIMULTANEOUS_ROUNDS):
        sender = f"simultaneous-{uuid.uuid4().hex[:10]}"
        opening = post(first_server.base, sender, "What skills does a product manager need?")
        assert "marketing" in opening.text
        messages = {
            first_server.base: "and production managers?",
            second_server.base: "what about their education?",
        }
        replies = send_together(sender, messages)
        waited += max(r.seconds for r in replies.values()) >= LOCK_POLL_SECONDS * 0.9

        turns = split_turns(stored_events(cluster.tracker_store_url, [sender])[sender])
        order = [t.user for t in turns]
        assert order[0] == "What skills does a product manager need?"
        assert sorted(order[1:]) == sorted(messages.values()), f"lost or duplicated turns: {order}"
        assert_complete_turn(turns[0], opening)
        for turn in turns[1:]:
            assert_complete_turn(turn, replies[turn.user])
        # The later message was answered in the context the earlier one left.
        education = replies["what about their education?"].text
        if order[1] == "and production managers?":
            assert "quality control" in replies["and production managers?"].text
            assert "engineering" in education
        else:
            assert "marketing" in education and "engineering" not in education
            assert "engineering" in replies["and production managers?"].text
    # The messages did meet: at least once, one server held the lock while the other waited.
    assert waited >= 1, "no round had the two messages in flight at once"


CONVERSATIONS = 200
TURNS = 5
AT_ONCE = 16
REQUEST_TIMEOUT = 60.0
# The whole run stops sending after this, whatever is left.
DEADLINE = 600.0
RESULTS = ROOT / "results" / "scaled-concurrency.json"

LOAD_SCRIPTS = [
    [
        ("How much does a product manager earn?", ["$98,439"], ["$73,786"]),
        ("and production managers?", ["$73,786"], ["$98,439"]),
        ("what about their education?", ["engineering"], []),
        ("where does that come from?", ["paragraph"], []),
        ("thanks!", ["welcome"], []),
    ],
    [
        ("How much does a production manager earn?", ["$73,786"], ["$98,439"]),
        ("what about their education?", ["engineering"], []),
        ("and product managers?", ["marketing"], ["engineering"]),
        ("which one pays more?", ["$24,653"], []),
        ("bye", ["luck"], []),
    ],
]


@dataclass
class LoadRun:
    prefix: str
    started: float = field(default_factory=time.monotonic)
    latencies: list[float] = field(default_factory=list)
    upstreams: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    replies_sent: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def conversation(self, base: str, index: int) -> None:
        sender = f"{self.prefix}{index:03d}"
        for message, present, absent in LOAD_SCRIPTS[index % len(LOAD_SCRIPTS)]:
            if time.monotonic() - self.started > DEADLINE:
                with self.lock:
                    self.errors.append(f"{sender}: deadline passed before {message!r}")
                return
            try:
                reply = post(base, sender, message, timeout=REQUEST_TIMEOUT)
                check_reply(message, reply, present, absent)
            except (OSError, AssertionError, ValueError) as error:
                with self.lock:
                    self.errors.append(f"{sender} {message!r}: {error}")
                return
            with self.lock:
                self.latencies.append(reply.seconds)
                self.upstreams[reply.upstream] += 1
                self.replies_sent += len(reply.texts)


def _log_errors(servers: list[RasaServer], offsets: list[int]) -> list[str]:
    found = []
    for server, offset in zip(servers, offsets, strict=True):
        with server.log.open(errors="replace") as log:
            log.seek(offset)
            found += [line for line in log if re.search(r"\bERROR\b|Traceback", line)]
    return found


def test_many_conversations_at_once_across_both_servers(cluster: Cluster) -> None:
    run = LoadRun(prefix=f"load-{uuid.uuid4().hex[:6]}-")
    offsets = [s.log.stat().st_size for s in cluster.servers]
    with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
        for future in [pool.submit(run.conversation, cluster.balancer.base, i) for i in range(CONVERSATIONS)]:
            future.result(timeout=DEADLINE + 2 * REQUEST_TIMEOUT)
    elapsed = time.monotonic() - run.started

    events = stored_events(cluster.tracker_store_url, prefix=run.prefix)
    kinds = Counter(e["event"] for conversation in events.values() for e in conversation)
    latencies = sorted(run.latencies)
    figures = {
        "conversations": CONVERSATIONS,
        "turns_per_conversation": TURNS,
        "at_once": AT_ONCE,
        "rasa_servers": len(cluster.servers),
        "turns_answered": len(latencies),
        "errors": len(run.errors),
        "seconds": round(elapsed, 1),
        "turns_per_second": round(len(latencies) / elapsed, 1),
        "latency_ms": {
            "median": round(1000 * statistics.median(latencies)) if latencies else None,
            "p95": round(1000 * latencies[int(0.95 * (len(latencies) - 1))]) if latencies else None,
            "max": round(1000 * latencies[-1]) if latencies else None,
        },
        "turns_per_server": dict(run.upstreams),
        "stored_user_messages": kinds["user"],
        "stored_bot_replies": kinds["bot"],
        "bot_replies_received": run.replies_sent,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print("\nconcurrency:", json.dumps(figures))

    assert run.errors == [], f"{len(run.errors)} failed turns, e.g. {run.errors[:5]}"
    assert len(latencies) == CONVERSATIONS * TURNS
    # Round robin: both servers took a fair share of the turns.
    assert len(run.upstreams) == 2 and min(run.upstreams.values()) >= CONVERSATIONS * TURNS // 4
    assert len(events) == CONVERSATIONS
    assert kinds["user"] == CONVERSATIONS * TURNS
    assert kinds["bot"] == run.replies_sent
    for index in range(CONVERSATIONS):
        script = LOAD_SCRIPTS[index % len(LOAD_SCRIPTS)]
        turns = split_turns(events[f"{run.prefix}{index:03d}"])
        assert [t.user for t in turns] == [m for m, _, _ in script]
    assert _log_errors(cluster.servers, offsets) == []


def test_conversation_survives_a_hard_kill_of_one_server(cluster: Cluster) -> None:
    """Runs last in this module: it kills and restarts the first server."""
    killed, survivor = cluster.servers
    balancer = cluster.balancer.base
    sender = f"failover-{uuid.uuid4().hex[:10]}"
    sent: list[str] = []
    replies: list[Reply] = []

    def say(base: str, index: int) -> Reply:
        message, present, absent = SCRIPT[index]
        reply = post(base, sender, message)
        check_reply(message, reply, present, absent)
        sent.append(message)
        replies.append(reply)
        return reply

    say(killed.base, 0)
    say(survivor.base, 1)
    killed.kill()
    # nginx finds the dead server refusing connections and sends the turn on.
    assert say(balancer, 2).upstream.endswith(f":{survivor.port}")
    killed.start()
    say(killed.base, 3)
    say(balancer, 4)
    check_stored_conversation(cluster, sender, sent, replies)
