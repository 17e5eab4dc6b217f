"""The Rasa actions, run as the action server runs them: the reply, the slots, the end of the turn."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import (
    ActionAnswerQuestion,
    ActionCiteSource,
    ActionHandleFallback,
    ActionRedirectOutOfScope,
)

LISTEN = {"event": "followup", "name": "action_listen", "timestamp": None}


def tracker(text: str, intent: str, role: str | None = None, slots: dict[str, Any] | None = None) -> Tracker:
    entities = [{"entity": "role", "value": role}] if role else []
    message = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities}
    return Tracker(
        "someone", {"role": None, "topic": None, **(slots or {})}, message, [], False, None, {}, None
    )


def run(action: Action, state: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, state, {})
    return dispatcher.messages, events


@pytest.mark.parametrize(
    "action, state",
    [
        (
            ActionAnswerQuestion(),
            tracker("what do production managers earn", "ask_salary", "production manager"),
        ),
        (ActionHandleFallback(), tracker("production manager pay?", "nlu_fallback", "production manager")),
        (ActionRedirectOutOfScope(), tracker("whats 17 times 3", "out_of_scope")),
        (ActionCiteSource(), tracker("where is that from", "ask_source", slots={"role": "product_manager"})),
    ],
)
def test_every_action_replies_once_and_then_listens(action: Action, state: Tracker) -> None:
    messages, events = run(action, state)
    assert len(messages) == 1 and messages[0]["text"]
    assert events[-1] == LISTEN
    assert all(e["event"] == "slot" for e in events[:-1])


def test_only_changed_slots_are_set() -> None:
    question = "what do production managers earn"
    _, first = run(ActionAnswerQuestion(), tracker(question, "ask_salary", "production manager"))
    assert [(e["name"], e["value"]) for e in first[:-1]] == [
        ("role", "production_manager"),
        ("topic", "salary"),
    ]
    again = tracker(
        question, "ask_salary", "production manager", {"role": "production_manager", "topic": "salary"}
    )
    _, second = run(ActionAnswerQuestion(), again)
    assert second == [LISTEN]
