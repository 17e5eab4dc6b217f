"""Tracker store errors reach the channel, instead of Rasa's silent in-memory fallback.

Rasa 3.6 wraps every tracker store in a FailSafeTrackerStore. When the
database fails, it logs the error and carries on in memory: a conversation
it cannot read starts over (its context is gone), and a turn it cannot save
is kept only in this process, so it is lost on a restart and never seen by
the other servers. The user is answered as if all were well.

`surface_errors` rebuilds that wrapper with its own error callback raising,
so the failure reaches the channel: the REST channel answers 503 with an
apology (connectors/rest.py), socket.io and Slack users get the apology
(connectors/guard.py), and the client sends the message again once the
database is back. Nothing is answered that is not stored.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.tracker_store import FailSafeTrackerStore

logger = logging.getLogger(__name__)


class TrackerStoreUnavailable(RuntimeError):
    """The tracker store could not read or save a conversation."""


def _raise(error: Exception) -> None:
    raise TrackerStoreUnavailable(f"the tracker store failed: {error}") from error


def surface_errors(agent: Any) -> None:
    """Make `agent` (and its processor) raise on tracker store errors instead of falling back."""
    store = getattr(agent, "tracker_store", None)
    if not isinstance(store, FailSafeTrackerStore):
        return
    # FailSafeTrackerStore takes the callback as a constructor argument only.
    strict = FailSafeTrackerStore(store._tracker_store, on_tracker_store_error=_raise)
    agent.tracker_store = strict
    processor = getattr(agent, "processor", None)
    if processor is not None:
        processor.tracker_store = strict
    logger.info("Tracker store errors are answered with an apology, not hidden in memory.")
