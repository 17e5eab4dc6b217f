"""Telling product from production apart (other careers are data: tests/unit/test_reading.py)."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from actions.roles import (
    BOTH,
    PRODUCT,
    PRODUCTION,
    _close_to,
    _osa_distance,
    classify_word,
    is_manager_word,
    normalize_role,
    resolve_role,
    role_mentions,
    roles_in_text,
    wants_comparison,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("product manager", PRODUCT),
        ("Product Managers", PRODUCT),
        ("PM", PRODUCT),
        ("pms", PRODUCT),
        ("prodct manger", PRODUCT),
        ("product mgr", PRODUCT),
        ("prodcut manager", PRODUCT),
        ("product management", PRODUCT),
        ("production manager", PRODUCTION),
        ("prod manager", PRODUCTION),
        ("prod mgr", PRODUCTION),
        ("producton manager", PRODUCTION),
        ("prodution managers", PRODUCTION),
        ("productoin manager", PRODUCTION),
        ("prodcution mngr", PRODUCTION),
        ("production_manager", PRODUCTION),
        ("both", BOTH),
        ("the two", BOTH),
        ("each", BOTH),
        ("project manager", None),
        ("program manager", None),
        ("manager", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_role(value: str, expected: str) -> None:
    assert normalize_role(value) == expected


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("product", "product"),
        ("prodct", "product"),
        ("products", "product"),
        ("production", "production"),
        ("prod", "production"),
        ("productin", "production"),
        ("project", None),
        ("projects", None),
        ("producer", None),
        ("process", None),
        ("pro", None),
    ],
)
def test_classify_word(word: str, kind: str) -> None:
    assert classify_word(word) == kind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("how much does a product manager make", [PRODUCT]),
        ("how much does a production manager make", [PRODUCTION]),
        ("and production managers?", [PRODUCTION]),
        ("what about prod mgrs", [PRODUCTION]),
        ("and production?", [PRODUCTION]),
        ("and for a PM?", [PRODUCT]),
        ("product vs production managers", [PRODUCT, PRODUCTION]),
        ("is a production manager paid less than a product manager", [PRODUCTION, PRODUCT]),
        ("how much does a project manager make", []),
        ("what's the salary?", []),
        ("I love this product, what is the production cost of a long essay about it", []),
    ],
)
def test_roles_in_text(text: str, expected: list) -> None:
    assert roles_in_text(text) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("manager", True),
        ("managers", True),
        ("mgr", True),
        ("mngrs", True),
        ("manger", True),
        ("managr", True),
        ("management", True),
        ("mango", False),
        ("man", False),
        ("owner", False),
    ],
)
def test_is_manager_word(word: str, expected: bool) -> None:
    assert is_manager_word(word) is expected


def test_role_mentions_give_the_span_of_each_name() -> None:
    text = "do product managers or prod mgrs travel more"
    found = role_mentions(text)
    assert [(role, text[start:end]) for role, start, end in found] == [
        (PRODUCT, "product managers"),
        (PRODUCTION, "prod mgrs"),
    ]


def test_a_lone_product_word_in_a_long_message_is_not_a_role() -> None:
    assert role_mentions("I bought a product yesterday and I wonder how much the shipping cost was") == []


def test_roles_in_text_names_each_role_once() -> None:
    assert roles_in_text("product managers, PMs and more product managers") == [PRODUCT]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("which pays more?", True),
        ("product vs production", True),
        ("compare both", True),
        ("what's the difference in pay", True),
        ("who earns more", True),
        ("which degree do I need", False),
        ("what's the salary", False),
        ("what makes a better product manager", False),
    ],
)
def test_wants_comparison(text: str, expected: bool) -> None:
    assert wants_comparison(text) is expected


def test_resolve_role_prefers_this_message_then_the_previous_turn() -> None:
    assert resolve_role(["product manager"], "skills of a product manager", None) == PRODUCT
    assert resolve_role([], "and production managers?", PRODUCT) == PRODUCTION
    assert resolve_role([], "what about their education?", PRODUCTION) == PRODUCTION
    assert resolve_role([], "which pays more", PRODUCTION) == BOTH
    assert resolve_role(["product manager", "production manager"], "x", None) == BOTH
    assert resolve_role(["prodct manger"], "prodct manger pay", None) == PRODUCT
    assert resolve_role([], "what's the salary?", None) is None
    # An entity the NLU got wrong is overruled by nothing: it still names one role.
    assert resolve_role(["both"], "compare both", PRODUCT) == BOTH


TARGETS = ("production", "productions", "product", "manager")


def _edited(word: str, edits: list[tuple[int, int, str]]) -> str:
    """`word` after each (kind, position, letter) edit: 0 delete, 1 insert, 2 replace, 3 swap."""
    for kind, position, letter in edits:
        i = position % (len(word) + 1)
        if kind == 0:
            word = word[:i] + word[i + 1 :]
        elif kind == 1:
            word = word[:i] + letter + word[i:]
        elif kind == 2:
            word = word[:i] + letter + word[i + 1 :]
        elif i + 1 < len(word):
            word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word


EDITS = st.tuples(st.integers(0, 3), st.integers(0, 20), st.sampled_from("producteinmagxz"))
# Random letters are never within three edits of a target (0 of 400 draws were):
# a target with up to five edits is drawn as often, so both answers come up.
WORDS = st.one_of(
    st.text(alphabet="producteinmag", min_size=0, max_size=14),
    st.builds(_edited, st.sampled_from(TARGETS), st.lists(EDITS, max_size=5)),
)


def test_the_length_shortcut_never_changes_closeness() -> None:
    """Skipping targets whose length is too far off gives what computing every distance gives."""
    seen: Counter[str] = Counter()

    @settings(max_examples=400, deadline=None, database=None)
    @given(word=WORDS, tolerance=st.integers(min_value=0, max_value=3))
    def check(word: str, tolerance: int) -> None:
        close = any(_osa_distance(word, t) <= tolerance for t in TARGETS)
        near = any(abs(len(word) - len(t)) <= tolerance for t in TARGETS)
        branch = "close" if close else ("far, length near" if near else "far, length off")
        event(branch)
        seen[branch] += 1
        assert _close_to(word, TARGETS, tolerance) == close

    check()
    assert {b for b, n in seen.items() if n >= 40} == {"close", "far, length near", "far, length off"}, seen
