"""Tracker store errors reach the channel, instead of Rasa's silent in-memory fallback.

Rasa 3.6 wraps every tracker store in a FailSafeTrackerStore. When the
database fails, it logs the error and carries on in memory: a conversation
it cannot read starts over (its context is gone), and a turn it cannot save
is kept only in this process, so it is lost on a restart and never seen by
the other servers. The user is answered as if all were well.

`install` makes every FailSafeTrackerStore that Rasa hands the agent or a
message processor one whose error callback raises
(rasa_patches/assignment.py), so the failure reaches the channel: the REST
channel answers 503 with an apology (connectors/rest.py), socket.io and Slack
users get the apology (connectors/guard.py), and the client sends the message
again once the database is back. Nothing is answered that is not stored.
"""

from __future__ import annotations

from typing import Any

from rasa.core.agent import Agent
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import FailSafeTrackerStore

from rasa_patches.assignment import convert_on_assignment, converts

# The classes `install` changes (tests/conftest.py puts them back after each test).
PATCHED_CLASSES: tuple[type, ...] = (Agent, MessageProcessor)


class TrackerStoreUnavailable(RuntimeError):
    """The tracker store could not read or save a conversation."""


def _raise(error: Exception) -> None:
    raise TrackerStoreUnavailable(f"the tracker store failed: {error}") from error


def strict(store: Any) -> Any:
    """A FailSafeTrackerStore whose errors raise, around the same store; anything else as it is."""
    if not isinstance(store, FailSafeTrackerStore) or store._on_tracker_store_error is _raise:
        return store
    # FailSafeTrackerStore takes the callback as a constructor argument only.
    return FailSafeTrackerStore(
        store._tracker_store,
        on_tracker_store_error=_raise,
        fallback_tracker_store=store._fallback_tracker_store,
    )


def install() -> None:
    for cls in (Agent, MessageProcessor):
        convert_on_assignment(cls, "tracker_store", strict)


def is_installed() -> bool:
    return all(converts(cls, "tracker_store", strict) for cls in (Agent, MessageProcessor))
