"""rasa_patches/action_client.py: the bounded endpoint's requests, answered as Rasa's own
`EndpointConfig.request` (aiohttp) has them answered, over fewer connections and writes.

Both talk to a real aiohttp web server in this process, on a free loopback port.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from rasa.utils.endpoints import ClientResponseError, EndpointConfig
from yarl import URL

from rasa_patches.action_client import KeepAliveClient, ResponseBroken
from rasa_patches.action_endpoint import BoundedActionEndpoint

PAYLOAD = {
    "next_action": "action_answer_question",
    "tracker": {"events": [{"event": "user", "text": "é 🙂"}]},
}


class Seen:
    def __init__(self) -> None:
        self.connections: set[Any] = set()
        self.requests = 0


def app(seen: Seen) -> web.Application:
    async def echo(request: web.Request) -> web.Response:
        seen.connections.add(request.transport)
        seen.requests += 1
        body = await request.read()
        return web.json_response(
            {
                "body": json.loads(body) if body else None,
                "query": sorted(request.query.items()),
                "authorization": request.headers.get("Authorization"),
                "host": request.headers["Host"],
                "content_type": request.headers.get("Content-Type"),
                "method": request.method,
                "path": request.path,
            }
        )

    async def status(request: web.Request) -> web.Response:
        return web.Response(status=int(request.match_info["code"]), text="no such action")

    async def text(_: web.Request) -> web.Response:
        return web.Response(text="plain words")

    async def empty(_: web.Request) -> web.Response:
        return web.Response(body=b"", content_type="application/json")

    async def chunked(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for part in (b'{"events": [', b'{"event": "slot", "name": "role", "value": "x"}', b"]}"):
            await response.write(part)
        await response.write_eof()
        return response

    async def close(request: web.Request) -> web.Response:
        seen.connections.add(request.transport)
        seen.requests += 1
        return web.json_response({"closing": True}, headers={"Connection": "close"})

    async def slow(_: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.json_response({})

    application = web.Application()
    application.router.add_route("*", "/webhook", echo)
    application.router.add_post("/status/{code}", status)
    application.router.add_post("/text", text)
    application.router.add_post("/empty", empty)
    application.router.add_post("/chunked", chunked)
    application.router.add_post("/close", close)
    application.router.add_post("/slow", slow)
    return application


@asynccontextmanager
async def server() -> AsyncIterator[tuple[str, Seen]]:
    seen = Seen()
    runner = web.AppRunner(app(seen))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}", seen
    finally:
        await runner.cleanup()


def run(test: Callable[[str, Seen], Awaitable[None]]) -> None:
    async def main() -> None:
        async with server() as (base, seen):
            await test(base, seen)

    asyncio.run(main())


async def both(endpoint: dict[str, Any], subpath: str | None = None, **kwargs: Any) -> tuple[Any, Any]:
    """What Rasa's own EndpointConfig.request returns, and what the bounded endpoint's client does."""
    rasas = await EndpointConfig(**endpoint).request(subpath=subpath, method="post", **kwargs)
    ours_endpoint = BoundedActionEndpoint(timeout=5, **endpoint)
    try:
        ours = await ours_endpoint._send("post", subpath, "application/json", False, **kwargs)
    finally:
        await ours_endpoint.close()
    return rasas, ours


def test_a_json_request_arrives_and_is_answered_the_same() -> None:
    async def test(base: str, _: Seen) -> None:
        rasas, ours = await both({"url": f"{base}/webhook"}, json=PAYLOAD)
        assert ours == rasas
        assert ours["body"] == PAYLOAD and ours["content_type"] == "application/json"
        assert ours["host"] == base.removeprefix("http://")

    run(test)


def test_params_token_and_basic_auth_arrive_the_same() -> None:
    async def test(base: str, _: Seen) -> None:
        endpoint = {
            "url": f"{base}/webhook?fixed=1",
            "params": {"a": "b c"},
            "token": "t&ken",
            "basic_auth": {"username": "rasa", "password": "pässword"},
        }
        rasas, ours = await both(endpoint, json=PAYLOAD, params={"extra": "é"})
        assert ours == rasas
        assert ("token", "t&ken") in [tuple(pair) for pair in ours["query"]]
        assert ours["authorization"].startswith("Basic ")

    run(test)


def test_error_statuses_raise_rasas_error_and_other_bodies_read_the_same() -> None:
    async def test(base: str, _: Seen) -> None:
        for code in (400, 404, 500, 503):
            with pytest.raises(ClientResponseError) as rasas:
                await EndpointConfig(url=f"{base}/status/{code}").request(method="post", json=PAYLOAD)
            endpoint = BoundedActionEndpoint(timeout=5, url=f"{base}/status/{code}")
            with pytest.raises(ClientResponseError) as ours:
                await endpoint._send("post", None, "application/json", False, json=PAYLOAD)
            await endpoint.close()
            assert (ours.value.status, ours.value.message, ours.value.text) == (
                rasas.value.status,
                rasas.value.message,
                rasas.value.text,
            )
        for path in ("text", "empty", "chunked", "close"):
            rasas, ours = await both({"url": f"{base}/{path}"}, json=PAYLOAD)
            assert ours == rasas, path
        assert rasas == {"closing": True}

    run(test)


def test_connections_are_kept_and_reused_and_a_closed_one_replaced() -> None:
    async def test(base: str, seen: Seen) -> None:
        endpoint = BoundedActionEndpoint(timeout=5, url=f"{base}/webhook")
        for _ in range(20):
            await endpoint._send("post", None, "application/json", False, json=PAYLOAD)
        assert seen.requests == 20 and len(seen.connections) == 1
        # Eight at once: eight connections, all answered; afterwards they are reused.
        answers = await asyncio.gather(
            *(endpoint._send("post", None, "application/json", False, json=PAYLOAD) for _ in range(8))
        )
        assert all(answer["body"] == PAYLOAD for answer in answers)
        assert 2 <= len(seen.connections) <= 9
        await endpoint.close()

        # A server that says `Connection: close`: the next request opens a new connection.
        seen.connections.clear()
        endpoint = BoundedActionEndpoint(timeout=5, url=f"{base}/webhook")
        for subpath in (None, "../close", None, None):
            await endpoint._send("post", subpath, "application/json", False, json=PAYLOAD)
        assert seen.requests == 32 and len(seen.connections) == 2
        await endpoint.close()

    run(test)


def test_an_idle_connection_past_its_keep_alive_is_not_used() -> None:
    async def test(base: str, seen: Seen) -> None:
        client = KeepAliveClient(keepalive_seconds=0.05)
        url = URL(f"{base}/webhook")
        await client.request("POST", url, {}, b"{}", timeout=5)
        await asyncio.sleep(0.1)
        await client.request("POST", url, {}, b"{}", timeout=5)
        assert len(seen.connections) == 2
        client.close()

    run(test)


def test_a_slow_server_times_out_and_its_connection_is_dropped() -> None:
    async def test(base: str, _: Seen) -> None:
        client = KeepAliveClient(keepalive_seconds=2)
        with pytest.raises(asyncio.TimeoutError):
            await client.request("POST", URL(f"{base}/slow"), {}, b"{}", timeout=0.2)
        assert client._idle == []
        answer = await client.request("POST", URL(f"{base}/webhook"), {}, b"{}", timeout=5)
        assert answer.status == 200

    run(test)


def test_the_endpoint_apologises_for_a_refused_a_slow_and_a_broken_server() -> None:
    async def broken_server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"this is not HTTP\r\n\r\n")
        await writer.drain()
        writer.close()

    async def test(base: str, _: Seen) -> None:
        broken = await asyncio.start_server(broken_server, "127.0.0.1", 0)
        broken_port = broken.sockets[0].getsockname()[1]
        with pytest.raises(ResponseBroken):
            await KeepAliveClient(2).request("POST", URL(f"http://127.0.0.1:{broken_port}/"), {}, b"{}", 5)
        for url, timeout in (
            ("http://127.0.0.1:9/webhook", 5.0),
            (f"{base}/slow", 0.2),
            (f"http://127.0.0.1:{broken_port}/webhook", 5.0),
            (f"{base}/status/500", 5.0),
        ):
            endpoint = BoundedActionEndpoint(timeout=timeout, url=url)
            reply = await endpoint.request(json=PAYLOAD, method="post")
            await endpoint.close()
            assert reply["responses"][0]["text"].startswith("Sorry"), url
        # A 400 is an action refusing on purpose: it still raises.
        endpoint = BoundedActionEndpoint(timeout=5, url=f"{base}/status/400")
        with pytest.raises(ClientResponseError):
            await endpoint.request(json=PAYLOAD, method="post")
        await endpoint.close()
        broken.close()

    run(test)


def test_https_and_compressed_requests_go_through_aiohttp(monkeypatch: pytest.MonkeyPatch) -> None:
    used: list[str] = []
    original = aiohttp.ClientSession.request

    def spy(self: aiohttp.ClientSession, method: str, url: Any, **kwargs: Any) -> Any:
        used.append(str(url))
        return original(self, method, url, **kwargs)

    monkeypatch.setattr(aiohttp.ClientSession, "request", spy)

    async def test(base: str, _: Seen) -> None:
        endpoint = BoundedActionEndpoint(timeout=5, url=f"{base}/webhook")
        await endpoint._send("post", None, "application/json", False, json=PAYLOAD)
        assert used == []
        answer = await endpoint._send("post", None, "application/json", True, json=PAYLOAD)
        assert answer["body"] == PAYLOAD and len(used) == 1
        await endpoint.close()

    run(test)
