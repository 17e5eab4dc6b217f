"""The small HTTP JSON client the stack's users talk to its servers with."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

REQUEST_TIMEOUT = 30.0


def _request(method: str, url: str, body: Any) -> urllib.request.Request:
    data = None if body is None else json.dumps(body).encode()
    return urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})


def http_json(method: str, url: str, body: Any = None, timeout: float = REQUEST_TIMEOUT) -> Any:
    """The JSON body (or None); an HTTP error status raises urllib.error.HTTPError."""
    with urllib.request.urlopen(_request(method, url, body), timeout=timeout) as response:
        raw = response.read()
    return json.loads(raw) if raw else None


def request(method: str, url: str, body: Any = None, timeout: float = REQUEST_TIMEOUT) -> tuple[int, Any]:
    """(HTTP status, JSON body or None); an HTTP error is a status, not an exception."""
    try:
        with urllib.request.urlopen(_request(method, url, body), timeout=timeout) as response:
            raw = response.read()
            return response.status, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as error:
        return error.code, None
