"""The action-reply check gives Rasa's verdict and Rasa's error, for valid and broken replies."""

from __future__ import annotations

from collections import Counter
from typing import Any

import jsonschema
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from rasa.core.actions.action import RemoteAction

from rasa_patches import action_response
from rasa_patches.action_response import ResponseValidator

SCHEMA = RemoteAction.action_response_format_spec()
VALIDATOR = ResponseValidator(SCHEMA)

SLOT = {"event": "slot", "timestamp": None, "name": "role", "value": "product manager"}
BOT = {"event": "bot", "text": "hello", "data": {}, "metadata": {}}

REPLIES: list[Any] = [
    {"events": [], "responses": []},
    {"events": [SLOT, {**SLOT, "name": "topic", "value": "salary"}], "responses": [{"text": "hi"}]},
    {"events": [BOT, {"event": "followup", "name": "action_listen"}], "responses": []},
    {"events": [{"event": "reset_slots"}, {"event": "restart", "timestamp": 1.5}]},
    {"responses": [{"text": "only responses"}]},
    {},
    # broken ones
    [],
    "text",
    {"events": "not a list"},
    {"events": [{"event": "no_such_kind"}]},
    {"events": [{"name": "role", "value": 1}]},
    {"events": [{"event": "slot", "name": 3}]},
    {"events": [{"event": "slot", "name": "role", "timestamp": "yesterday"}]},
    {"events": [SLOT, "not an object"]},
    {"events": [{"event": 7}]},
    {"events": [], "responses": "not a list"},
    {"events": [], "responses": [1, 2]},
    {"events": [{"event": "user", "text": 5}]},
    {"events": [{"event": "action", "name": None}]},
    {"events": [{**SLOT, "metadata": "not an object"}]},
]


def rasa_verdict(reply: Any) -> bool:
    try:
        jsonschema.validate(reply, SCHEMA)
    except jsonschema.ValidationError:
        return False
    return True


@pytest.mark.parametrize("reply", REPLIES, ids=[str(i) for i in range(len(REPLIES))])
def test_verdict_is_rasas(reply: Any) -> None:
    assert VALIDATOR.is_valid(reply) is rasa_verdict(reply)


def test_the_fixed_replies_hold_both_kinds() -> None:
    verdicts = [rasa_verdict(reply) for reply in REPLIES]
    assert verdicts.count(True) >= 5 and verdicts.count(False) >= 10


def test_every_event_kind_has_its_own_branch() -> None:
    # The shortcut rests on this; if Rasa's schema changes, the validator falls back.
    assert VALIDATOR._by_kind is not None and len(VALIDATOR._by_kind) == 23


event_values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=5), st.floats(allow_nan=False)
)
event_kinds = st.sampled_from(
    ["slot", "bot", "user", "action", "followup", "restart", "form", "active_loop", "x"]
)
# Well-formed events of the kinds the actions send, with any values their
# fields accept: random events alone were valid in 5 of 300 replies with events.
well_formed_events: st.SearchStrategy[Any] = st.one_of(
    st.fixed_dictionaries(
        {"event": st.just("slot"), "name": st.text(min_size=1, max_size=8)},
        optional={
            "value": st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5)),
            "timestamp": st.one_of(st.none(), st.floats(0, 2e9)),
        },
    ),
    st.fixed_dictionaries(
        {"event": st.just("bot")},
        optional={"text": st.text(max_size=8), "data": st.just({}), "metadata": st.just({})},
    ),
    st.fixed_dictionaries({"event": st.just("followup"), "name": st.sampled_from(["action_listen", "x"])}),
    st.fixed_dictionaries({"event": st.sampled_from(["reset_slots", "restart"])}),
)
events: st.SearchStrategy[Any] = st.one_of(
    well_formed_events,
    st.fixed_dictionaries(
        {"event": event_kinds},
        optional={
            "name": event_values,
            "value": event_values,
            "text": event_values,
            "timestamp": event_values,
            "metadata": st.one_of(st.none(), st.just({}), st.integers()),
        },
    ),
    event_values,
)


replies = st.fixed_dictionaries(
    {},
    optional={
        "events": st.one_of(
            st.lists(well_formed_events, min_size=1, max_size=4), st.lists(events, max_size=4)
        ),
        "responses": st.lists(st.dictionaries(st.text(max_size=3), event_values, max_size=2), max_size=2),
    },
)


def test_verdict_is_rasas_for_generated_replies() -> None:
    seen: Counter[str] = Counter()

    @settings(max_examples=300, deadline=None, database=None)
    @given(replies)
    def check(reply: dict[str, Any]) -> None:
        verdict = rasa_verdict(reply)
        branch = ("valid" if verdict else "invalid") + (" with events" if reply.get("events") else "")
        event(branch)
        seen[branch] += 1
        assert VALIDATOR.is_valid(reply) is verdict

    check()
    # Both verdicts on replies that carry events, where the validator's per-kind shortcut runs.
    assert seen["valid with events"] >= 40 and seen["invalid with events"] >= 40, seen


def test_a_bad_reply_raises_rasas_error_with_rasas_hint() -> None:
    bad = {"events": [{"event": "slot", "name": 3}]}
    with pytest.raises(jsonschema.ValidationError) as expected:
        jsonschema.validate(bad, SCHEMA)
    action_response.install()
    action = RemoteAction("action_answer_question", None)
    with pytest.raises(jsonschema.ValidationError) as raised:
        action._validate_action_result(bad)
    assert raised.value.message.startswith(expected.value.message)
    assert "Failed to validate Action server response" in raised.value.message
    assert action._validate_action_result({"events": [SLOT], "responses": [{"text": "hi"}]}) is True
