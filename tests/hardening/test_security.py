"""Security: Rasa's HTTP API behind a token, CORS origins, no secret in the repo or the logs.

Slack's signature and replay checks are in test_slack_input.py.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from local_stack.processes import ROOT
from tests.channels.fake_slack import message_event
from tests.hardening.conftest import API_TOKEN, SLACK_SIGNING_SECRET, SLACK_TOKEN, Stack, new_sender, say


def _status(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, dict]:
    data = b"{}" if method in ("POST", "PUT") else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/conversations/{sender}/tracker"),
        ("POST", "/conversations/{sender}/messages"),
        ("POST", "/conversations/{sender}/tracker/events"),
        ("PUT", "/model"),
        ("DELETE", "/model"),
        ("POST", "/model/parse"),
        ("GET", "/status"),
    ],
)
def test_the_http_api_wants_the_token(stack: Stack, method: str, path: str) -> None:
    url = stack.rasa.base + path.format(sender=new_sender("api"))
    assert _status(url, method)[0] == 401
    assert _status(f"{url}?token=wrong-{API_TOKEN}", method)[0] == 401
    assert _status(url, method, headers={"Authorization": f"Bearer {API_TOKEN}"})[0] == 401


def test_the_http_api_answers_with_the_token(stack: Stack) -> None:
    sender = new_sender("api")
    assert say(stack, sender, "How much does a product manager make?")[0] == 200
    assert stack.tracker(sender)["sender_id"] == sender


def test_make_run_turns_the_api_on_only_with_a_token() -> None:
    # make run and the container image both start Rasa by scripts/serve.sh.
    script = (ROOT / "scripts" / "serve.sh").read_text()
    api_lines = [line.strip() for line in script.splitlines() if "--enable-api" in line]
    # --auth-token=...: a token starting with "-" would otherwise be read as an option.
    assert api_lines == ['api=(--enable-api "--auth-token=$RASA_API_TOKEN")']
    assert 'if [ -n "${RASA_API_TOKEN:-}" ]; then' in script


def test_cors_allows_the_page_and_no_other_origin(stack: Stack) -> None:
    polling = f"{stack.rasa.base}/socket.io/?EIO=4&transport=polling"
    _, headers = _status(polling, headers={"Origin": stack.web.base})
    assert headers.get("Access-Control-Allow-Origin") == stack.web.base
    for origin in ("https://evil.example", "null", f"{stack.web.base}.evil.example"):
        _, headers = _status(polling, headers={"Origin": origin})
        assert headers.get("Access-Control-Allow-Origin") in (None, ""), origin
    _, headers = _status(
        f"{stack.rasa.base}/webhooks/rest/webhook", "OPTIONS", {"Origin": "https://evil.example"}
    )
    assert headers.get("Access-Control-Allow-Origin") in (None, "")


def test_a_websocket_from_another_origin_is_refused(stack: Stack) -> None:
    import asyncio

    import websockets
    from websockets.exceptions import InvalidStatusCode

    url = stack.rasa.base.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"

    async def open_from(origin: str) -> str:
        async with websockets.connect(url, origin=origin, open_timeout=10) as socket:  # type: ignore[attr-defined]
            return str(await asyncio.wait_for(socket.recv(), 10))

    assert asyncio.run(open_from(stack.web.base)).startswith("0")  # the page's origin: engine.io "open"
    # Refused at the handshake: engine.io answers 401 when the connect handler
    # (connectors/socketio.py) returns False, instead of 101 Switching Protocols.
    with pytest.raises(InvalidStatusCode) as refused:
        asyncio.run(open_from("https://evil.example"))
    assert refused.value.status_code == 401, refused.value


# A secret's shape, not its value: Slack tokens, private keys, credentials in URLs,
# cloud keys. Test fixtures generate their secrets at run time.
SECRET_SHAPES = [
    re.compile(r"xox[abprs]-\d{6,}-[0-9A-Za-z-]{10,}"),
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"\b(?:postgres(?:ql)?|redis|mysql|mongodb)://[^:\s/@]+:(?!secret@)[^@\s/{}$<]{6,}@"),
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    re.compile(r"(?i)\b(?:slack_token|slack_signing_secret|auth_token|password)\s*:\s*['\"]?[0-9a-f]{16,}"),
]
SKIP_DIRS = {".git", ".venv", "node_modules", "models", "results", "var", ".spacy", ".rasa"}
SKIP_DIRS |= {".mypy_cache", ".ruff_cache", ".pytest_cache", "__pycache__"}


def _project_files() -> list[Path]:
    files = []
    for path in ROOT.rglob("*"):
        if path.is_file() and not SKIP_DIRS.intersection(path.relative_to(ROOT).parts):
            files.append(path)
    return files


def test_no_secret_in_the_repo() -> None:
    found = []
    for path in _project_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        found += [
            f"{path.relative_to(ROOT)}: {m.group(0)[:40]}" for p in SECRET_SHAPES for m in p.finditer(text)
        ]
    assert not found


def test_credentials_and_endpoints_take_secrets_from_the_environment() -> None:
    credentials = (ROOT / "credentials.yml").read_text()
    assert not re.search(
        r"(?m)^\s*(slack_token|slack_signing_secret|jwt_key|auth_token)\s*:\s*\S", credentials
    )
    endpoints = (ROOT / "endpoints.yml").read_text()
    assert not re.search(r"(?m)^\s*(password|token)\s*:\s*\S", endpoints)


def test_the_logs_print_no_secret(stack: Stack) -> None:
    # Requests that could log a secret: a forged Slack request, a signed one, and API
    # calls with a good and a bad token (in the query string, where Rasa takes it).
    user, dm = f"U{new_sender()[-8:].upper()}", f"D{new_sender()[-8:].upper()}"
    stack.slack.event(message_event(user, dm, "hello", "1800000000.000001"), signed=False)
    stack.slack.event(message_event(user, dm, "How much does a product manager make?", f"{1e9:.6f}"))
    stack.slack_api.wait_for(dm, lambda p: "$98,439" in p.text)
    _status(f"{stack.rasa.base}/conversations/{user}/tracker?token={API_TOKEN}")
    _status(f"{stack.rasa.base}/conversations/{user}/tracker?token=bad-{API_TOKEN}")
    logs = [stack.rasa.log, *stack.rasa.log.parent.glob("actions-*.log")]
    for log in logs:
        text = log.read_text(errors="replace")
        for secret in (SLACK_TOKEN, SLACK_SIGNING_SECRET, API_TOKEN):
            assert secret not in text, f"{log.name} prints a secret"
