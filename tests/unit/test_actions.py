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

from actions.actions import ActionAnswerQuestion, ValidateCareerFitForm

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
        "Not helpful",
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
    assert messages[0]["buttons"][-2]["title"] == "Compare both", "no role known: ask which"


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


# ---------------------------------------------------------------- the career-fit advisor

FORM = {"name": "career_fit_form", "is_interrupted": False, "rejected": False}
ADVISOR_SLOTS: dict[str, Any] = {
    "requested_slot": None,
    "fit_likes": None,
    "fit_background": None,
    "fit_workplace": None,
    "fit_pay_matters": None,
    "fit_reasked": None,
    "fit_result": None,
    "fit_offered": None,
}


def form_tracker(
    text: str, intent: str, requested: str, before_form: str = "action_listen", **slots: Any
) -> Tracker:
    """The tracker Rasa hands the form's validation: the form's own run appended last."""
    message = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    events = [
        {"event": "action", "name": before_form},
        {"event": "user", "text": text},
        {"event": "action", "name": "career_fit_form"},
    ]
    values = {**EMPTY_SLOTS, **ADVISOR_SLOTS, "requested_slot": requested, **slots}
    return Tracker("someone", values, message, events, False, None, FORM, "career_fit_form")


def validate(state: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = ValidateCareerFitForm().run(dispatcher, state, {})
    return dispatcher.messages, events


def test_the_form_takes_a_typed_answer_and_says_it_back() -> None:
    messages, events = validate(form_tracker("the factory floor", "answer_fit", "fit_workplace"))
    assert slots_set(events) == {"fit_workplace": "plant"}
    assert "points to production managers" in messages[0]["text"]


def test_an_answer_with_questions_left_ends_the_turn_after_the_next_question() -> None:
    _, events = validate(form_tracker("the factory floor", "answer_fit", "fit_workplace"))
    assert events[-1] == LISTEN
    _, events = validate(form_tracker("purple", "nlu_fallback", "fit_likes"))
    assert events[-1] == LISTEN  # asked again: the form asks, then listens


def test_the_last_answer_is_recommended_on_in_the_same_call() -> None:
    answered = {"fit_likes": "product", "fit_background": "engineering", "fit_workplace": "plant"}
    messages, events = validate(form_tracker("not much", "answer_fit", "fit_pay_matters", **answered))
    assert slots_set(events)["fit_pay_matters"] == "no"
    assert "better fit" in messages[-1]["text"] or "close" in messages[-1]["text"]
    assert messages[-1]["answer"]["kind"] == "advisor"
    assert events[-1] == LISTEN
    messages, events = validate(
        form_tracker("purple", "nlu_fallback", "fit_pay_matters", fit_reasked=["fit_pay_matters"], **answered)
    )
    assert slots_set(events)["fit_pay_matters"] == "skipped" and "fit_result" in slots_set(events)
    assert events[-1] == LISTEN


def test_the_form_rejects_a_question_so_the_rules_answer_it() -> None:
    messages, events = validate(form_tracker("what do product managers earn?", "ask_question", "fit_likes"))
    assert events == [] and messages == []


def test_the_form_asks_an_unusable_answer_again_once() -> None:
    messages, events = validate(form_tracker("purple", "nlu_fallback", "fit_likes"))
    assert slots_set(events) == {"fit_reasked": ["fit_likes"]} and "couldn't use" in messages[0]["text"]
    messages, events = validate(
        form_tracker("purple", "nlu_fallback", "fit_likes", fit_reasked=["fit_likes"])
    )
    assert slots_set(events) == {"fit_likes": "skipped"}


def test_the_form_reads_nothing_on_its_way_back_from_an_answer() -> None:
    state = form_tracker(
        "what do product managers earn?", "ask_question", "fit_likes", "action_answer_question"
    )
    assert validate(state) == ([], [LISTEN])  # nothing read; the form asks again, then listens
    answered = {"fit_likes": "product", "fit_background": "engineering", "fit_workplace": "plant"}
    done = form_tracker(
        "what do they earn?",
        "ask_question",
        "fit_likes",
        "action_answer_question",
        **answered,
        fit_pay_matters="no",
    )
    messages, events = validate(done)  # every answer in: the recommendation
    assert len(messages) == 1 and "better fit" in messages[0]["text"]
    assert "fit_result" in slots_set(events) and events[-1] == LISTEN


def test_a_question_in_the_form_does_not_end_the_turn() -> None:
    state = Tracker(
        "someone",
        {**EMPTY_SLOTS, **ADVISOR_SLOTS, "requested_slot": "fit_likes"},
        {"text": "what do product managers earn?", "intent": {"name": "ask_question"}, "entities": []},
        [],
        False,
        None,
        FORM,
        "action_listen",
    )
    messages, events = run(state)
    assert "$98,439" in messages[0]["text"]
    assert LISTEN not in events, "data/rules.yml brings the form back next"


def test_the_recommendation_sets_claims_and_the_verdict() -> None:
    answers = {"fit_likes": "production", "fit_background": "engineering", "fit_workplace": "plant"}
    state = form_tracker("not much", "answer_fit", "fit_pay_matters", **answers)
    messages, events = validate(state)
    assert messages[-1]["text"].startswith("Production manager looks like the better fit")
    values = slots_set(events)
    assert values["fit_result"] == "production_manager" and "production_bachelor" in values["claims"]
    assert events[-1] == LISTEN


# ------------------------------------------------------------------ feedback and the review's metadata


def test_every_message_carries_its_kind_for_the_review() -> None:
    messages, _ = run(tracker("what's the job outlook for production managers?"))
    assert messages[0]["answer"] == {
        "kind": "uncovered",
        "rule": "uncovered",
        "uncovered": "job_outlook",
        "other_careers": [],
    }
    messages, _ = run(tracker("hi", "greet"))
    assert (messages[0]["response"], messages[0]["answer"]["kind"]) == ("utter_greet", "small_talk")


def test_negative_feedback_sets_the_slot_with_the_answer_it_is_about() -> None:
    state = tracker("that's not what I asked", "feedback_negative", slots={"role": "product_manager"})
    state.events = [
        {"event": "user", "text": "what do product managers earn?", "timestamp": 1.0},
        {"event": "bot", "text": "A product manager earns $98,439 a year on average.", "timestamp": 2.0},
        {"event": "user", "text": "that's not what I asked", "timestamp": 3.0},
    ]
    messages, events = run(state)
    assert messages[0]["text"].startswith("Sorry that didn't help.")
    assert messages[0]["answer"]["kind"] == "feedback"
    assert slots_set(events)["feedback"] == {
        "rating": "negative",
        "answer_at": 2.0,
        "answer": "A product manager earns $98,439 a year on average.",
        "question": "what do product managers earn?",
    }


def test_an_answer_sets_no_feedback_slot() -> None:
    _, events = run(tracker("what do product managers earn?"))
    assert "feedback" not in slots_set(events)


def _titles(message: dict[str, Any]) -> list[str]:
    return [b["title"] for b in message.get("buttons") or []]


def test_the_not_helpful_button_follows_an_answer_in_slack_not_in_the_web_chat(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("FEEDBACK_BUTTONS", raising=False)

    def asked_in(channel: str) -> Tracker:
        question = tracker("what do product managers earn?")
        question.events = [
            {"event": "user", "text": "what do product managers earn?", "input_channel": channel}
        ]
        return question

    assert "Not helpful" not in _titles(run(asked_in("socketio"))[0][0])
    assert _titles(run(asked_in("slack"))[0][0])[-1] == "Not helpful"
    monkeypatch.setenv("FEEDBACK_BUTTONS", "true")
    assert _titles(run(asked_in("socketio"))[0][0])[-1] == "Not helpful"
