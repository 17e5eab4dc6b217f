"""Slack end to end: signed requests into Rasa's Slack connector on the real
Rasa server and action server; replies captured by a fake Slack Web API.

The stack runs with SLACK_USE_THREADS=true, so every reply must go into the
thread of the message it answers.
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Callable

from tests.channels.conftest import SLACK_TOKEN, Channels
from tests.channels.fake_slack import Post, message_event

_ts = itertools.count(1)


def _ts_now() -> str:
    return f"{int(time.time())}.{next(_ts):06d}"


def _ids() -> tuple[str, str]:
    tag = uuid.uuid4().hex[:8].upper()
    return f"U{tag}", f"D{tag}"


def test_url_verification_challenge(channels: Channels) -> None:
    challenge = uuid.uuid4().hex
    status, _, body = channels.slack.event(
        {"token": "unused", "challenge": challenge, "type": "url_verification"}
    )
    assert status == 200
    assert json.loads(body) == challenge


def test_direct_message_is_answered_in_its_thread(channels: Channels) -> None:
    user, dm = _ids()
    ts = _ts_now()
    status, _, _ = channels.slack.event(message_event(user, dm, "How much does a product manager make?", ts))
    assert status == 200
    post = channels.slack_api.wait_for(dm, lambda p: "$98,439" in p.text)
    assert "$73,786" not in post.text
    assert post.authorization == f"Bearer {SLACK_TOKEN}"
    assert post.thread_ts == ts


def test_unsigned_or_stale_requests_are_rejected(channels: Channels) -> None:
    user, dm = _ids()
    event = message_event(user, dm, "How much does a production manager earn?", _ts_now())
    assert channels.slack.event(event, signed=False)[0] == 400
    assert channels.slack.event(event, age=6 * 60)[0] == 400
    forged = dict(event, event=dict(event["event"], text="which pays more?"))
    status, _, _ = channels.slack.post(
        json.dumps(forged).encode(),
        "application/json",
        headers={"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=" + "0" * 64},
        signed=False,
    )
    assert status == 400
    # A signed request from the same user goes through, and is the only one answered:
    # one conversation's messages are handled in order, so once "hello" is answered a
    # (wrongly) handled rejected request would have been answered already.
    channels.slack.event(message_event(user, dm, "hello", _ts_now()))
    channels.slack_api.wait_for(dm, lambda p: "Hi!" in p.text)
    posts = [p.text for p in channels.slack_api.posts_to(dm)]
    assert len(posts) == 1 and "Hi!" in posts[0], posts


def test_timeout_retry_is_not_answered_twice(channels: Channels) -> None:
    user, dm = _ids()
    first = message_event(user, dm, "How much does a product manager make?", _ts_now())
    assert channels.slack.event(first)[0] == 200
    channels.slack_api.wait_for(dm, lambda p: "$98,439" in p.text)

    status, headers, _ = channels.slack.event(
        first, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    assert status == 201
    assert headers.get("X-Slack-No-Retry") == "1"

    # Messages of one conversation are handled in order, so once the follow-up is
    # answered a (wrongly) processed retry would have been answered too.
    assert channels.slack.event(message_event(user, dm, "and production managers?", _ts_now()))[0] == 200
    follow_up = channels.slack_api.wait_for(dm, lambda p: "$73,786" in p.text)
    assert "$98,439" not in follow_up.text
    assert len([p for p in channels.slack_api.posts_to(dm) if "$98,439" in p.text]) == 1


def test_button_click_continues_the_conversation(channels: Channels) -> None:
    user, dm = _ids()
    ts = _ts_now()
    channels.slack.event(message_event(user, dm, "what's the salary?", ts))
    question = channels.slack_api.wait_for(dm, lambda p: bool(p.buttons))
    titles = [b["text"]["text"] for b in question.buttons]
    assert titles == ["Product manager", "Production manager", "Compare both", "Not helpful"]
    assert len(question.buttons) <= 5
    # The Not helpful button sits in a block of its own, under the follow-ups.
    actions = [b for b in question.body["blocks"] if b["type"] == "actions"]
    assert [[e["text"]["text"] for e in b["elements"]] for b in actions] == [
        ["Product manager", "Production manager", "Compare both"],
        ["Not helpful"],
    ]
    assert all(b["type"] == "button" for b in question.buttons)

    clicked = question.buttons[titles.index("Production manager")]
    status, _, _ = channels.slack.interaction(_block_action(user, dm, question, clicked))
    assert status == 200
    answer = channels.slack_api.wait_for(dm, lambda p: "$73,786" in p.text)
    assert "$98,439" not in answer.text
    # The click came from a message in the user's thread; the answer stays there.
    assert answer.thread_ts == ts


def test_not_helpful_clicked_after_an_answer_is_apologised_for_and_stored(channels: Channels) -> None:
    user, dm = _ids()
    channels.slack.event(message_event(user, dm, "what do production managers earn?", _ts_now()))
    answer = channels.slack_api.wait_for(dm, lambda p: "$73,786" in p.text)
    feedback_block = next(b for b in answer.body["blocks"] if b.get("block_id") == "feedback")
    [button] = feedback_block["elements"]
    assert button["text"]["text"] == "Not helpful"
    status, _, _ = channels.slack.interaction(_block_action(user, dm, answer, button))
    assert status == 200
    channels.slack_api.wait_for(dm, lambda p: p.text.startswith("Sorry that didn't help."))
    [record] = [
        e["value"]
        for e in channels.rasa.stored(user)
        if e.get("event") == "slot" and e.get("name") == "feedback"
    ]
    assert record["rating"] == "negative" and "$73,786" in record["answer"]


def _asks(question: str) -> Callable[[Post], bool]:
    return lambda post: question in post.text and bool(post.buttons)


def test_button_clicks_continue_the_advisor(channels: Channels) -> None:
    """career_fit_form in Slack: each question's buttons, clicked, answer it."""
    user, dm = _ids()
    channels.slack.event(message_event(user, dm, "help me choose", _ts_now()))
    for question, answer in (
        ("what do you enjoy more", "Shaping what gets built"),
        ("degree or background", "Business or marketing"),
        ("Where would you rather work", "Office and customers"),
        ("how much does the average pay matter", "Pay matters a lot"),
    ):
        asked = channels.slack_api.wait_for(dm, _asks(question))
        titles = [b["text"]["text"] for b in asked.buttons]
        assert len(asked.buttons) <= 5
        status, _, _ = channels.slack.interaction(
            _block_action(user, dm, asked, asked.buttons[titles.index(answer)])
        )
        assert status == 200
    result = channels.slack_api.wait_for(dm, lambda p: "better fit" in p.text)
    assert result.text.startswith("Product manager looks like the better fit")
    assert "$98,439" in result.text and "job outlook" in result.text


def test_mention_in_a_channel_is_answered_in_a_thread(channels: Channels) -> None:
    user, _ = _ids()
    channel = "C" + user[1:]
    ts = _ts_now()
    event = message_event(user, channel, "<@U0BOT> which pays more?", ts, channel_type="channel")
    event["event"]["type"] = "app_mention"
    assert channels.slack.event(event)[0] == 200
    answer = channels.slack_api.wait_for(channel, lambda p: "$24,653" in p.text)
    assert answer.thread_ts == ts


def _block_action(user: str, channel: str, message: Post, button: dict) -> dict:
    """The interactivity payload Slack sends when `button` in `message` is clicked."""
    return {
        "type": "block_actions",
        "user": {"id": user, "username": "tester", "team_id": "T0TEST"},
        "api_app_id": "A0TEST",
        "team": {"id": "T0TEST"},
        "channel": {"id": channel, "name": "directmessage"},
        "container": {"type": "message", "message_ts": message.ts, "channel_id": channel},
        "message": {
            "type": "message",
            "user": "U0BOT",
            "ts": message.ts,
            "thread_ts": message.thread_ts,
            "text": message.text,
            "blocks": message.body.get("blocks"),
        },
        "actions": [
            {
                "type": "button",
                "action_id": "a1",
                "block_id": "b1",
                "text": button["text"],
                "value": button["value"],
                "action_ts": str(time.time()),
            }
        ],
        "response_url": "http://127.0.0.1:9/unused",
        "trigger_id": "t1",
    }
