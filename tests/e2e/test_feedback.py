"""Feedback on an answer through the REST channel, stored in the tracker store with the answer it is about.

The stored events are read from the database file itself (not through Rasa),
as `make review` reads them.
"""

from __future__ import annotations

import uuid
from typing import Any

from local_stack.servers import RasaServer
from tests.fixtures import reply_text


def _sender() -> str:
    return f"feedback-{uuid.uuid4().hex[:10]}"


def _feedback_slots(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e["value"] for e in events if e.get("event") == "slot" and e.get("name") == "feedback"]


def _bot_messages(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e.get("event") == "bot"]


def test_not_what_i_asked_is_apologised_for_and_stored_with_the_answer(rasa_server: RasaServer) -> None:
    sender = _sender()
    answer = reply_text(rasa_server.send(sender, "how much do product managers make?"))
    assert "$98,439" in answer
    reply = reply_text(rasa_server.send(sender, "that's not what I asked"))
    assert reply.startswith("Sorry that didn't help.") and "What were you looking for?" in reply
    # The question asked again in other words gets its answer.
    assert "$73,786" in reply_text(rasa_server.send(sender, "I meant production managers' salary"))

    events = rasa_server.stored(sender)
    [record] = _feedback_slots(events)
    answered = next(e for e in _bot_messages(events) if "$98,439" in (e.get("text") or ""))
    assert record == {
        "rating": "negative",
        "answer_at": answered["timestamp"],
        "answer": answered["text"],
        "question": "how much do product managers make?",
    }


def test_the_not_helpful_button_after_a_fallback_records_the_fallback(rasa_server: RasaServer) -> None:
    sender = _sender()
    replies = rasa_server.send(sender, "zxqv blorp")
    assert reply_text(replies).startswith("Sorry, I didn't catch that.")
    button = next(b for r in replies for b in r.get("buttons", []) if b["title"] == "Not helpful")
    assert reply_text(rasa_server.send(sender, button["payload"])).startswith("Sorry that didn't help.")

    events = rasa_server.stored(sender)
    [record] = _feedback_slots(events)
    assert record["rating"] == "negative" and record["answer"].startswith("Sorry, I didn't catch that.")
    feedback_message = next(
        e for e in events if e.get("event") == "user" and e.get("text") == button["payload"]
    )
    assert feedback_message["parse_data"]["intent"]["name"] == "feedback_negative"


def test_thanks_that_helped_is_stored_as_positive(rasa_server: RasaServer) -> None:
    sender = _sender()
    rasa_server.send(sender, "what certifications do production managers get?")
    assert reply_text(rasa_server.send(sender, "thanks, that helped")).startswith("Glad that helped!")
    [record] = _feedback_slots(rasa_server.stored(sender))
    assert record["rating"] == "positive" and "ASQ" in record["answer"]


def test_every_bot_message_is_stored_with_its_kind(rasa_server: RasaServer) -> None:
    sender = _sender()
    for text in (
        "hi",
        "what's the salary?",
        "what is the job outlook for production managers?",
        "zxqv blorp",
    ):
        rasa_server.send(sender, text)
    kinds = [
        (e["metadata"]["answer"]["kind"], e["metadata"]["answer"]["uncovered"])
        for e in _bot_messages(rasa_server.stored(sender))
        if "answer" in (e.get("metadata") or {})
    ]
    assert kinds == [
        ("small_talk", None),
        ("clarify", None),
        ("uncovered", "job_outlook"),
        ("fallback", None),
    ]


def test_the_kind_is_not_sent_to_the_channel(rasa_server: RasaServer) -> None:
    replies = rasa_server.send(_sender(), "what do production managers do?")
    assert replies and all(set(r) <= {"recipient_id", "text", "buttons"} for r in replies)
