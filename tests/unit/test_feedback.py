"""actions/feedback.py: what a feedback slot records, and where the Not helpful button is offered."""

from __future__ import annotations

from typing import Any

import pytest

from actions import feedback, reply_kinds


def user(text: str, at: float) -> dict[str, Any]:
    return {"event": "user", "text": text, "timestamp": at}


def bot(text: str, at: float) -> dict[str, Any]:
    return {"event": "bot", "text": text, "timestamp": at}


def test_record_names_the_last_answer_and_the_question_it_answered() -> None:
    events = [
        {"event": "action", "name": "action_listen", "timestamp": 1.0},
        user("what do they earn?", 2.0),
        bot("Which role do you mean for pay?", 3.0),
        user("product manager", 4.0),
        bot("A product manager earns $98,439 a year on average.", 5.0),
        {"event": "slot", "name": "topic", "value": "salary", "timestamp": 5.1},
        user("that's not what I asked", 6.0),
    ]
    assert feedback.record("negative", events) == {
        "rating": "negative",
        "answer_at": 5.0,
        "answer": "A product manager earns $98,439 a year on average.",
        "question": "product manager",
    }


def test_record_takes_the_last_of_several_bot_messages() -> None:
    events = [user("hi", 1.0), bot("Hello!", 2.0), bot("Ask me anything.", 2.5), user("useless", 3.0)]
    record = feedback.record("negative", events)
    assert (record["answer_at"], record["answer"], record["question"]) == (2.5, "Ask me anything.", "hi")


def test_record_without_an_earlier_answer() -> None:
    assert feedback.record("positive", [user("thumbs up", 1.0)]) == {
        "rating": "positive",
        "answer_at": None,
        "answer": None,
        "question": None,
    }


@pytest.mark.parametrize("kind", [reply_kinds.CLARIFY, reply_kinds.FALLBACK])
@pytest.mark.parametrize("channel", ["rest", "socketio", "slack", "cmdline", None])
def test_the_button_follows_a_clarification_or_a_fallback_everywhere(kind: str, channel: str | None) -> None:
    assert feedback.offers_button(kind, channel, {})


def test_the_button_follows_every_answer_in_slack_only_by_default() -> None:
    assert feedback.offers_button(reply_kinds.ANSWER, "slack", {})
    assert feedback.offers_button(reply_kinds.UNCOVERED, "slack", {})
    assert not feedback.offers_button(reply_kinds.ANSWER, "socketio", {})
    assert not feedback.offers_button(reply_kinds.ANSWER, "rest", {"FEEDBACK_BUTTONS": "false"})


@pytest.mark.parametrize("value", ["true", "TRUE", "1", "yes", "on"])
def test_feedback_buttons_true_offers_it_after_every_answer(value: str) -> None:
    assert feedback.offers_button(reply_kinds.ANSWER, "socketio", {"FEEDBACK_BUTTONS": value})
    assert feedback.offers_button(reply_kinds.OUT_OF_SCOPE, "rest", {"FEEDBACK_BUTTONS": value})


@pytest.mark.parametrize(
    "kind", [reply_kinds.SMALL_TALK, reply_kinds.CITATION, reply_kinds.ADVISOR, reply_kinds.FEEDBACK]
)
def test_no_button_after_what_is_not_an_answer(kind: str) -> None:
    assert not feedback.offers_button(kind, "slack", {"FEEDBACK_BUTTONS": "true"})


def test_the_intents_are_the_domains() -> None:
    import yaml

    from local_stack.processes import ROOT

    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert set(feedback.INTENTS) <= set(domain["intents"])
    assert feedback.SLOT in domain["slots"]
    negative_intent = next(i for i, rating in feedback.INTENTS.items() if rating == feedback.NEGATIVE)
    assert f"/{negative_intent}" == feedback.NOT_HELPFUL_PAYLOAD
