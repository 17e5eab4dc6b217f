"""Feedback on an answer: how it is recorded, and when the bot offers a "Not helpful" button.

A person says an answer missed ("that's not what I asked", a thumbs down, the
button) or helped ("thanks, that helped"). The reply is decided like any
other message (the `feedback` rule of actions/conversation.py); this module
holds what the actions store about it, so that `make review` finds it in the
tracker store with the answer it was about:

- the slot `feedback`, set in the same turn, whose value names the rating and
  the bot message it is about (the last one before the feedback);
- on every bot message, the kind of reply it was (actions/reply_kinds.py).

Plain functions over plain values; the actions pass in the tracker's events.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from actions import reply_kinds

NEGATIVE = "negative"
POSITIVE = "positive"
# The intents (domain.yml) and the rating each stands for.
INTENTS: dict[str, str] = {"feedback_negative": NEGATIVE, "feedback_positive": POSITIVE}
SLOT = "feedback"

NOT_HELPFUL_TITLE = "Not helpful"
NOT_HELPFUL_PAYLOAD = "/feedback_negative"
# FEEDBACK_BUTTONS=true offers the button after every answer, in every channel.
BUTTONS_ENV = "FEEDBACK_BUTTONS"
# Slack shows the button in a block of its own under the reply (connectors/slack.py),
# so it never crowds the follow-ups there and is offered after every answer.
SEPARATE_BUTTON_CHANNELS = frozenset({"slack"})
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


def record(rating: str, events: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The `feedback` slot's value: the rating, and the bot message and question it is about.

    `events` are the tracker's, the feedback message last. The answer is the
    last bot message before that message; the question, the user message
    that answer replied to. Either is None when the conversation has none.
    """
    answer: Mapping[str, Any] | None = None
    question: Mapping[str, Any] | None = None
    user_messages_seen = 0
    for event in reversed(events):
        kind = event.get("event")
        if kind == "user":
            user_messages_seen += 1
            if answer is not None and user_messages_seen >= 2:
                question = event
                break
        elif kind == "bot" and answer is None and user_messages_seen >= 1:
            answer = event
    return {
        "rating": rating,
        "answer_at": answer.get("timestamp") if answer else None,
        "answer": answer.get("text") if answer else None,
        "question": question.get("text") if question else None,
    }


def offers_button(kind: str, channel: str | None, environ: Mapping[str, str]) -> bool:
    """Whether a reply of this kind gets the "Not helpful" button in this channel.

    After a clarification or a fallback the bot may well have missed, so the
    button is offered everywhere; after any other answer only where it does
    not crowd the follow-ups (Slack), or when FEEDBACK_BUTTONS=true.
    """
    if kind in (reply_kinds.CLARIFY, reply_kinds.FALLBACK):
        return True
    if kind not in reply_kinds.ANSWERS:
        return False
    # The same truthy words as the Slack channel's settings (connectors/slack.py).
    return channel in SEPARATE_BUTTON_CHANNELS or environ.get(BUTTONS_ENV, "").strip().lower() in TRUE_WORDS
