"""The scaled-out form: two Rasa servers on one PostgreSQL tracker store and one Redis
lock store, one action server, nginx balancing round-robin in front."""

from __future__ import annotations

import http.client
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

from benchmarks.stats import percentile
from local_stack.processes import ROOT
from local_stack.servers import ActionServer, RasaServer
from local_stack.services import Nginx, Postgres, Redis
from local_stack.socketio_client import MARKER, SocketIOClient, WebSocketClient
from tests.channels.conftest import SLACK_SIGNING_SECRET, SLACK_TOKEN
from tests.channels.fake_slack import FakeSlackApi, SlackSender, message_event
from tests.scaled.helpers import (
    Reply,
    assert_complete_turn,
    post,
    split_turns,
    start_rasa_servers,
    store_env,
    stored_events,
)

PAGE_ORIGIN = "http://127.0.0.1:8080"


@dataclass
class Cluster:
    servers: list[RasaServer]
    balancer: Nginx
    tracker_store_url: str
    slack_api: FakeSlackApi


@pytest.fixture(scope="module")
def cluster(
    scaled_workdir: Path, actions: ActionServer, postgres: Postgres, redis_server: Redis
) -> Iterator[Cluster]:
    slack_api = FakeSlackApi().start()
    env = store_env(postgres.url, redis_server.url)
    env.update(
        SLACK_TOKEN=SLACK_TOKEN,
        SLACK_SIGNING_SECRET=SLACK_SIGNING_SECRET,
        SLACK_API_BASE_URL=slack_api.base_url,
    )
    # credentials.yml (hardened REST, socket.io, Slack) and endpoints.yml, as `make cluster` runs them.
    servers = start_rasa_servers(
        scaled_workdir, actions.url, env, count=2, extra_args=["--cors", PAGE_ORIGIN]
    )
    balancer = None
    try:
        balancer = Nginx([f"127.0.0.1:{s.port}" for s in servers]).start()
        yield Cluster(servers, balancer, postgres.url, slack_api)
    finally:
        if balancer is not None:
            balancer.stop()
        for server in servers:
            server.stop()
        slack_api.stop()


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
        # In flight at once: each request left before the other's answer came back
        # (seen from the client's clock, not inferred from how long one took).
        waited += max(r.started for r in replies.values()) < min(r.ended for r in replies.values())

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
    # The messages did meet: at least once both were in flight on the two servers at
    # once, and the checks above show they were still handled one after the other.
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
            "p95": round(1000 * percentile(latencies, 95)) if latencies else None,
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


def _upstream_of(balancer: Nginx, address: str) -> str:
    """The Rasa server nginx sends `address`'s socket.io requests to (a bare handshake)."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", balancer.port, timeout=10, source_address=(address, 0)
    )
    try:
        connection.request("GET", "/socket.io/?EIO=4&transport=polling", headers={"Origin": PAGE_ORIGIN})
        response = connection.getresponse()
        response.read()
        assert response.status == 200
        return str(response.getheader("X-Upstream"))
    finally:
        connection.close()


def _addresses_by_server(cluster: Cluster) -> dict[str, str]:
    """One loopback source address per Rasa server (127.0.0.0/8 is all local)."""
    found: dict[str, str] = {}
    for last in range(2, 60):
        address = f"127.0.0.{last}"
        found.setdefault(_upstream_of(cluster.balancer, address), address)
        if len(found) == len(cluster.servers):
            return found
    raise AssertionError(f"every address went to {list(found)}")


def _client(cluster: Cluster, address: str, transport: str) -> SocketIOClient | WebSocketClient:
    if transport == "polling":
        return SocketIOClient(cluster.balancer.base, PAGE_ORIGIN, ["polling"], local_address=address)
    return WebSocketClient(
        cluster.balancer.port, PAGE_ORIGIN, upgrade=transport == "upgrade", address=address
    )


@pytest.mark.parametrize("transport", ["polling", "websocket", "upgrade"])
def test_socketio_through_the_balancer_stays_on_one_server(cluster: Cluster, transport: str) -> None:
    """Long-polling (every request must reach the server holding the session), WebSocket, and upgrade."""
    address = next(iter(_addresses_by_server(cluster).values()))
    upstream = _upstream_of(cluster.balancer, address)
    # The same address, asked again: the same server (the affinity the polling needs).
    assert {_upstream_of(cluster.balancer, address) for _ in range(4)} == {upstream}
    session_id = f"sio-{uuid.uuid4().hex[:10]}"
    client = _client(cluster, address, transport).connect(session_id)
    try:
        for message, present, absent in SCRIPT[:3]:
            check_reply(
                message, Reply(["\n".join(client.ask(message, session_id))], upstream, 0.0), present, absent
            )
        assert client.transport == ("polling" if transport == "polling" else "websocket")
    finally:
        client.close()


def test_socketio_reconnect_on_the_other_server_carries_the_conversation_on(cluster: Cluster) -> None:
    """The widget reconnects with its stored session id; the other server picks the conversation up."""
    first, second = _addresses_by_server(cluster).values()
    session_id = f"sio-{uuid.uuid4().hex[:10]}"
    client: SocketIOClient | WebSocketClient = _client(cluster, first, "polling").connect(session_id)
    try:
        message, present, absent = SCRIPT[0]
        check_reply(message, Reply(["\n".join(client.ask(message, session_id))], "", 0.0), present, absent)
    finally:
        client.close()
    client = _client(cluster, second, "upgrade").connect(session_id)
    try:
        # Needs the previous turn's topic (skills), answered on the other server.
        message, present, absent = SCRIPT[1]
        check_reply(message, Reply(["\n".join(client.ask(message, session_id))], "", 0.0), present, absent)
    finally:
        client.close()
    events = stored_events(cluster.tracker_store_url, [session_id])[session_id]
    assert [t.user for t in split_turns(events) if t.user != MARKER] == [SCRIPT[0][0], SCRIPT[1][0]]


@pytest.mark.parametrize("reason", ["http_error", "connection_failed"])
def test_slack_retry_on_the_other_server_is_not_answered_twice(cluster: Cluster, reason: str) -> None:
    """Slack retries an event; the balancer sends the retry to the other Rasa server."""
    first, second = (
        SlackSender(f"{server.base}/webhooks/slack/webhook", SLACK_SIGNING_SECRET)
        for server in cluster.servers
    )
    tag = uuid.uuid4().hex[:8].upper()
    user, dm = f"U{tag}", f"D{tag}"
    ts = f"{int(time.time())}.{uuid.uuid4().int % 1_000_000:06d}"
    event = message_event(user, dm, "What skills does a product manager need?", ts)
    assert first.event(event)[0] == 200
    cluster.slack_api.wait_for(dm, lambda p: "marketing" in p.text.lower())
    status, headers, _ = second.event(
        event, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": reason}
    )
    assert status == 200 and headers.get("X-Slack-No-Retry") == "1"
    # A new event of the same conversation is answered, on either server. The
    # conversation is handled in order across the servers (the Redis lock store),
    # so once it is answered a (wrongly) handled retry would have been posted too.
    # Its own event id (Ev<ts>): a fixed "...000001" was the same id for both
    # parametrized runs within one second, and the second's follow-up was dropped
    # as a retry (the 3 s sleep this test had kept them apart).
    later = f"{int(time.time()) + 1}.{uuid.uuid4().int % 1_000_000:06d}"
    follow_up = message_event(user, dm, "and production managers?", later)
    assert second.event(follow_up)[0] == 200
    cluster.slack_api.wait_for(dm, lambda p: "quality control" in p.text.lower())
    posts = [p.text for p in cluster.slack_api.posts_to(dm)]
    assert len(posts) == 2 and "quality control" in posts[1].lower(), posts


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
