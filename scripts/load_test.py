"""A bounded load test of the REST channel, and a check that the tracker store kept every message.

    .venv/bin/python scripts/load_test.py                    # start a stack, 1,000 x 5 at 16
    .venv/bin/python scripts/load_test.py --conversations 200 --concurrency 8
    .venv/bin/python scripts/load_test.py --url http://127.0.0.1:5005 --database var/conversations.db

Without --url it starts its own action server and Rasa server on free loopback
ports, with the project's credentials.yml and tracker store on a fresh SQLite
file (or TRACKER_STORE_URL when set), and stops them afterwards. Each
conversation sends `--turns` questions one after the other (a follow-up needs
the answer before it); `--concurrency` conversations run at once. It reports
throughput, p50/p95/p99 latency and errors (a non-200 answer, a time-out, or an
empty reply all count), then reads the tracker store and checks that every
message of every conversation is there, once and in order. It exits non-zero
on any error or missing message. Loopback only, bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Five turns that lean on the conversation's memory (follow-ups), from the README's example.
TURNS = [
    "How much does a production manager earn?",
    "and product managers?",
    "what about their education?",
    "which certifications do they get?",
    "where does that come from?",
]
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    sent: dict[str, list[str]] = field(default_factory=dict)


async def conversation(
    session: aiohttp.ClientSession, url: str, sender: str, turns: int, timeout: float, results: Results
) -> None:
    results.sent[sender] = []
    for number in range(turns):
        text = TURNS[number % len(TURNS)]
        started = time.perf_counter()
        try:
            async with session.post(
                url, json={"sender": sender, "message": text}, timeout=aiohttp.ClientTimeout(total=timeout)
            ) as response:
                body = await response.text()
                elapsed = time.perf_counter() - started
                if response.status != 200:
                    results.errors.append(f"{sender} turn {number}: HTTP {response.status} {body[:200]}")
                    return
                replies = json.loads(body)
                if not any(str(r.get("text", "")).strip() for r in replies):
                    results.errors.append(f"{sender} turn {number}: empty reply")
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            results.errors.append(f"{sender} turn {number}: {type(error).__name__}: {error}")
            return
        results.latencies.append(elapsed)
        results.sent[sender].append(text)


async def run_load(url: str, conversations: int, turns: int, concurrency: int, timeout: float) -> Results:
    results = Results()
    queue: asyncio.Queue[str] = asyncio.Queue()
    run_id = uuid.uuid4().hex[:8]
    for number in range(conversations):
        queue.put_nowait(f"load-{run_id}-{number:05d}")

    async def worker(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            sender = queue.get_nowait()
            await conversation(session, url, sender, turns, timeout, results)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return results


def stored_user_texts(database_url: str, senders: list[str]) -> dict[str, list[str]]:
    """Every user message of these conversations, in order, as the tracker store holds them."""
    engine = sa.create_engine(database_url)
    found: dict[str, list[str]] = {sender: [] for sender in senders}
    query = sa.text(
        "SELECT sender_id, data FROM events WHERE type_name = 'user' AND sender_id LIKE :prefix ORDER BY id"
    )
    prefix = senders[0].rsplit("-", 1)[0] + "-%" if senders else "-"
    with engine.connect() as connection:
        for sender, data in connection.execute(query, {"prefix": prefix}):
            if sender in found:
                found[sender].append(json.loads(data).get("text"))
    engine.dispose()
    return found


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def report(results: Results, elapsed: float, args: argparse.Namespace, missing: list[str]) -> str:
    turns = len(results.latencies)
    lines = [
        f"conversations: {args.conversations} x {args.turns} turns, {args.concurrency} at once",
        f"turns answered: {turns} in {elapsed:.1f} s = {turns / elapsed:.1f} turns/s",
    ]
    if results.latencies:
        ms = [1000 * s for s in results.latencies]
        lines.append(
            f"latency ms: p50 {percentile(ms, 0.50):.0f}, p95 {percentile(ms, 0.95):.0f}, "
            f"p99 {percentile(ms, 0.99):.0f}, max {max(ms):.0f}, mean {statistics.fmean(ms):.0f}"
        )
    lines.append(f"errors: {len(results.errors)}")
    lines += [f"  {error}" for error in results.errors[:10]]
    sent = sum(len(v) for v in results.sent.values())
    lines.append(
        f"tracker store: all {sent} messages of {len(results.sent) - len(missing)} conversations found"
        if not missing
        else f"tracker store: {len(missing)} conversations with messages missing or out of order"
    )
    lines += [f"  {m}" for m in missing[:10]]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    parser.add_argument("--url", help="a running Rasa server on loopback (default: start one)")
    parser.add_argument("--database", help="its tracker store: an SQLAlchemy URL or an SQLite file")
    args = parser.parse_args()
    if not (0 < args.conversations <= 10_000 and 0 < args.turns <= 20 and 0 < args.concurrency <= 64):
        parser.error("bounded: at most 10,000 conversations, 20 turns, 64 at once")

    stack: list[Any] = []
    try:
        if args.url:
            if not any(f"//{host}" in args.url for host in LOOPBACK_HOSTS):
                parser.error("--url must be a loopback address")
            if not args.database:
                parser.error("--database is needed with --url, to check the tracker store")
            base = args.url.rstrip("/")
            database = args.database
        else:
            base, database = start_stack(stack)
        if "://" not in database:
            database = f"sqlite:///{Path(database).resolve()}"

        started = time.perf_counter()
        results = asyncio.run(
            run_load(
                f"{base}/webhooks/rest/webhook",
                args.conversations,
                args.turns,
                args.concurrency,
                args.timeout,
            )
        )
        elapsed = time.perf_counter() - started
        stored = stored_user_texts(database, sorted(results.sent))
        missing = [
            f"{sender}: sent {len(sent)}, stored {len(stored.get(sender, []))}"
            for sender, sent in results.sent.items()
            if stored.get(sender) != sent
        ]
        print(report(results, elapsed, args, missing))
        return 1 if results.errors or missing else 0
    finally:
        for server in reversed(stack):
            server.stop()
        if stack:
            shutil.rmtree(stack[0].workdir, ignore_errors=True)


def start_stack(stack: list[Any]) -> tuple[str, str]:
    from tests.hardening.conftest import hardened_credentials
    from tests.stack import ActionServer, RasaServer

    workdir = Path(tempfile.mkdtemp(prefix="load-test-"))
    database = os.environ.get("TRACKER_STORE_URL") or f"sqlite:///{workdir / 'conversations.db'}"
    actions = ActionServer(workdir).start()
    stack.append(actions)
    rasa = RasaServer(
        workdir,
        actions.url,
        # The project's channels and the 10 s action timeout of credentials.yml.
        credentials=hardened_credentials(action_timeout=10),
        endpoints_extra="tracker_store:\n  type: deploy.stores.ConversationTrackerStore\n",
        env={"TRACKER_STORE_URL": database},
    ).start(timeout=600)
    stack.append(rasa)
    print(f"stack: Rasa {rasa.base}, actions {actions.url}, tracker store {database.split('@')[-1]}")
    return rasa.base, database


if __name__ == "__main__":
    sys.exit(main())
