"""The one Rasa action, run as the action server runs it: the reply, the slots, the end of the turn."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import ActionAnswerQuestion

ROOT = Path(__file__).resolve().parents[2]
LISTEN = {"event": "followup", "name": "action_listen", "timestamp": None}
EMPTY_SLOTS: dict[str, Any] = {"role": None, "topic": None, "claims": None}


def tracker(
    text: str,
    intent: str = "ask_question",
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
) -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or []}
    return Tracker("someone", {**EMPTY_SLOTS, **(slots or {})}, message, [], False, None, {}, None)


def role(value: str) -> dict[str, Any]:
    return {"entity": "role", "value": value}


def run(state: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = ActionAnswerQuestion().run(dispatcher, state, {})
    return dispatcher.messages, events


def slots_set(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_the_action_name() -> None:
    assert ActionAnswerQuestion().name() == "action_answer_question"


@pytest.mark.parametrize(
    "state",
    [
        tracker("what do production managers earn", entities=[role("production manager")]),
        tracker("production manager pay?", "nlu_fallback"),
        tracker("whats 17 times 3", "out_of_scope"),
        tracker(
            "where is that from",
            "ask_source",
            slots={"role": "product_manager", "claims": ["product_office"]},
        ),
        tracker("qwxz", "nlu_fallback"),
        tracker("hello", "greet"),
        tracker("thanks!", "thank"),
    ],
)
def test_every_turn_replies_once_and_then_listens(state: Tracker) -> None:
    messages, events = run(state)
    assert len(messages) == 1 and (messages[0]["text"] or messages[0]["response"])
    assert events[-1] == LISTEN
    assert all(e["event"] == "slot" for e in events[:-1])


@pytest.mark.parametrize(
    ("intent", "response"),
    [
        ("greet", "utter_greet"),
        ("goodbye", "utter_goodbye"),
        ("thank", "utter_thank"),
        ("bot_challenge", "utter_iamabot"),
        ("ask_capabilities", "utter_capabilities"),
    ],
)
def test_chit_chat_gets_the_domain_response(intent: str, response: str) -> None:
    messages, events = run(tracker("hey you", intent, slots={"role": "product_manager", "topic": "skills"}))
    assert messages[0]["response"] == response and not messages[0]["text"]
    assert events == [LISTEN], "small talk keeps what the conversation knows"


def test_a_greeting_with_a_question_answers_the_question() -> None:
    messages, _ = run(tracker("hi! how much do production managers make?", "greet"))
    assert "$73,786" in messages[0]["text"] and messages[0]["response"] is None


def test_only_changed_slots_are_set() -> None:
    question = "what do production managers earn"
    _, first = run(tracker(question, entities=[role("production manager")]))
    assert slots_set(first) == {
        "role": "production_manager",
        "topic": "salary",
        "claims": ["salary:production_manager", "salary:depends_on"],
    }
    again = tracker(question, entities=[role("production manager")], slots=slots_set(first))
    _, second = run(again)
    assert second == [LISTEN]


def test_a_follow_up_keeps_the_role_and_changes_the_topic() -> None:
    slots = {"role": "production_manager", "topic": "salary", "claims": ["salary:production_manager"]}
    messages, events = run(tracker("what about their education?", slots=slots))
    assert "engineering" in messages[0]["text"]
    assert set(slots_set(events)) == {"topic", "claims"}
    assert slots_set(events)["topic"] == "education"


def test_buttons_are_sent_as_dicts() -> None:
    messages, _ = run(tracker("what skills do product managers need?"))
    buttons = messages[0]["buttons"]
    assert buttons and all(set(b) == {"title", "payload"} for b in buttons)
    assert all(b["payload"].startswith("/ask_question") for b in buttons)


def test_a_button_payload_is_answered_from_its_entities() -> None:
    entities = [role("both"), {"entity": "topic", "value": "salary"}]
    messages, events = run(tracker('/ask_question{"role": "both", "topic": "salary"}', entities=entities))
    assert "$98,439" in messages[0]["text"] and "$73,786" in messages[0]["text"]
    assert slots_set(events)["role"] == "both"


def test_clarification_sets_no_role_and_no_claims() -> None:
    messages, events = run(tracker("what's the salary?"))
    assert [b["title"] for b in messages[0]["buttons"]] == [
        "Product manager",
        "Production manager",
        "Compare both",
    ]
    assert slots_set(events) == {"topic": "salary"}


def test_a_citation_reads_the_claims_slot() -> None:
    slots = {"role": "production_manager", "topic": "education", "claims": ["production_masters_optional"]}
    messages, events = run(tracker("where did you get that?", "ask_source", slots=slots))
    assert "paragraph 10" in messages[0]["text"]
    assert events == [LISTEN]


def test_slot_values_the_code_does_not_know_count_as_unset() -> None:
    stale = {"role": "project_manager", "topic": "hobbies", "claims": "not a list"}
    messages, _ = run(tracker("what's the pay like?", slots=stale))
    assert messages[0]["buttons"][-1]["title"] == "Compare both", "no role known: ask which"


def test_another_career_never_gets_our_facts() -> None:
    slots = {"role": "product_manager", "topic": "salary"}
    messages, events = run(tracker("how much does a project manager earn?", slots=slots))
    assert "$" not in messages[0]["text"] and "project manager" in messages[0]["text"]
    assert "role" not in slots_set(events), "the context survives the detour"


def test_an_invalid_fact_file_stops_the_action_server(tmp_path: Path) -> None:
    bad = tmp_path / "facts.yml"
    bad.write_text("version: 2\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", "import actions.actions"],
        cwd=ROOT,
        env={**os.environ, "FACTS_PATH": str(bad)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert (
        "ImportError" in result.stderr and str(bad) in result.stderr and "Fix it and restart" in result.stderr
    )
