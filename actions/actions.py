"""Thin Rasa actions: build the message and context from the tracker, call `conversation`, send the reply.

The fact store is loaded and validated when this module is imported, i.e.
when the action server starts: a malformed fact file stops it right away
with a message that names the file and key.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import conversation
from actions.answers import Reply
from actions.fact_store import FactStoreError, load_fact_store
from actions.reading import Context, Message

try:
    FACTS = load_fact_store()
except FactStoreError as error:
    # rasa_sdk stops the server (exit code 1) only on an ImportError; any other
    # error would leave it running without actions.
    raise ImportError(f"The fact store is invalid: {error}. Fix it and restart.") from error


def _end_of_turn() -> dict[str, Any]:
    # Every action here gives the whole answer to the user's message, so the bot
    # listens next. data/rules.yml says so too, but saying it here spares Rasa a
    # second run of its policies on every message (docs/benchmarks.md). A rule that
    # should follow one of these actions with another action needs this removed.
    return FollowupAction("action_listen")


def _send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    if reply.response:
        dispatcher.utter_message(response=reply.response)
    else:
        dispatcher.utter_message(text=reply.text, buttons=reply.button_dicts())


def _message(tracker: Tracker) -> Message:
    latest = tracker.latest_message or {}
    intent = latest.get("intent") or {}
    entities = tuple(e for e in latest.get("entities") or [] if isinstance(e, dict))
    return Message(
        text=str(latest.get("text") or ""),
        intent=intent.get("name"),
        confidence=float(intent.get("confidence") or 1.0),
        entities=entities,
    )


def _context(tracker: Tracker) -> Context:
    claims = tracker.get_slot("claims")
    return Context(
        role=tracker.get_slot("role"),
        topic=tracker.get_slot("topic"),
        claims=tuple(str(c) for c in claims) if isinstance(claims, list) else (),
    )


class ActionAnswerQuestion(Action):
    """Every message: read once, decided by conversation.RULES (small talk and citations included)."""

    def name(self) -> str:
        return "action_answer_question"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        turn = conversation.respond(FACTS, _message(tracker), _context(tracker))
        _send(dispatcher, turn.reply)
        return _slot_changes(tracker, turn)


def _slot_changes(tracker: Tracker, turn: conversation.Turn) -> list[dict[str, Any]]:
    """SlotSet events for the slots this turn changes only (every event is stored, and
    read again on each later turn of the conversation), then the end of the turn."""
    values: tuple[tuple[str, Any], ...] = (
        ("role", turn.role),
        ("topic", turn.topic),
        ("claims", list(turn.sources) or None),
    )
    return [SlotSet(name, value) for name, value in values if tracker.get_slot(name) != value] + [
        _end_of_turn()
    ]
