"""A stand-in for Slack's cloud on loopback: its Web API and its request signing.

Only Slack's servers are faked. The Rasa server and its Slack connector are the
real ones; they post replies here because the connector is given this server's
address as `slack_api_base_url`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from local_stack.processes import free_port


@dataclass
class Post:
    """One chat.postMessage call, as the fake API received it."""

    authorization: str
    body: dict[str, Any]
    ts: str

    @property
    def channel(self) -> str:
        return str(self.body.get("channel", ""))

    @property
    def text(self) -> str:
        return str(self.body.get("text", ""))

    @property
    def thread_ts(self) -> str | None:
        return self.body.get("thread_ts")

    @property
    def buttons(self) -> list[dict[str, Any]]:
        blocks = self.body.get("blocks") or []
        return [e for b in blocks if b.get("type") == "actions" for e in b.get("elements", [])]


@dataclass
class FakeSlackApi:
    """Slack's Web API on a loopback port, in a thread; records chat.postMessage."""

    port: int = field(default_factory=free_port)
    posts: list[Post] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    async def _post_message(self, request: web.Request) -> web.Response:
        if request.content_type == "application/json":
            body = await request.json()
        else:
            body = dict(await request.post())
        with self._lock:
            ts = f"1800000000.{next(self._ts):06d}"
            self.posts.append(Post(request.headers.get("Authorization", ""), body, ts))
        return web.json_response({"ok": True, "channel": body.get("channel"), "ts": ts, "message": body})

    async def _unknown(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": False, "error": "unknown_method"}, status=404)

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/chat.postMessage", self._post_message)
        app.router.add_route("*", "/{tail:.*}", self._unknown)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    def start(self) -> FakeSlackApi:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)
        return self

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def posts_to(self, channel: str) -> list[Post]:
        with self._lock:
            return [p for p in self.posts if p.channel == channel]

    def wait_for(self, channel: str, found: Callable[[Post], bool], timeout: float = 60.0) -> Post:
        """The first post to `channel` that `found` accepts; the connector answers asynchronously."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for post in self.posts_to(channel):
                if found(post):
                    return post
            time.sleep(0.2)
        seen = [p.text for p in self.posts_to(channel)]
        raise AssertionError(f"no matching post to {channel} within {timeout:.0f} s; posts: {seen}")


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's request signature: HMAC-SHA256 over `v0:<timestamp>:<body>`."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class SlackSender:
    """Sends events and interaction payloads to the Rasa Slack webhook as Slack does."""

    webhook: str
    signing_secret: str

    def post(
        self,
        body: bytes,
        content_type: str,
        signed: bool = True,
        age: float = 0.0,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], str]:
        timestamp = str(int(time.time() - age))
        all_headers = {"Content-Type": content_type, **(headers or {})}
        if signed:
            all_headers["X-Slack-Request-Timestamp"] = timestamp
            all_headers["X-Slack-Signature"] = signature(self.signing_secret, timestamp, body)
        request = urllib.request.Request(self.webhook, data=body, method="POST", headers=all_headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def event(self, payload: dict[str, Any], **kwargs: Any) -> tuple[int, dict[str, str], str]:
        # The connector reads an event only when Content-Type is exactly application/json.
        return self.post(json.dumps(payload).encode(), "application/json", **kwargs)

    def interaction(self, payload: dict[str, Any], **kwargs: Any) -> tuple[int, dict[str, str], str]:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, "application/x-www-form-urlencoded", **kwargs)


def message_event(user: str, channel: str, text: str, ts: str, channel_type: str = "im") -> dict[str, Any]:
    """An Events API `event_callback` for a message, shaped like Slack's."""
    return {
        "token": "verification-token-unused",
        "team_id": "T0TEST",
        "api_app_id": "A0TEST",
        "type": "event_callback",
        "event_id": f"Ev{ts.replace('.', '')}",
        "event_time": int(float(ts)),
        "authorizations": [{"user_id": "U0BOT", "is_bot": True}],
        "event": {
            "type": "message",
            "channel_type": channel_type,
            "channel": channel,
            "user": user,
            "text": text,
            "ts": ts,
            "event_ts": ts,
        },
    }
