"""A conversation's recent turns: per-message work that stays flat as conversations grow.

Written for Rasa Open Source 3.6.21; a Rasa upgrade must re-check it (the tests
in tests/unit/test_recent_tracker.py and tests/scaled/test_recent_tracker.py
compare it with Rasa's own SQLTrackerStore and DialogueStateTracker).

What Rasa 3.6 does on every message of a conversation, with its SQL tracker store:

- `SQLTrackerStore.retrieve` reads every stored event of the session (one row
  each), parses its JSON and replays all of them into a new tracker;
- the policies turn the whole tracker into states (RulePolicy compares only
  the last few with its rules, but computes them all), and the action server
  receives every event as JSON, twice serialised;
- `save` counts the session's stored events again to find the new ones.

So every turn cost more than the one before (`make bench` measures turn 300
against turn 20). Here:

- `RecentConversations` keeps each conversation's tracker in the process (the
  last MAX_CONVERSATIONS used), exactly as Rasa rebuilt it, and on each
  message reads from the database only the rows stored after the last one it
  has. It always asks the database (so a database that is down still fails
  the message, and rows another Rasa server stored are seen); when it finds
  something it cannot simply append (a new session, a row it had that is no
  longer there), it forgets the conversation and reads it as Rasa does.
- The tracker it hands to Rasa holds the conversation's last WINDOW_TURNS
  turns, preceded by SlotSet events that restore every slot as it was before
  them: what the assistant remembers is in the slots (role and topic), and
  the policies and the actions only look at the latest turns. Before handing
  it out, its state (slots, latest message, action and bot utterance,
  follow-up action, pause, active loop) is compared with the full tracker's;
  if anything differs, or a form (an active loop) was running where the window
  would start, the full tracker is handed out instead.
- `save` stores the events added since the tracker was handed out, without
  counting rows again (deploy/stores.py writes the rows Rasa's
  `SQLTrackerStore.save` would).
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
    deserialise_events,
)
from rasa.shared.core.slots import Slot
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

# User turns the handed-out tracker keeps. Rules and stories here are one or two
# turns long; RulePolicy compares only as many states as its longest rule has
# (tests/scaled/test_recent_tracker.py checks the trained model's rules fit).
WINDOW_TURNS = 20
# Conversations kept in memory, least recently used dropped first, and the events
# they may hold together (an event takes about a kilobyte here). One that is
# dropped is read again from the database, as Rasa would, on its next message.
MAX_CONVERSATIONS = 512
MAX_EVENTS = 100_000
# The attribute a handed-out tracker carries: (store id, events already stored).
STORED_MARK = "_recent_tracker_stored"


@dataclass
class Recent:
    """One conversation's latest session, as Rasa would rebuild it from the database."""

    full: DialogueStateTracker  # every event of the session, replayed as Rasa replays them
    last_id: int  # the highest `events.id` in `full`
    session_start: float | None  # Rasa's filter: events at or after the latest SessionStarted
    base: DialogueStateTracker | None = None  # the events before the window, replayed
    start: int = 0  # where the window starts in full.events


def tracker_state(tracker: DialogueStateTracker) -> tuple[Any, ...]:
    """Everything a tracker's events set, besides the events themselves."""
    slots = tuple((name, slot.value, slot.has_been_set) for name, slot in tracker.slots.items())
    return (
        slots,
        tracker.latest_message,
        tracker.latest_action,
        tracker.latest_bot_utterance,
        tracker.followup_action,
        tracker.is_paused(),
        tracker.active_loop,
    )


def _window_start(events: list[Event], turns: int) -> int:
    """Index of the `action_listen` before the `turns`-th last user message; 0: no window."""
    seen = 0
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], UserUttered):
            seen += 1
            if seen == turns:
                for before in range(index - 1, -1, -1):
                    event = events[before]
                    if isinstance(event, ActionExecuted) and event.action_name == ACTION_LISTEN_NAME:
                        return before
                return 0
    return 0


def _restoring_events(base: DialogueStateTracker, timestamp: float) -> list[Event]:
    """SlotSet events that bring a new tracker's slots to `base`'s."""
    return [
        SlotSet(name, slot.value, timestamp=timestamp)
        for name, slot in base.slots.items()
        if slot.has_been_set or slot.value != slot.initial_value
    ]


def hand_out(recent: Recent, slots: Iterable[Slot], turns: int | None = None) -> DialogueStateTracker:
    """A new tracker for Rasa: the last `turns` turns with the slots before them, or all events."""
    full = recent.full
    events = list(full.events)
    start = _window_start(events, turns or WINDOW_TURNS)
    if start > 0:
        if recent.base is None or start < recent.start:
            recent.base = DialogueStateTracker.from_events(full.sender_id, events[:start], slots)
        else:
            for event in events[recent.start : start]:
                recent.base.update(event)
        recent.start = start
        if recent.base.active_loop:
            # A form active where the window would start: rules and the form look at
            # the loop's earlier turns, which SlotSet events cannot restore.
            return DialogueStateTracker.from_events(full.sender_id, events, slots)
        window = _restoring_events(recent.base, events[start].timestamp) + events[start:]
        tracker = DialogueStateTracker.from_events(full.sender_id, window, slots)
        if tracker_state(tracker) == tracker_state(full):
            return tracker
        logger.debug(f"Conversation {full.sender_id!r}: the window differs, handing out every event.")
    return DialogueStateTracker.from_events(full.sender_id, events, slots)


class RecentConversations:
    """The conversations this process served last, each as Rasa rebuilt it."""

    def __init__(self, limit: int = MAX_CONVERSATIONS, max_events: int = MAX_EVENTS) -> None:
        self.limit = limit
        self.max_events = max_events
        self._recent: OrderedDict[str, Recent] = OrderedDict()
        self._absent: OrderedDict[str, None] = OrderedDict()
        # Events of each kept conversation when it was last put, and their sum: summing
        # over up to `limit` conversations on every message cost more than the query.
        self._counted: dict[str, int] = {}
        self._events = 0

    def get(self, sender_id: str) -> Recent | None:
        return self._recent.get(sender_id)

    def put(self, sender_id: str, recent: Recent) -> None:
        self.forget(sender_id)
        self._recent[sender_id] = recent
        self._counted[sender_id] = len(recent.full.events)
        self._events += self._counted[sender_id]
        while len(self._recent) > self.limit or (len(self._recent) > 1 and self._events > self.max_events):
            self.forget(next(iter(self._recent)))

    def forget(self, sender_id: str) -> None:
        if self._recent.pop(sender_id, None) is not None:
            self._events -= self._counted.pop(sender_id)

    @property
    def events(self) -> int:
        """Events held by the kept conversations, as counted when each was last put."""
        return self._events

    def absent(self, sender_id: str) -> None:
        """`retrieve` found no conversation `sender_id` (the next save of it starts one)."""
        self._absent[sender_id] = None
        self._absent.move_to_end(sender_id)
        while len(self._absent) > self.limit:
            self._absent.popitem(last=False)

    def was_absent(self, sender_id: str) -> bool:
        """Whether `retrieve` found no conversation `sender_id` last time (asked once)."""
        return self._absent.pop(sender_id, False) is None

    def __len__(self) -> int:
        return len(self._recent)


def load(sender_id: str, rows: list[Any], slots: Iterable[Slot]) -> Recent | None:
    """A conversation from Rasa's query of its latest session: rows of (id, type_name, timestamp, data)."""
    if not rows:
        return None
    full = DialogueStateTracker.from_dict(sender_id, [json.loads(row.data) for row in rows], slots)
    starts = [row.timestamp for row in rows if row.type_name == SessionStarted.type_name]
    session_start = max((t for t in starts if t is not None), default=None)
    return Recent(full, rows[-1].id, session_start)


def catch_up(recent: Recent, rows: list[Any]) -> bool:
    """Append the rows stored since `recent.last_id` (rows from that id on); False: read it again."""
    if not rows or rows[0].id != recent.last_id:
        return False  # the last row it had is gone: the database is not the one it read
    new = rows[1:]
    if any(row.type_name == SessionStarted.type_name for row in new):
        return False  # a new session: Rasa's query would now start there
    # Rasa's query keeps the rows at or after the session's start, by timestamp.
    # All rows are read before the tracker changes, so a row that fails to parse
    # fails this message and leaves the conversation as it was.
    start = recent.session_start
    kept = [row for row in new if start is None or (row.timestamp is not None and row.timestamp >= start)]
    events = deserialise_events([json.loads(row.data) for row in kept])
    for event in events:
        recent.full.update(event)
    if new:
        recent.last_id = new[-1].id
    return True


def mark_stored(tracker: DialogueStateTracker, store: object, count: int | None = None) -> None:
    """Remember on the tracker that `count` of its events (default: all) are stored, by `store`."""
    setattr(tracker, STORED_MARK, (id(store), len(tracker.events) if count is None else count))


def stored_count(tracker: DialogueStateTracker, store: object) -> int | None:
    """How many of the tracker's events `store` has stored, if `store` handed it out."""
    mark = getattr(tracker, STORED_MARK, None)
    if mark is None or mark[0] != id(store):
        return None
    return int(mark[1])
