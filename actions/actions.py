"""Thin Rasa actions: read slots and the latest message, call `conversation`, send the reply.

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
    dispatcher.utter_message(text=reply.text, buttons=reply.button_dicts())


def _role_entities(tracker: Tracker) -> list[str | None]:
    entities = tracker.latest_message.get("entities") or []
    return [e.get("value") for e in entities if e.get("entity") == "role"]


def _text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")


class ActionAnswerQuestion(Action):
    """Answers a question about one role, or both, on one topic."""

    def name(self) -> str:
        return "action_answer_question"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = tracker.latest_message.get("intent") or {}
        turn = conversation.respond(
            FACTS,
            intent.get("name"),
            _text(tracker),
            _role_entities(tracker),
            tracker.get_slot("role"),
            tracker.get_slot("topic"),
            float(intent.get("confidence") or 1.0),
        )
        _send(dispatcher, turn.reply)
        return _slot_changes(tracker, turn)


class ActionHandleFallback(Action):
    """A message the classifier was unsure about: answer only if the words are clear."""

    def name(self) -> str:
        return "action_handle_fallback"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        turn = conversation.respond_to_fallback(
            FACTS,
            _text(tracker),
            _role_entities(tracker),
            tracker.get_slot("role"),
            tracker.get_slot("topic"),
        )
        _send(dispatcher, turn.reply)
        return _slot_changes(tracker, turn)


class ActionCiteSource(Action):
    """Says where the last answer came from."""

    def name(self) -> str:
        return "action_cite_source"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        _send(dispatcher, conversation.cite(FACTS, tracker.get_slot("role"), tracker.get_slot("topic")))
        return [_end_of_turn()]


class ActionRedirectOutOfScope(Action):
    """A polite redirect for questions outside the two careers."""

    def name(self) -> str:
        return "action_redirect_out_of_scope"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        turn = conversation.redirect(_text(tracker), tracker.get_slot("role"), tracker.get_slot("topic"))
        _send(dispatcher, turn.reply)
        return _slot_changes(tracker, turn)


def _slot_changes(tracker: Tracker, turn: conversation.Turn) -> list[dict[str, Any]]:
    """SlotSet events for the slots this turn changes only (every event is stored, and
    read again on each later turn of the conversation), then the end of the turn."""
    return [
        SlotSet(name, value)
        for name, value in (("role", turn.role), ("topic", turn.topic))
        if tracker.get_slot(name) != value
    ] + [_end_of_turn()]
