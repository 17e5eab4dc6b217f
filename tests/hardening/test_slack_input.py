"""Slack: forged, replayed, retried and malformed requests into the real connector.

Signed requests go to connectors/slack.py on the hardened stack; replies land
in a fake Slack Web API on loopback.
"""

from __future__ import annotations

import itertools
import json
import time
import urllib.parse
import uuid

import pytest

from connectors.guard import EMPTY_REPLY, MAX_JSON_DEPTH
from tests.channels.fake_slack import message_event
from tests.hardening.conftest import Stack
from tests.hardening.test_rest_input import nested

_ts = itertools.count(1)
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def _ts_now() -> str:
    return f"{int(time.time())}.{next(_ts):06d}"


def _ids() -> tuple[str, str]:
    tag = uuid.uuid4().hex[:8].upper()
    return f"U{tag}", f"D{tag}"


# A signed message sent after the one under test, and the figure its answer holds.
MARKER, MARKER_ANSWER = "what do production managers earn?", "$73,786"


def _then_only_the_marker(stack: Stack, user: str, channel: str, before: int = 0) -> None:
    """Nothing was posted for the request under test, shown without waiting a fixed time.

    A signed message from the same user follows it, and its answer is waited for
    (60 s at most). Rasa handles one conversation's messages in order (its lock
    store), so had the request under test been handled, its answer would have been
    posted before the marker's; after the marker's answer, the channel must hold
    the `before` posts it had and the marker's answer only.
    """
    assert stack.slack.event(message_event(user, channel, MARKER, _ts_now()))[0] == 200
    stack.slack_api.wait_for(channel, lambda p: MARKER_ANSWER in p.text)
    posts = [p.text for p in stack.slack_api.posts_to(channel)]
    assert len(posts) == before + 1 and MARKER_ANSWER in posts[-1], posts


@pytest.mark.parametrize(
    ("kwargs", "why"),
    [
        ({"signed": False}, "no signature"),
        (
            {"signed": False, "headers": {"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=00"}},
            "bad",
        ),
        ({"age": 6 * 60}, "replayed: older than five minutes"),
        ({"age": -6 * 60}, "from the future"),
        (
            {"signed": False, "headers": {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=0"}},
            "timestamp not a number",
        ),
    ],
)
def test_unsigned_forged_or_replayed_requests_are_rejected(stack: Stack, kwargs: dict, why: str) -> None:
    user, dm = _ids()
    status, _, _ = stack.slack.event(
        message_event(user, dm, "How much does a product manager make?", _ts_now()), **kwargs
    )
    assert status == 400, why
    _then_only_the_marker(stack, user, dm)


def test_a_signed_body_changed_in_transit_is_rejected(stack: Stack) -> None:
    user, dm = _ids()
    body = json.dumps(message_event(user, dm, "hello", _ts_now())).encode()
    timestamp = str(int(time.time()))
    from tests.channels.fake_slack import signature
    from tests.hardening.conftest import SLACK_SIGNING_SECRET

    signed_for = signature(SLACK_SIGNING_SECRET, timestamp, body)
    tampered = body.replace(b"hello", b"which pays more?")
    status, _, _ = stack.slack.post(
        tampered,
        "application/json",
        signed=False,
        headers={"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signed_for},
    )
    assert status == 400
    _then_only_the_marker(stack, user, dm)


# The http_timeout retry is covered by tests/channels/test_slack.py::
# test_timeout_retry_is_not_answered_twice; the other reasons are here.
@pytest.mark.parametrize("reason", ["http_error", "connection_failed"])
def test_no_retry_is_answered_twice(stack: Stack, reason: str) -> None:
    user, dm = _ids()
    event = message_event(user, dm, "How much does a product manager make?", _ts_now())
    assert stack.slack.event(event)[0] == 200
    stack.slack_api.wait_for(dm, lambda p: "$98,439" in p.text)
    stack.slack.event(event, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": reason})
    _then_only_the_marker(stack, user, dm, before=1)
    assert len([p for p in stack.slack_api.posts_to(dm) if "$98,439" in p.text]) == 1


def test_blank_text_gets_a_prompt(stack: Stack) -> None:
    user, dm = _ids()
    assert stack.slack.event(message_event(user, dm, "  \n ", _ts_now()))[0] == 200
    assert stack.slack_api.wait_for(dm, lambda p: bool(p.text)).text == EMPTY_REPLY


def test_a_100_kb_message_is_refused_with_a_reply(stack: Stack) -> None:
    user, dm = _ids()
    text = "how much does a product manager make " * 2800
    assert stack.slack.event(message_event(user, dm, text, _ts_now()))[0] == 200
    # Bounded by the wait (60 s, generous on a loaded machine), not by a stopwatch.
    post = stack.slack_api.wait_for(dm, lambda p: bool(p.text), timeout=60)
    assert "too long" in post.text
    other_user, other_dm = _ids()
    stack.slack.event(message_event(other_user, other_dm, "How much does a product manager make?", _ts_now()))
    stack.slack_api.wait_for(other_dm, lambda p: "$98,439" in p.text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("what do production managers\x00 earn\x07?", "$73,786"),
        ("what do product managers earn \ud800?", "$98,439"),
        ("👩🏽‍💻 what does a product manager do? 🚀", "market"),
        ("<script>alert(1)</script> what do product managers earn?", "roduct manager"),
    ],
)
def test_control_characters_emoji_and_markup_get_an_answer(stack: Stack, text: str, expected: str) -> None:
    user, dm = _ids()
    assert stack.slack.event(message_event(user, dm, text, _ts_now()))[0] == 200
    post = stack.slack_api.wait_for(dm, lambda p: bool(p.text))
    assert expected in post.text
    assert "<script" not in post.text


def test_broken_json_gets_a_400(stack: Stack) -> None:
    assert stack.slack.post(b'{"type": "event_callback", "event": ', "application/json")[0] == 400


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param(b"[1, 2]", JSON, id="array"),
        pytest.param(b'"text"', JSON, id="string"),
        pytest.param(
            b'{"type": "event_callback", "event": "x"}',
            "application/json",
            id="event",
        ),
        pytest.param(b"a=b", FORM, id="no-payload"),
        pytest.param(
            b"payload=%7Bbroken",
            "application/x-www-form-urlencoded",
            id="bad-payload",
        ),
    ],
)
def test_signed_bodies_of_the_wrong_shape_get_a_4xx(stack: Stack, body: bytes, content_type: str) -> None:
    status, _, _ = stack.slack.post(body, content_type)
    assert 400 <= status < 500
    # Whatever the answer, the channel keeps working.
    user, dm = _ids()
    stack.slack.event(message_event(user, dm, "How much does a product manager make?", _ts_now()))
    stack.slack_api.wait_for(dm, lambda p: "$98,439" in p.text)


def test_a_text_that_is_not_a_string_gets_a_4xx(stack: Stack) -> None:
    user, dm = _ids()
    event = message_event(user, dm, "hello", _ts_now())
    event["event"]["text"] = 42
    assert 400 <= stack.slack.event(event)[0] < 500


def test_json_nested_too_deep_gets_a_400_that_says_why(stack: Stack) -> None:
    user, dm = _ids()
    event = message_event(user, dm, "How much does a product manager make?", _ts_now())
    event["event"]["blocks"] = "DEEP"
    # The REST channel's 20 kB case: 5,000 arrays deep (Sanic's parser refused it as "not valid JSON").
    body = json.dumps(event).replace('"DEEP"', nested(5000)).encode()
    status, _, text = stack.slack.post(body, JSON)
    assert status == 400
    assert text == f"Bad request: the body nests arrays or objects more than {MAX_JSON_DEPTH} levels deep."
    _then_only_the_marker(stack, user, dm)


def test_an_interaction_payload_nested_too_deep_gets_a_400_that_says_why(stack: Stack) -> None:
    # Rasa's handler hit Python's recursion limit on this one: a 500, which Slack retries.
    payload = f'{{"type": "block_actions", "actions": [], "state": {nested(5000)}}}'
    status, _, text = stack.slack.post(urllib.parse.urlencode({"payload": payload}).encode(), FORM)
    assert status == 400
    assert f"`payload` nests arrays or objects more than {MAX_JSON_DEPTH} levels deep" in text
    user, dm = _ids()
    stack.slack.event(message_event(user, dm, "How much does a product manager make?", _ts_now()))
    stack.slack_api.wait_for(dm, lambda p: "$98,439" in p.text)
