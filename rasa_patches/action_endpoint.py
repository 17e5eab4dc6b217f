"""A bounded call to the action server, and an apology instead of silence when it fails.

Rasa 3.6 waits up to five minutes for the action server (DEFAULT_REQUEST_TIMEOUT
is hard-coded; endpoints.yml has no setting for it, RasaHQ/rasa#9789). When the
call fails, the processor logs the error, drops the action's events and goes
on, so the user gets no reply at all.

`BoundedActionEndpoint` is the action endpoint from endpoints.yml with two
changes: each call is cut off after `timeout` seconds, and a call that fails
(refused, timed out, a 5xx) answers with one short apology, which Rasa sends
through whichever channel the message came from and records in the tracker. A
400 still raises, because that is how an action rejects itself on purpose.
The user's message is kept either way, and the next message goes to the
action server again, so the conversation carries on once it is back.

It also keeps its connections to the action server open between calls, where
Rasa's `EndpointConfig.request` opens a new session, and so a new TCP
connection, for every action call, and writes each request at once
(rasa_patches/action_client.py; aiohttp for `https://`, a custom CA or a
compressed request).

`install` makes every action endpoint Rasa hands the agent or a message
processor a `BoundedActionEndpoint` (rasa_patches/assignment.py). Its time
limit is endpoints.yml's `timeout` under `action_endpoint` (10 s when it is not
given), where a Rasa user looks for it; Rasa itself ignores that key. The
action server's URL is ACTION_SERVER_URL when that is set (endpoints.yml's
`url`, http://localhost:5055/webhook, otherwise), so that any number of Rasa
servers can share one pool of action servers without a file per host. Rasa's
own `${ACTION_SERVER_URL}` in endpoints.yml would refuse to start whenever the
variable is unset.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from json import dumps
from typing import Any

import aiohttp
from aiohttp import ContentTypeError
from multidict import MultiDict
from rasa.core.agent import Agent
from rasa.core.processor import MessageProcessor
from rasa.utils.endpoints import ClientResponseError, EndpointConfig, concat_url
from yarl import URL

from rasa_patches.action_client import KeepAliveClient
from rasa_patches.assignment import convert_on_assignment, converts

logger = logging.getLogger(__name__)

DEFAULT_ACTION_TIMEOUT = 10.0
KEEPALIVE_SECONDS = 2.0
ACTION_SERVER_URL = "ACTION_SERVER_URL"
# The action server is down or too slow: said instead of silence.
ACTION_APOLOGY = "Sorry, I can't look that up right now. Please try again in a moment."


# The classes `install` changes (tests/conftest.py puts them back after each test).
PATCHED_CLASSES: tuple[type, ...] = (Agent, MessageProcessor)


def action_server_url(configured: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """ACTION_SERVER_URL when set and not empty, else the URL endpoints.yml configured."""
    env = os.environ if environ is None else environ
    return env.get(ACTION_SERVER_URL, "").strip() or configured


def apology_response(text: str = ACTION_APOLOGY) -> dict[str, Any]:
    """An action server response that says `text` and changes nothing else."""
    return {"events": [], "responses": [{"text": text}]}


class BoundedActionEndpoint(EndpointConfig):
    """The action endpoint, with a time limit per call and an apology on failure."""

    def __init__(self, timeout: float = DEFAULT_ACTION_TIMEOUT, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None
        self._client = KeepAliveClient(KEEPALIVE_SECONDS)

    def _shared_session(self) -> aiohttp.ClientSession:
        """One session per event loop, kept open so its connections are reused."""
        loop = asyncio.get_running_loop()
        session = self._session
        if session is None or session.closed or session._loop is not loop:
            auth = None
            if self.basic_auth:
                auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
            # Idle connections are dropped before the action server drops them
            # (Sanic's keep-alive timeout is 5 s), so a request never goes out on a
            # connection the server is closing.
            connector = aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS)
            # No cookie jar: Rasa's own call opens a new session each time, so a
            # cookie from the action server never reached a later call anyway, and
            # aiohttp's jar spends time on expiry checks every call.
            session = aiohttp.ClientSession(
                auth=auth, connector=connector, cookie_jar=aiohttp.DummyCookieJar()
            )
            self._session = session
        return session

    async def close(self) -> None:
        self._client.close()
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    @classmethod
    def wrap(cls, endpoint: EndpointConfig, timeout: float) -> BoundedActionEndpoint:
        bounded = cls(
            timeout=timeout,
            url=endpoint.url,
            params=endpoint.params,
            headers=endpoint.headers,
            basic_auth=endpoint.basic_auth,
            token=endpoint.token,
            token_name=endpoint.token_name,
            cafile=endpoint.cafile,
            **{key: value for key, value in endpoint.kwargs.items() if key != "timeout"},
        )
        bounded.type = endpoint.type
        return bounded

    async def request(
        self,
        method: str = "post",
        subpath: str | None = None,
        content_type: str | None = "application/json",
        compress: bool = False,
        **kwargs: Any,
    ) -> Any:
        # Replaces the five minutes that RemoteAction passes.
        kwargs["timeout"] = aiohttp.ClientTimeout(total=self.timeout)
        try:
            return await self._send(method, subpath, content_type, compress, **kwargs)
        except ClientResponseError as error:
            if error.status == 400:
                raise
            problem = f"answered {error.status}"
        except asyncio.TimeoutError:
            problem = f"did not answer within {self.timeout:g} s"
        except (aiohttp.ClientError, OSError) as error:
            problem = f"could not be reached ({type(error).__name__}: {error})"
        action = (kwargs.get("json") or {}).get("next_action", "?")
        logger.error(
            f"{self.describe()} {problem} for action '{action}'. "
            "The user was sent an apology; the next message tries the actions again."
        )
        return apology_response()

    def describe(self) -> str:
        """Where the actions run, for the log."""
        return f"The action server at {self.url}"

    async def _send(
        self, method: str, subpath: str | None, content_type: str | None, compress: bool, **kwargs: Any
    ) -> Any:
        """`EndpointConfig.request`, over kept-alive connections."""
        if self.cafile:
            # A custom CA is rare here; Rasa's own request handles it.
            return await super().request(method, subpath, content_type, compress, **kwargs)
        headers = {"Content-Type": content_type} if content_type else {}
        headers.update(kwargs.pop("headers", None) or {})
        headers.update(self.headers or {})
        params = self.combine_parameters(kwargs)
        url = URL(concat_url(self.url, subpath))
        if url.scheme == "http" and not compress and set(kwargs) <= {"json", "timeout"}:
            return await self._send_at_once(method, url, headers, params, **kwargs)
        async with self._shared_session().request(
            method, url, headers=headers, params=params, compress=compress, **kwargs
        ) as response:
            if response.status >= 400:
                raise ClientResponseError(response.status, response.reason, await response.content.read())
            try:
                return await response.json()
            except ContentTypeError:
                return None

    async def _send_at_once(
        self,
        method: str,
        url: URL,
        headers: dict[str, str],
        params: dict[str, Any],
        json: Any = None,
        timeout: aiohttp.ClientTimeout | None = None,
    ) -> Any:
        """The same request through `KeepAliveClient`: headers and body in one write."""
        if params:
            # As aiohttp adds them (ClientRequest.__init__, 3.9).
            query = MultiDict(url.query)
            query.extend(url.with_query(params).query)
            url = url.with_query(query)
        headers = {k: v for k, v in headers.items() if k.lower() not in ("host", "content-length")}
        if self.basic_auth:
            auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
            headers["Authorization"] = auth.encode()
        body = b"" if json is None else dumps(json).encode("utf-8")
        total = timeout.total if timeout is not None and timeout.total else self.timeout
        response = await self._client.request(method, url, headers, body, total)
        if response.status >= 400:
            raise ClientResponseError(response.status, response.reason, response.body)
        return response.json()


def configured_timeout(endpoint: EndpointConfig) -> float:
    """endpoints.yml's `timeout` for the action endpoint (Rasa keeps unknown keys in `kwargs`)."""
    value = endpoint.kwargs.get("timeout", DEFAULT_ACTION_TIMEOUT)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(
            f"endpoints: action_endpoint `timeout` must be a number of seconds > 0, not {value!r}"
        )
    return float(value)


def bounded(endpoint: EndpointConfig | None) -> EndpointConfig | None:
    """The action endpoint Rasa was given, bounded: at ACTION_SERVER_URL if set, else in
    this process if endpoints.yml names an `actions_module` (rasa_patches/action_module.py),
    else at endpoints.yml's URL."""
    if isinstance(endpoint, BoundedActionEndpoint):
        return endpoint
    explicit_url = action_server_url(None)
    if not explicit_url and endpoint is not None:
        # Imported here: it loads rasa_sdk and the actions, which a Rasa server
        # calling an action server never needs.
        from rasa_patches import action_module

        module = action_module.configured_module(endpoint.kwargs)
        if module is not None:
            timeout = configured_timeout(endpoint)
            in_process = action_module.InProcessActions.wrap_module(endpoint, module, timeout)
            logger.info(
                f"Actions of '{module}' run in this process: calls time out after "
                f"{in_process.timeout:g} s and then apologise (ACTION_SERVER_URL unset)."
            )
            return in_process
    url = explicit_url or getattr(endpoint, "url", None)
    if not url:
        return endpoint
    if endpoint is None:
        result = BoundedActionEndpoint(timeout=DEFAULT_ACTION_TIMEOUT, url=url)
    else:
        result = BoundedActionEndpoint.wrap(endpoint, configured_timeout(endpoint))
    result.url = url
    logger.info(f"Action server {url}: calls time out after {result.timeout:g} s and then apologise.")
    return result


def install() -> None:
    for cls in (Agent, MessageProcessor):
        convert_on_assignment(cls, "action_endpoint", bounded)


def is_installed() -> bool:
    return all(converts(cls, "action_endpoint", bounded) for cls in (Agent, MessageProcessor))
