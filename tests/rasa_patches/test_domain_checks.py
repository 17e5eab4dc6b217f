"""rasa_patches/domain_checks.py answers as Rasa's own Domain.is_empty does."""

from __future__ import annotations

import pytest
from rasa.shared.core.domain import Domain

from local_stack.processes import ROOT
from rasa_patches import domain_checks

DOMAINS = {
    "this assistant's": lambda: Domain.load(str(ROOT / "domain.yml")),
    "empty": Domain.empty,
    "from an empty dict": lambda: Domain.from_dict({}),
    "intents only": lambda: Domain.from_dict({"intents": ["greet"]}),
    "a response only": lambda: Domain.from_dict({"responses": {"utter_hi": [{"text": "hi"}]}}),
    "an entity only": lambda: Domain.from_dict({"entities": ["role"]}),
    "session settings only": lambda: Domain.from_dict({"session_config": {"session_expiration_time": 5}}),
}


@pytest.mark.parametrize("name", DOMAINS)
def test_same_answer_as_rasa(name: str) -> None:
    domain = DOMAINS[name]()
    assert domain_checks.is_empty(domain) == domain_checks._rasa_is_empty(domain)


def test_empty_and_not_empty_both_occur() -> None:
    # The comparison above is only worth something if it sees both answers.
    answers = {domain_checks._rasa_is_empty(make()) for make in DOMAINS.values()}
    assert answers == {True, False}


def test_install_replaces_the_method_once() -> None:
    original = Domain.is_empty
    try:
        domain_checks.install()
        domain_checks.install()
        assert Domain.is_empty is domain_checks.is_empty
        assert Domain.empty().is_empty() and not Domain.load(str(ROOT / "domain.yml")).is_empty()
    finally:
        Domain.is_empty = original
