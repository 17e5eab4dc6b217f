"""Whether the domain is empty, without building an empty domain for every message.

Rasa 3.6.21's processor asks `domain.is_empty()` of every parsed message
(`MessageProcessor._check_for_unseen_features`), and `Domain.is_empty` builds
`Domain.empty()` from scratch each time to compare its `as_dict()` with the
domain's, a visible share of every message in a profile of the Rasa server
(docs/benchmarks.md). The empty domain's `as_dict()` is the same every time,
so it is built once here; the comparison is Rasa's.
"""

from __future__ import annotations

import copy
from typing import Any

from rasa.shared.core.domain import Domain

# The classes `install` changes (tests/conftest.py puts them back after each test).
PATCHED_CLASSES: tuple[type, ...] = (Domain,)
_rasa_is_empty = Domain.is_empty
_empty_as_dict: dict[str, Any] | None = None


def is_empty(domain: Domain) -> bool:
    global _empty_as_dict
    if _empty_as_dict is None:
        # A copy: nothing that holds the empty domain's dict can change this one.
        _empty_as_dict = copy.deepcopy(Domain.empty().as_dict())
    return bool(domain.as_dict() == _empty_as_dict)


def install() -> None:
    if Domain.is_empty is not is_empty:
        Domain.is_empty = is_empty


def is_installed() -> bool:
    return Domain.is_empty is is_empty
