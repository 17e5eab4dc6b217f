"""Converting a value as Rasa assigns it to an attribute, whenever and wherever that happens.

Rasa 3.6.21 hands the agent's parts around by plain attribute assignment:
`Agent.__init__` sets `tracker_store` and `action_endpoint`, and every
`MessageProcessor.__init__` (one per loaded model, `PUT /model` included) sets
its own `tracker_store`, `action_endpoint` and, once the model is loaded,
`graph_runner`. A patch that swaps one of those parts has to catch each
assignment, in whichever mode the server runs (`rasa run`, `rasa shell`,
`rasa test`) and whichever order Rasa builds things in. `ConvertOnAssignment`
is a data descriptor put on the class: every value assigned to the attribute
on an instance passes through `convert` on its way into the instance's
`__dict__`, and reading it returns what was stored there.

A test that needs Rasa's own part back sets `vars(instance)[name]` directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class ConvertOnAssignment:
    """`instance.<name> = value` stores `convert(value)`; reading returns the stored value."""

    def __init__(self, name: str, convert: Callable[[Any], Any]) -> None:
        self.name = name
        self.convert = convert

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            return self
        try:
            return vars(instance)[self.name]
        except KeyError:
            owner_name = type(instance).__name__
            raise AttributeError(f"{owner_name!r} object has no attribute {self.name!r}") from None

    def __set__(self, instance: object, value: Any) -> None:
        vars(instance)[self.name] = self.convert(value)


def convert_on_assignment(cls: type, name: str, convert: Callable[[Any], Any]) -> None:
    """From now on, every assignment of `cls().<name>` goes through `convert`.

    Refuses a class that defines `name` itself (a property, a class attribute):
    Rasa would then have changed how it keeps that part, and the patch must be
    looked at again.
    """
    current = vars(cls).get(name)
    if isinstance(current, ConvertOnAssignment):
        if current.convert is not convert:
            raise RuntimeError(f"{cls.__name__}.{name} is already converted by {current.convert!r}")
        return
    if current is not None:
        raise RuntimeError(
            f"{cls.__module__}.{cls.__name__} defines {name!r} itself ({type(current).__name__}); "
            "rasa_patches expected a plain instance attribute, as in Rasa 3.6.21"
        )
    setattr(cls, name, ConvertOnAssignment(name, convert))


def converts(cls: type, name: str, convert: Callable[[Any], Any]) -> bool:
    """Whether assignments of `cls().<name>` go through `convert`."""
    current = vars(cls).get(name)
    return isinstance(current, ConvertOnAssignment) and current.convert is convert
