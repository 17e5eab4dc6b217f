"""rasa_patches/event_types.py resolves every event name as Rasa's own `Event.resolve_by_type`."""

from __future__ import annotations

from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses

from rasa_patches import event_types


def test_every_event_name_resolves_to_rasas_class() -> None:
    names = {cls.type_name for cls in all_subclasses(Event) if getattr(cls, "type_name", None)}
    assert len(names) > 20
    for name in sorted(names):
        assert event_types.resolve_by_type(name) is event_types._rasa_resolve_by_type(name), name
    # Twice: the second answer comes from the table.
    assert event_types.resolve_by_type("user") is UserUttered
    assert event_types.resolve_by_type("user") is UserUttered


def test_an_unknown_name_gets_rasas_default_and_is_not_remembered() -> None:
    assert event_types.resolve_by_type("no_such_event", ActionExecuted) is ActionExecuted
    assert "no_such_event" not in event_types._classes_by_name


def test_install_makes_events_resolve_through_the_table() -> None:
    event_types.install()
    event_types.install()
    assert event_types.is_installed()
    assert Event.resolve_by_type("slot").__name__ == "SlotSet"
    event = Event.from_parameters({"event": "slot", "name": "role", "value": "product manager"})
    assert isinstance(event, SlotSet) and event.value == "product manager"
