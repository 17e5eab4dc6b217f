"""The HTTP client of the bounded action endpoint: keep-alive connections, one write a request.

The action endpoint (rasa_patches/action_endpoint.py) calls the action server
once a message, twice on some of the advisor's turns. aiohttp 3.9, the newest
that Rasa 3.6.21 allows (`aiohttp<3.10`), writes a request's headers and its
body with two socket writes. Each write to another process wakes that process,
and on this machine a wake-up is the dearest part of a call: the action server
is woken for the headers, reads them, sleeps, and is woken again for the body.
This client writes the whole request at once and reads the response with
httptools (the HTTP parser Sanic itself uses); docs/benchmarks.md says what it
saves. It speaks only what the action endpoint needs: plain `http://`, a
request with a complete body, a response with a `Content-Length` or chunked
body. The endpoint hands anything else (`https://`, a custom CA, a compressed
request) to aiohttp, as before.

A connection is reused while it has been idle for less than
`keepalive_seconds`, shorter than the action server's own keep-alive timeout
(Sanic's 5 s), so that a request never goes out on a connection the server is
closing; a request is never sent twice. A connection that times out or fails
is closed, never reused.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any, cast

import httptools
from yarl import URL

# What aiohttp's `ClientResponse.json()` takes for JSON (aiohttp/helpers.py, 3.9).
_JSON_CONTENT_TYPE = re.compile(r"^application/(?:[\w.+-]+?\+)?json")
MAX_IDLE_CONNECTIONS = 16


class ResponseBroken(ConnectionError):
    """The action server closed the connection or sent something that is not HTTP."""


@dataclass
class Response:
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as aiohttp's `json()` reads it: None when it is not JSON or is empty."""
        content_type = self.headers.get("content-type", "").split(";")[0].strip().lower()
        if not _JSON_CONTENT_TYPE.match(content_type):
            return None
        charset = "utf-8"
        for parameter in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                charset = value.strip().strip('"')
        text = self.body.decode(charset)
        return json.loads(text) if text.strip() else None


@dataclass
class _Reading:
    """The response being read on a connection."""

    done: asyncio.Future[Response]
    reason: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: list[bytes] = field(default_factory=list)
    headers_complete: bool = False


class _Connection(asyncio.Protocol):
    """One TCP connection to the action server, answering one request at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.idle_since = time.monotonic()
        self._parser = httptools.HttpResponseParser(self)
        self._reading: _Reading | None = None

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports (Rasa's event loop) are not asyncio.Transport subclasses.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as error:
            self._fail(ResponseBroken(f"the action server's response is not HTTP ({error})"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        reading = self._reading
        if reading is None or reading.done.done():
            return
        # A body without Content-Length or chunks ends with the connection.
        length_known = "content-length" in reading.headers or "transfer-encoding" in reading.headers
        if reading.headers_complete and not length_known:
            self.on_message_complete()
        else:
            self._fail(ResponseBroken("the action server closed the connection before it answered"))

    # httptools callbacks
    def on_status(self, status: bytes) -> None:
        if self._reading is not None:
            self._reading.reason += status.decode("latin-1")

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._reading is not None:
            self._reading.headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_headers_complete(self) -> None:
        if self._reading is not None:
            self._reading.headers_complete = True

    def on_body(self, body: bytes) -> None:
        if self._reading is not None:
            self._reading.body.append(body)

    def on_message_complete(self) -> None:
        reading, self._reading = self._reading, None
        if reading is None or reading.done.done():
            return
        status = self._parser.get_status_code()
        if not self._parser.should_keep_alive():
            self.close()
        reading.done.set_result(Response(status, reading.reason, reading.headers, b"".join(reading.body)))

    def _fail(self, error: Exception) -> None:
        reading, self._reading = self._reading, None
        self.close()
        if reading is not None and not reading.done.done():
            reading.done.set_exception(error)

    async def exchange(self, request: bytes) -> Response:
        assert self.transport is not None and self._reading is None
        self._parser = httptools.HttpResponseParser(self)
        self._reading = _Reading(asyncio.get_running_loop().create_future())
        self.transport.write(request)
        return await self._reading.done

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class KeepAliveClient:
    """Requests to one `http://` server, each written at once, over reused connections."""

    def __init__(self, keepalive_seconds: float) -> None:
        self.keepalive_seconds = keepalive_seconds
        self._idle: list[_Connection] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    async def request(
        self,
        method: str,
        url: URL,
        headers: dict[str, str],
        body: bytes,
        timeout: float,
    ) -> Response:
        """Sends the request and reads the whole response, all within `timeout` seconds."""
        return await asyncio.wait_for(self._request(method, url, headers, body), timeout)

    async def _request(self, method: str, url: URL, headers: dict[str, str], body: bytes) -> Response:
        connection = await self._connection(url)
        try:
            response = await connection.exchange(_request_bytes(method, url, headers, body))
        except BaseException:
            # Failed, timed out or cancelled half way: its state is unknown.
            connection.close()
            raise
        if not connection.closed:
            connection.idle_since = time.monotonic()
            self._idle.append(connection)
            while len(self._idle) > MAX_IDLE_CONNECTIONS:
                self._idle.pop(0).close()
        return response

    async def _connection(self, url: URL) -> _Connection:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            # Connections belong to the loop that opened them.
            self._idle = []
            self._loop = loop
        now = time.monotonic()
        while self._idle:
            connection = self._idle.pop()
            if not connection.closed and now - connection.idle_since < self.keepalive_seconds:
                return connection
            connection.close()
        assert url.host is not None and url.port is not None
        _, protocol = await loop.create_connection(_Connection, url.host, url.port)
        return protocol

    def close(self) -> None:
        for connection in self._idle:
            connection.close()
        self._idle = []


def _request_bytes(method: str, url: URL, headers: dict[str, str], body: bytes) -> bytes:
    # The Host header as aiohttp writes it (ClientRequest.update_auto_headers, 3.9).
    host = url.raw_host or ""
    if ":" in host:
        host = f"[{host}]"
    if url.port is not None and not url.is_default_port():
        host = f"{host}:{url.port}"
    lines = [f"{method.upper()} {url.raw_path_qs} HTTP/1.1", f"Host: {host}"]
    lines.extend(f"{name}: {value}" for name, value in headers.items())
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
