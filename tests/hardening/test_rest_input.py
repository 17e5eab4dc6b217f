"""Bad input through the REST channel (connectors/rest.py) on the real server.

Every request gets an answer that says what happened: a reply list for
anything a user could type, a 4xx with a JSON error for a broken request;
never a 500 and never a hang. What is answered is in the tracker store, as it
was understood (cleaned), and the server answers the next question normally.
"""

from __future__ import annotations

import contextlib
import json
import random
import socket
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from connectors.guard import EMPTY_REPLY, MAX_JSON_DEPTH, STORE_APOLOGY
from tests.hardening.conftest import REQUEST_MAX_SIZE, Stack, new_sender, post, say, texts

GOOD_QUESTION = "How much does a product manager make?"


def _webhook(stack: Stack) -> str:
    return f"{stack.rasa.base}/webhooks/rest/webhook"


def _still_answers(stack: Stack) -> None:
    status, replies = say(stack, new_sender("alive"), GOOD_QUESTION, timeout=30)
    assert status == 200 and "$98,439" in texts(replies)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b'{"sender": "x", "message": ', "invalid_json"),
        (b"not json at all", "invalid_json"),
        (b"", "invalid_json"),
        (b"[1, 2]", "not_an_object"),
        (b'"a string"', "not_an_object"),
        (b"null", "not_an_object"),
        (b'{"message": "hi"}', "invalid_sender"),
        (b'{"sender": 42, "message": "hi"}', "invalid_sender"),
        (b'{"sender": true, "message": "hi"}', "invalid_sender"),
        (b'{"sender": ["a"], "message": "hi"}', "invalid_sender"),
        (b'{"sender": "", "message": "hi"}', "invalid_sender"),
        (b'{"sender": "   ", "message": "hi"}', "invalid_sender"),
        (b'{"sender": "a\\u0000b", "message": "hi"}', "invalid_sender"),
        (json.dumps({"sender": "s" * 300, "message": "hi"}).encode(), "invalid_sender"),
        (b'{"sender": "x"}', "invalid_message"),
        (b'{"sender": "x", "message": null}', "invalid_message"),
        (b'{"sender": "x", "message": 42}', "invalid_message"),
        (b'{"sender": "x", "message": {"text": "hi"}}', "invalid_message"),
        (b'{"sender": "x", "message": "hi", "metadata": "x"}', "invalid_metadata"),
    ],
)
def test_broken_requests_get_a_400_that_says_why(stack: Stack, body: bytes, error: str) -> None:
    # Bounded by the request's timeout (generous on a loaded machine), not by a stopwatch.
    status, answer = post(_webhook(stack), body, timeout=30)
    assert status == 400
    assert answer["error"] == error
    assert "sender" in answer["detail"] or "metadata" in answer["detail"]


def nested(depth: int) -> str:
    """JSON text of `depth` arrays, one in the other: 4 bytes a level."""
    return "[0," * depth + "0" + "]" * depth


def _deep_body(sender: str, depth: int) -> bytes:
    # The body (1), `metadata` (2), then `depth` arrays.
    message = json.dumps(GOOD_QUESTION)
    return f'{{"sender": "{sender}", "message": {message}, "metadata": {{"x": {nested(depth)}}}}}'.encode()


@pytest.mark.parametrize(
    "depth",
    [
        # 20 kB: Python's JSON parser raised RecursionError, a 500.
        5000,
        # Parsed, but Rasa failed on it further on: a 503 asking to send it again.
        900,
        MAX_JSON_DEPTH - 1,
    ],
)
def test_json_nested_too_deep_gets_a_400_that_says_why(stack: Stack, depth: int) -> None:
    sender = new_sender("deep")
    body = _deep_body(sender, depth)
    if depth == 5000:
        assert len(body) > 20_000
    status, answer = post(_webhook(stack), body)
    assert status == 400, answer
    assert answer["error"] == "too_deeply_nested"
    assert f"more than {MAX_JSON_DEPTH} levels deep" in answer["detail"]
    assert stack.user_texts(sender) == []
    _still_answers(stack)


def test_json_nested_up_to_the_limit_is_answered(stack: Stack) -> None:
    sender = new_sender("deep-ok")
    status, replies = post(_webhook(stack), _deep_body(sender, MAX_JSON_DEPTH - 2))
    assert status == 200 and "$98,439" in texts(replies)
    assert stack.user_texts(sender) == [GOOD_QUESTION]


def test_json_without_a_json_content_type_is_accepted(stack: Stack) -> None:
    # curl -d sends application/x-www-form-urlencoded unless told otherwise.
    body = json.dumps({"sender": new_sender(), "message": GOOD_QUESTION}).encode()
    status, replies = post(_webhook(stack), body, content_type="application/x-www-form-urlencoded")
    assert status == 200 and "$98,439" in texts(replies)


@pytest.mark.parametrize("message", ["", "   ", "\n\t \n", "\x00\x01\x02", "\u202e\u2066"])
def test_empty_or_blank_text_gets_a_prompt_and_is_not_stored(stack: Stack, message: str) -> None:
    sender = new_sender("empty")
    status, replies = say(stack, sender, message)
    assert status == 200
    assert texts(replies) == EMPTY_REPLY
    assert replies[0]["recipient_id"] == sender
    assert stack.user_texts(sender) == []


def test_a_100_kb_message_is_refused_with_a_reply_and_the_server_stays_responsive(stack: Stack) -> None:
    sender = new_sender("big")
    message = "how much does a product manager make " * 2800  # ~100 kB
    assert len(message.encode()) > 100_000
    # Bounded by the 60 s each answer is waited for, not by a stopwatch over all six.
    with ThreadPoolExecutor(max_workers=6) as pool:
        big = [pool.submit(say, stack, sender, message) for _ in range(5)]
        normal = pool.submit(say, stack, new_sender("beside"), GOOD_QUESTION)
        results = [f.result(timeout=60) for f in big]
        status, replies = normal.result(timeout=60)
    for big_status, big_replies in results:
        assert big_status == 200
        text = texts(big_replies)
        assert "too long" in text and "2,000 characters" in text
    assert status == 200 and "$98,439" in texts(replies)
    assert stack.user_texts(sender) == []


def test_text_at_the_limit_is_answered(stack: Stack) -> None:
    message = (GOOD_QUESTION + " ") * 50
    message = message[:2000]
    status, replies = say(stack, new_sender("limit"), message)
    assert status == 200 and texts(replies) and "too long" not in texts(replies)


def test_a_body_over_the_servers_limit_is_refused_without_harm(stack: Stack) -> None:
    body = json.dumps({"sender": new_sender(), "message": "x" * (REQUEST_MAX_SIZE + 1000)}).encode()
    assert _raw_post_status(_webhook(stack), body, timeout=30) == 413
    _still_answers(stack)


def _raw_post_status(url: str, body: bytes, timeout: float) -> int:
    """The status line's code of a POST, read even when the server closes before the body is sent.

    Sanic answers 413 as soon as the declared length is over its limit and may
    close while the body is still going out: the send then fails with a reset
    or a broken pipe, and the answer is still there to read. A timeout, a
    refused connection or no status line at all fails the test (they are not a 413).
    """
    parts = urllib.parse.urlsplit(url)
    head = (
        f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    assert parts.hostname and parts.port, url
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as conn:
        conn.sendall(head)
        # Closed by the server after its answer: the answer is read below.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            conn.sendall(body)
        answer = b""
        # A reset after the answer arrived: what arrived is read.
        with contextlib.suppress(ConnectionResetError):
            while b"\r\n" not in answer:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                answer += chunk
    line = answer.split(b"\r\n", 1)[0].decode("latin-1")
    assert line.startswith("HTTP/1."), f"no status line in {answer[:200]!r}"
    return int(line.split()[1])


@pytest.mark.parametrize(
    ("message", "expected", "stored"),
    [
        ("👩🏽‍💻 what does a product manager do? 🚀", "market", None),
        ("how much does a production manager earn 💰💰💰", "$73,786", None),
        ("ما هو راتب product manager؟", "A product manager", None),
        ("מה המשכורת של production manager?", "A production manager", None),
        ("产品经理 product manager salary", "$98,439", None),
        ("Ｐｒｏｄｕｃｔ manager salary in ｆｕｌｌ ｗｉｄｔｈ", "pay", None),
        ("what do production managers\x00 earn\x07?", "$73,786", "what do production managers  earn ?"),
        ("what do product\u202e managers earn", "$98,439", "what do product managers earn"),
        ("what do product managers earn \ud800?", "$98,439", "what do product managers earn \ufffd?"),
    ],
)
def test_any_script_emoji_or_control_character_gets_an_answer_and_is_stored(
    stack: Stack, message: str, expected: str, stored: str | None
) -> None:
    sender = new_sender("text")
    status, replies = say(stack, sender, message)
    assert status == 200
    assert texts(replies).strip()
    assert expected in texts(replies)
    assert stack.user_texts(sender) == [stored if stored is not None else message]


def test_invalid_utf8_is_replaced_not_refused(stack: Stack) -> None:
    sender = new_sender("utf8")
    body = b'{"sender": "' + sender.encode() + b'", "message": "what do product managers \xff\xfe earn?"}'
    status, replies = post(_webhook(stack), body)
    assert status == 200 and "$98,439" in texts(replies)
    assert stack.user_texts(sender) == ["what do product managers \ufffd\ufffd earn?"]


@pytest.mark.parametrize(
    "message",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)> how much does a product manager make",
        "what does a <b>project</b> manager do?",
        "[click me](javascript:alert(1))",
    ],
)
def test_markup_is_never_echoed_back(stack: Stack, message: str) -> None:
    sender = new_sender("xss")
    status, replies = say(stack, sender, message)
    assert status == 200
    reply = json.dumps(replies)
    for fragment in ("<script", "<img", "onerror", "javascript:", "<b>"):
        assert fragment not in reply
    # Kept as the user wrote it: the page shows it as text (test_webchat_xss.py).
    assert stack.user_texts(sender) == [message]


def test_input_channel_in_the_body_is_ignored(stack: Stack) -> None:
    sender = new_sender("spoof")
    body = json.dumps({"sender": sender, "message": GOOD_QUESTION, "input_channel": "slack"}).encode()
    status, _ = post(_webhook(stack), body)
    assert status == 200
    tracker = stack.tracker(sender)
    assert tracker["latest_input_channel"] == "rest"


def test_a_flood_from_one_sender_is_bounded_and_loses_nothing_it_accepted(stack: Stack) -> None:
    sender = new_sender("flood")
    stack.pause_actions()  # every turn now takes the full action timeout
    try:
        with ThreadPoolExecutor(max_workers=10) as pool:
            results = list(pool.map(lambda i: say(stack, sender, f"do product managers earn {i}"), range(10)))
    finally:
        stack.resume_actions()
    statuses = [status for status, _ in results]
    assert set(statuses) <= {200, 429}, statuses
    assert 429 in statuses
    for status, answer in results:
        if status == 429:
            assert answer["error"] == "too_many_pending"
    accepted = sorted(i for i, (status, _) in enumerate(results) if status == 200)
    stored = sorted(int(text.rsplit(" ", 1)[1]) for text in stack.user_texts(sender))
    assert stored == accepted


def _random_text(rng: random.Random) -> str:
    pieces = [
        lambda: "".join(chr(rng.randint(0x20, 0x7E)) for _ in range(rng.randint(1, 40))),
        lambda: "".join(chr(rng.randint(0, 0x10FFFF)) for _ in range(rng.randint(1, 20))),
        lambda: "".join(chr(rng.randint(0, 0x1F)) for _ in range(rng.randint(1, 5))),
        lambda: rng.choice(["product manager", "production manager", "salary", "PM", "vs", "?", "/greet"]),
        lambda: rng.choice(["😀", "👩🏽‍💻", "مرحبا", "שלום", "こんにちは", "\u202e", "\ufeff", "\u200d"]),
    ]
    return " ".join(rng.choice(pieces)() for _ in range(rng.randint(1, 6)))


def test_random_text_through_the_real_server_always_gets_a_reply(stack: Stack) -> None:
    rng = random.Random(20261125)
    sender = new_sender("fuzz")
    answered: list[Any] = []
    for _ in range(40):
        message = _random_text(rng)
        status, replies = say(stack, sender, message, timeout=30)
        assert status == 200, (message, replies)
        assert texts(replies).strip(), message
        assert STORE_APOLOGY not in texts(replies)
        if texts(replies) != EMPTY_REPLY:
            answered.append(message)
    assert len(stack.user_texts(sender)) == len(answered)
    _still_answers(stack)
