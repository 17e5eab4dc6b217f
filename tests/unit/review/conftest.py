"""Conversations as the bot side stores them (docs/review.md), written by Rasa's own SQLTrackerStore.

Each test builds real Rasa events and saves them into a temporary SQLite file
through rasa.core.tracker_store.SQLTrackerStore, so the review's reader is held
to Rasa's real schema and JSON, not to a copy of it.
"""

from __future__ import annotations

import asyncio
import html.parser
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

HOUR = 3600.0


@dataclass
class Talk:
    """One conversation's events, a second apart from `start` on."""

    sender_id: str
    start: float
    events: list[Event] = field(default_factory=list)

    def _next(self) -> float:
        return self.start + len(self.events)

    def user(
        self, text: str, intent: str = "ask_question", confidence: float = 0.9, ranking: list | None = None
    ) -> Talk:
        ranking = ranking or [{"name": intent, "confidence": confidence}]
        parse_data = {
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": ranking,
        }
        self.events.append(
            UserUttered(text, parse_data["intent"], parse_data=parse_data, timestamp=self._next())
        )
        return self

    def bot(self, text: str, kind: str = "answer", uncovered: str | None = None, careers: tuple = ()) -> Talk:
        self.events.append(ActionExecuted("action_answer", timestamp=self._next()))
        answer = {"kind": kind, "rule": "test", "uncovered": uncovered, "other_careers": list(careers)}
        metadata = {"answer": answer, "utter_action": "action_answer"}
        self.events.append(BotUttered(text, metadata=metadata, timestamp=self._next()))
        return self

    def feedback(self, rating: str, about: str | None = None) -> Talk:
        """The `feedback` slot, about the last bot message and the user message before it."""
        bots = [e for e in self.events if isinstance(e, BotUttered)]
        users = [e for e in self.events if isinstance(e, UserUttered)]
        rated = bots[-1] if bots else None
        value = {
            "rating": rating,
            "answer_at": rated.timestamp if rated else None,
            "answer": rated.text if rated else None,
            "question": about or (users[-2].text if len(users) > 1 else None),
        }
        self.events.append(SlotSet("feedback", value, timestamp=self._next()))
        return self


def save(path: Path, talks: list[Talk]) -> Path:
    rasa = SQLTrackerStore(Domain.empty(), host=f"sqlite:///{path}")
    for talk in talks:
        tracker = DialogueStateTracker.from_events(talk.sender_id, talk.events)
        asyncio.run(rasa.save(tracker))
    rasa.engine.dispose()
    return path


@pytest.fixture
def now() -> float:
    return time.time()


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "conversations.db"


class Page(html.parser.HTMLParser):
    """The tags of a page, and the text of each section by its id."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.sections: dict[str, str] = {}
        self._section: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "section":
            self._section = dict(attrs).get("id")
            self.sections[self._section or ""] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._section = None

    def handle_data(self, data: str) -> None:
        if self._section is not None:
            self.sections[self._section] += data
