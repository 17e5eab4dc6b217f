"""Looking up an event's class by its name in a table, instead of walking every subclass each time.

Rasa turns every stored or received event back into an object through
`Event.resolve_by_type(name)`, which calls `all_subclasses(Event)`: a recursive
walk over all ~30 event classes with an `inspect.isabstract` check on each, for
every single event. Loading a tracker from the tracker store and reading the
action server's reply do that a dozen times a message, a tenth of the Rasa
server's time in a profile (docs/benchmarks.md).

`install` replaces it with a table from name to class. A name not in the table is
resolved by Rasa's own method and remembered, so the answers are Rasa's; event
classes are defined at import time and never change while the server runs.
"""

from __future__ import annotations

from rasa.shared.core.events import Event

# The classes `install` changes (tests/conftest.py puts them back after each test).
PATCHED_CLASSES: tuple[type, ...] = (Event,)
_rasa_resolve_by_type = Event.resolve_by_type
_classes_by_name: dict[str, type[Event]] = {}


def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    known = _classes_by_name.get(type_name)
    if known is not None:
        return known
    resolved = _rasa_resolve_by_type(type_name, default)
    # A default stands in for an unknown name; remember only real matches.
    if resolved is not None and resolved is not default:
        _classes_by_name[type_name] = resolved
    return resolved


def install() -> None:
    if Event.resolve_by_type is not resolve_by_type:
        Event.resolve_by_type = staticmethod(resolve_by_type)


def is_installed() -> bool:
    return Event.resolve_by_type is resolve_by_type
