"""deploy/recent_tracker.py against Rasa's own SQLTrackerStore, on real SQLite files.

Generated conversations (follow-ups that set slots, Rasa's reverts, restarts,
new sessions, slot resets) are played turn by turn into Rasa's SQLTrackerStore
and into ConversationTrackerStore, each on its own SQLite file; ours as two
"servers" on one file, taking turns at random as the cluster's do. After every
turn: the same rows stored, and the tracker ours hands out has Rasa's state
(slots, latest message, action, bot utterance, ...) and Rasa's latest events.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    Event,
    FollowupAction,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from deploy import recent_tracker
from deploy.stores import TRACKER_STORE_URL, ConversationTrackerStore
from local_stack.processes import ROOT

DOMAIN = Domain.load(str(ROOT / "domain.yml"))
ROLES = ["product", "production", "both", None]
TOPICS = ["salary", "skills", "education", None]
INTENTS = ["ask_salary", "inform_role", "ask_skills", "greet", "nlu_fallback"]
ENDINGS = [
    "plain",
    "user_reverted",
    "action_reverted",
    "restarted",
    "session",
    "reset",
    "followup",
    "form_starts",
    "form_ends",
]


@st.composite
def turns(draw: st.DrawFn) -> list[tuple[str, str | None, str | None, str]]:
    """Turns: (intent, role set or None, topic set or None, how the turn ends)."""
    count = draw(st.integers(min_value=1, max_value=40))
    ending = st.sampled_from(ENDINGS[:1] * 12 + ENDINGS[1:])
    return [
        (
            draw(st.sampled_from(INTENTS)),
            draw(st.sampled_from(ROLES)),
            draw(st.sampled_from(TOPICS)),
            draw(ending),
        )
        for _ in range(count)
    ]


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        self.now += 0.5
        return self.now


def turn_events(turn: tuple[str, str | None, str | None, str], clock: Clock) -> list[Event]:
    intent, role, topic, ending = turn
    events: list[Event] = [
        UserUttered(f"text for {intent}", {"name": intent, "confidence": 0.9}, timestamp=clock())
    ]
    action = "action_answer_question"
    events.append(ActionExecuted(action, timestamp=clock()))
    if role is not None:
        events.append(SlotSet("role", role, timestamp=clock()))
    if topic is not None:
        events.append(SlotSet("topic", topic, timestamp=clock()))
    events.append(BotUttered(f"answer about {role} {topic}", timestamp=clock()))
    if ending == "user_reverted":
        events.append(ActionExecuted("action_default_fallback", timestamp=clock()))
        events.append(UserUtteranceReverted(timestamp=clock()))
    elif ending == "action_reverted":
        events.append(ActionReverted(timestamp=clock()))
    elif ending == "restarted":
        events += [Restarted(timestamp=clock()), ActionExecuted("action_session_start", timestamp=clock())]
        events += [SessionStarted(timestamp=clock())]
    elif ending == "session":
        events += [
            ActionExecuted("action_session_start", timestamp=clock()),
            SessionStarted(timestamp=clock()),
        ]
        events += [SlotSet("role", role, timestamp=clock())] if role else []
    elif ending == "reset":
        events.append(AllSlotsReset(timestamp=clock()))
    elif ending == "followup":
        events.append(FollowupAction("action_listen", timestamp=clock()))
    elif ending == "form_starts":
        events += [
            ActionExecuted("career_fit_form", timestamp=clock()),
            ActiveLoop("career_fit_form", timestamp=clock()),
        ]
        events.append(SlotSet("requested_slot", "fit_likes", timestamp=clock()))
    elif ending == "form_ends":
        events += [ActionExecuted("career_fit_form", timestamp=clock()), ActiveLoop(None, timestamp=clock())]
        events.append(SlotSet("requested_slot", None, timestamp=clock()))
    events.append(ActionExecuted("action_listen", timestamp=clock()))
    return events


def rows(path: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as connection:
        return connection.execute(
            "SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id"
        ).fetchall()


def run(coroutine: Any) -> Any:
    return asyncio.get_event_loop().run_until_complete(coroutine)


@pytest.fixture
def loop() -> Any:
    event_loop = asyncio.new_event_loop()
    asyncio.set_event_loop(event_loop)
    yield event_loop
    event_loop.close()


def _play(tmp: Path, conversation: list[tuple[str, str | None, str | None, str]], window: int) -> int:
    """Play `conversation` into both stores, checking every turn; how many turns had a window."""
    tmp.mkdir(parents=True)
    rasa = SQLTrackerStore(DOMAIN, host=f"sqlite:///{tmp / 'rasa.db'}")
    servers = [ConversationTrackerStore(DOMAIN), ConversationTrackerStore(DOMAIN)]
    clock = Clock()
    sender = "conversation"
    windows = 0
    for number, turn in enumerate(conversation):
        theirs = run(rasa.get_or_create_tracker(sender, append_action_listen=False))
        server = servers[(number * 7 + len(turn[3])) % 2]  # both servers, in no fixed order
        ours = run(server.get_or_create_tracker(sender, append_action_listen=False))
        # The tracker handed out has Rasa's state and ends with Rasa's events.
        assert recent_tracker.tracker_state(ours) == recent_tracker.tracker_state(theirs), number
        handed, full = list(ours.events), list(theirs.events)
        if handed != full:
            # A window: SlotSet events that restore the slots, then Rasa's latest events.
            first = next(i for i, e in enumerate(handed) if isinstance(e, ActionExecuted))
            assert all(isinstance(e, SlotSet) for e in handed[:first]), number
            assert handed[first:] == full[-(len(handed) - first) :], number
            assert sum(isinstance(e, UserUttered) for e in handed) == window, number
            # Never a window that starts inside a form: the loop's earlier turns matter.
            before = DialogueStateTracker.from_events(
                sender, full[: len(full) - len(handed) + first], DOMAIN.slots
            )
            assert not before.active_loop, number
        windows += handed != full
        for event in turn_events(turn, clock):
            theirs.update(event)
            ours.update(event)
        run(rasa.save(theirs))
        run(server.save(ours))
        assert rows(tmp / "rasa.db") == rows(tmp / "ours.db"), number
    return windows


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(conversation=turns())
def test_recent_tracker_matches_rasas_sql_tracker_store(
    conversation: list[tuple[str, str | None, str | None, str]],
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    loop: Any,
) -> None:
    tmp = tmp_path_factory.mktemp("recent") / "run"
    monkeypatch.setenv(TRACKER_STORE_URL, f"sqlite:///{tmp / 'ours.db'}")
    monkeypatch.setattr(recent_tracker, "WINDOW_TURNS", 3)
    _play(tmp, conversation, 3)


def test_a_long_follow_up_conversation_is_handed_out_as_a_window(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loop: Any
) -> None:
    monkeypatch.setenv(TRACKER_STORE_URL, f"sqlite:///{tmp_path / 'run' / 'ours.db'}")
    conversation = [(INTENTS[i % 3], ROLES[i % 4], TOPICS[i % 3], "plain") for i in range(60)]
    assert _play(tmp_path / "run", conversation, recent_tracker.WINDOW_TURNS) > 30
    store = ConversationTrackerStore(DOMAIN)
    tracker = run(store.retrieve("conversation"))
    users = [e for e in tracker.events if isinstance(e, UserUttered)]
    assert len(users) == recent_tracker.WINDOW_TURNS


def test_a_row_it_had_that_is_gone_means_reading_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loop: Any
) -> None:
    """A database replaced under a running server: Rasa's answer (no conversation), not the memory."""
    database = tmp_path / "ours.db"
    monkeypatch.setenv(TRACKER_STORE_URL, f"sqlite:///{database}")
    store = ConversationTrackerStore(DOMAIN)
    tracker = run(store.get_or_create_tracker("gone"))
    for event in turn_events(("ask_salary", "product", "salary", "plain"), Clock()):
        tracker.update(event)
    run(store.save(tracker))
    assert run(store.retrieve("gone")) is not None
    with sqlite3.connect(database) as connection:
        connection.execute("DELETE FROM events")
    assert run(store.retrieve("gone")) is None
    assert isinstance(run(store.get_or_create_tracker("gone")), DialogueStateTracker)


def test_least_recently_used_conversations_are_dropped_first() -> None:
    def recent(events: int) -> recent_tracker.Recent:
        full = DialogueStateTracker.from_events("x", [ActionExecuted("action_listen")] * events, DOMAIN.slots)
        return recent_tracker.Recent(full, 1, None)

    kept = recent_tracker.RecentConversations(limit=3, max_events=10)
    for name in "abc":
        kept.put(name, recent(2))
    kept.put("a", kept.get("a") or recent(2))  # used again: now the most recent
    kept.put("d", recent(2))
    assert [kept.get(n) is not None for n in "abcd"] == [True, False, True, True]
    kept.put("e", recent(7))  # 2 + 2 + 2 + 7 events: the oldest go until 10 or fewer are left
    assert [kept.get(n) is not None for n in "acde"] == [False, False, True, True]
    kept.put("f", recent(50))  # over the budget alone: still kept, everything else dropped
    assert len(kept) == 1 and kept.get("f") is not None


def test_the_event_count_follows_conversations_that_grow_and_go() -> None:
    kept = recent_tracker.RecentConversations(limit=3, max_events=10)
    grown = recent_tracker.Recent(DialogueStateTracker.from_events("g", [], DOMAIN.slots), 1, None)
    kept.put("g", grown)
    for _ in range(4):  # as catch_up does: the tracker grows, then it is put again
        grown.full.update(ActionExecuted("action_listen"))
        kept.put("g", grown)
    assert kept.events == 4
    other = recent_tracker.Recent(DialogueStateTracker.from_events("h", [], DOMAIN.slots), 1, None)
    other.full.update(ActionExecuted("action_listen"))
    kept.put("h", other)
    kept.forget("g")
    assert kept.events == 1 and kept.get("g") is None
    for _ in range(11):
        other.full.update(ActionExecuted("action_listen"))
    kept.put("i", grown)
    kept.put("h", other)  # 12 events with "i"'s 4: over the budget, "i" goes first
    assert kept.get("i") is None and kept.events == 12
