"""Checking the action server's replies against Rasa's schema, without paying for it on every turn.

Rasa validates every action server reply with `jsonschema.validate(reply, schema)`
(`RemoteAction._validate_action_result`). That call checks the schema itself
against the JSON Schema meta-schema and builds a new validator each time, and
each event is then tried against all 23 event kinds of Rasa's `oneOf`: with
the pinned jsonschema, more than half of the server's CPU while answering
(docs/benchmarks.md).

`ResponseValidator` gives the same verdict for every reply, faster:
- the schema is checked and the validators are built once;
- an event is checked against the base event schema and the one `oneOf`
  branch whose `event` constant names its kind. The branches pin distinct
  constants, so no other branch can match and "exactly one matches" is the
  same as "its own branch matches"; an event of unknown kind matches none and
  is rejected. If a future Rasa breaks that assumption (a branch without a
  constant, two with the same), every event goes through the full `oneOf`.
- A reply that fails is validated again the way Rasa does it, so the error
  raised is Rasa's own.

`install` puts it in place of Rasa's check and builds the validator, at start
rather than on the first reply.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from jsonschema import ValidationError, validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction

logger = logging.getLogger(__name__)


# The classes `install` changes (tests/conftest.py puts them back after each test).
PATCHED_CLASSES: tuple[type, ...] = (RemoteAction,)


class ResponseValidator:
    def __init__(self, schema: dict[str, Any]) -> None:
        validator_class = validators.validator_for(schema)
        validator_class.check_schema(schema)
        self._full = validator_class(schema)
        events_schema = schema["properties"]["events"]
        event_schema = events_schema["items"]
        # The reply with its events only checked for being objects; each event on its own below.
        outline = copy.deepcopy(schema)
        outline["properties"]["events"] = {**events_schema, "items": {"type": "object"}}
        self._outline = validator_class(outline)
        base = {key: value for key, value in event_schema.items() if key != "oneOf"}
        self._by_kind: dict[str, Any] | None = {}
        for branch in event_schema.get("oneOf", []):
            kind = branch.get("properties", {}).get("event", {}).get("const")
            if not isinstance(kind, str) or kind in self._by_kind:
                logger.warning("Rasa's event schema changed shape: validating events with the full oneOf.")
                self._by_kind = None
                break
            self._by_kind[kind] = validator_class({"allOf": [base, branch]})
        self._event = validator_class(event_schema)

    def is_valid(self, reply: Any) -> bool:
        if not self._outline.is_valid(reply):
            return False
        events = reply.get("events", []) if isinstance(reply, dict) else []
        return all(self._event_is_valid(event) for event in events)

    def _event_is_valid(self, event: dict[str, Any]) -> bool:
        if self._by_kind is None:
            return bool(self._event.is_valid(event))
        validator = self._by_kind.get(event.get("event"))  # type: ignore[arg-type]
        return validator is not None and bool(validator.is_valid(event))

    def validate(self, reply: Any) -> None:
        """Raise the ValidationError Rasa would raise for an invalid reply."""
        if self.is_valid(reply):
            return
        error = best_match(self._full.iter_errors(reply))
        if error is None:  # cannot happen while both agree; never let a reply through unchecked
            raise ValidationError("the action server's reply does not match Rasa's response schema")
        raise error


_validator: ResponseValidator | None = None


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """RemoteAction._validate_action_result, with the ResponseValidator built at start."""
    assert _validator is not None, "install() builds it"
    try:
        _validator.validate(result)
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            "from the Action endpoint is valid."
        )
        raise
    return True


def install() -> None:
    """Build the ResponseValidator and make every RemoteAction check replies with it."""
    global _validator
    if _validator is None:
        _validator = ResponseValidator(RemoteAction.action_response_format_spec())
    RemoteAction._validate_action_result = _validate_action_result


def is_installed() -> bool:
    return RemoteAction._validate_action_result is _validate_action_result
