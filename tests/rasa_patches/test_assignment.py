"""rasa_patches/assignment.py: a value converted as it is assigned, on one class."""

from __future__ import annotations

import pytest

from rasa_patches.assignment import ConvertOnAssignment, convert_on_assignment, converts


def doubled(value: int) -> int:
    return value * 2


def test_every_assignment_is_converted_and_read_back_as_stored() -> None:
    class Part:
        def __init__(self, value: int) -> None:
            self.value = value

    before = Part(1)
    convert_on_assignment(Part, "value", doubled)
    assert before.value == 1  # set before: left as it was
    after = Part(3)
    assert after.value == 6
    after.value = 5
    assert after.value == 10
    vars(after)["value"] = 7  # the way around it, for a test that needs the original part
    assert after.value == 7
    assert converts(Part, "value", doubled)


def test_an_unset_attribute_is_an_attribute_error() -> None:
    class Part:
        pass

    convert_on_assignment(Part, "value", doubled)
    with pytest.raises(AttributeError, match="'Part' object has no attribute 'value'"):
        Part().value  # type: ignore[attr-defined]  # noqa: B018
    assert getattr(Part(), "value", None) is None


def test_installing_twice_keeps_one_converter_and_a_second_one_is_refused() -> None:
    class Part:
        pass

    convert_on_assignment(Part, "value", doubled)
    descriptor = vars(Part)["value"]
    convert_on_assignment(Part, "value", doubled)
    assert vars(Part)["value"] is descriptor
    with pytest.raises(RuntimeError, match="already converted"):
        convert_on_assignment(Part, "value", str)


def test_a_class_that_defines_the_attribute_itself_is_refused() -> None:
    class Part:
        value = 0

    with pytest.raises(RuntimeError, match="defines 'value' itself"):
        convert_on_assignment(Part, "value", doubled)
    assert not isinstance(vars(Part)["value"], ConvertOnAssignment)
