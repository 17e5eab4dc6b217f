"""connectors.guard.load_json: the channels' JSON parser, with a nesting limit."""

from __future__ import annotations

import json

import pytest

from connectors.guard import MAX_JSON_DEPTH, TooDeep, load_json, nesting_exceeds


def _arrays(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_up_to_the_limit_is_parsed_as_json_loads_does() -> None:
    text = '{"a": ' + _arrays(MAX_JSON_DEPTH - 1) + ', "b": "x"}'
    assert load_json(text) == json.loads(text)
    assert load_json(text.encode()) == json.loads(text)


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 900, 5000, 100_000])
def test_deeper_is_refused_saying_why(depth: int) -> None:
    with pytest.raises(TooDeep, match=f"more than {MAX_JSON_DEPTH} levels deep"):
        load_json(_arrays(depth))


def test_too_deep_is_a_value_error_and_not_json_stays_one() -> None:
    assert issubclass(TooDeep, ValueError)
    with pytest.raises(ValueError) as raised:
        load_json('{"sender": ')
    assert not isinstance(raised.value, TooDeep)


def test_nesting_counts_objects_and_arrays_on_every_branch() -> None:
    assert not nesting_exceeds({"a": [1, {"b": 2}]}, 3)
    assert nesting_exceeds({"a": [1, {"b": []}]}, 3)
    assert nesting_exceeds([[], [[], [[[]]]]], 4)
    assert not nesting_exceeds("text", 0)
    # Deep enough for Python's recursion limit: measured without recursion.
    deep: list = []
    for _ in range(10_000):
        deep = [deep]
    assert nesting_exceeds(deep, MAX_JSON_DEPTH)
