"""Which role(s) a message is about.

The NLU's CRF extracts the `role` entity and EntitySynonymMapper maps the
variants it was trained on. This module is the second line: it maps the raw
spans the CRF finds but has no synonym for ("prodcution mngr") and finds role
names, with their place in the text, when the CRF found nothing. Other
careers ("product owner") are data (data/other_careers.yml), read by
actions/reading.py. Telling "product" from "production" apart is the single
most important decision the assistant makes, so it is plain, unit-tested code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

PRODUCT = "product_manager"
PRODUCTION = "production_manager"
BOTH = "both"

# Canonical forms of the tokens that make up a role name.
_PRODUCT_WORDS = ("product", "products")
_PRODUCTION_WORDS = ("production", "productions", "prod", "producton", "prodution")
_MANAGER_WORDS = (
    "manager",
    "managers",
    "mgr",
    "mgrs",
    "management",
    "mngr",
    "mngrs",
    "manger",
    "mangers",
    "mgmt",
)
_PERSON_WORDS = (
    "one",
    "ones",
    "side",
    "guy",
    "guys",
    "people",
    "folks",
    "person",
    "role",
    "roles",
    "job",
    "jobs",
)
_LOOSE_FOLLOWERS = (
    "",
    "then",
    "too",
    "please",
    "pls",
    "instead",
    "now",
    "again",
    "as",
    "for",
    "in",
    "is",
    "are",
)
_ABBREVIATIONS = {"pm": PRODUCT, "pms": PRODUCT, "pm's": PRODUCT}
_BOTH_PHRASES = ("both", "the two", "each", "each of them", "either", "both roles", "compare")
_COMPARISON_CUES = re.compile(
    r"\b(vs\.?|versus|compare|compared|comparison|comparing|both|differ|differs|difference|"
    r"differences|the two|each other|in common|alike|similarities|"
    r"(pays?|earns?|makes?|gets?) (more|less)|(better|higher|lower) (paid|paying|salary)|"
    r"which (one|role|job|career|position|of|pays|earns|makes|is|are|has|needs|requires|gets|should))\b"
)

_WORD = re.compile(r"[a-z0-9']+")


def _osa_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: edits, with a swap of neighbours as one."""
    rows = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        rows[i][0] = i
    for j in range(len(b) + 1):
        rows[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[len(a)][len(b)]


def _close_to(word: str, targets: Sequence[str], tolerance: int) -> bool:
    # Lengths further apart than the tolerance need more edits than that: most
    # words are ruled out without computing a distance.
    return any(abs(len(word) - len(t)) <= tolerance and _osa_distance(word, t) <= tolerance for t in targets)


# Every word of every message goes through these two; people reuse their words.
@lru_cache(maxsize=8192)
def classify_word(word: str) -> str | None:
    """'product', 'production' or None for one (possibly misspelt) word.

    "product" and "production" are three edits apart, and "project" is two
    from "product", so the tolerance stays below those gaps.
    """
    word = word.lower().strip(".'")
    if word in _PRODUCT_WORDS:
        return "product"
    if word in _PRODUCTION_WORDS:
        return "production"
    if len(word) < 5 or word.startswith("proj"):
        return None
    if word.startswith("productio") or _close_to(word, ("production", "productions"), 2):
        return "production"
    if _close_to(word, ("product", "products"), 1):
        return "product"
    return None


@lru_cache(maxsize=8192)
def is_manager_word(word: str) -> bool:
    """ "manager", "mgrs", "manger": a (possibly misspelt) manager word."""
    return word in _MANAGER_WORDS or (len(word) >= 5 and _close_to(word, ("manager", "managers"), 1))


def normalize_role(value: str | None) -> str | None:
    """Map an entity value or span to PRODUCT, PRODUCTION, BOTH, or None."""
    if not value:
        return None
    text = " ".join(value.lower().replace("_", " ").split())
    if text in (PRODUCT.replace("_", " "), "product manager"):
        return PRODUCT
    if text in (PRODUCTION.replace("_", " "), "production manager"):
        return PRODUCTION
    if text in _BOTH_PHRASES or text.startswith("both"):
        return BOTH
    words = _WORD.findall(text)
    if not words:
        return None
    if len(words) == 1 and words[0] in _ABBREVIATIONS:
        return _ABBREVIATIONS[words[0]]
    kinds = {classify_word(w) for w in words} - {None}
    if kinds == {"product"}:
        return PRODUCT
    if kinds == {"production"}:
        return PRODUCTION
    if kinds == {"product", "production"}:
        return BOTH
    return None


def role_mentions(text: str) -> list[tuple[str, int, int]]:
    """(role, start, end) for every role named in free text, in order.

    A product/production word counts when a manager word follows it (the span
    covers both), or when it stands alone as the only role-like word of a
    short message ("and production?"). "PM" counts on its own.
    """
    tokens = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text.lower())]
    found: list[tuple[str, int, int]] = []
    loose: list[tuple[str, int, int]] = []
    for i, (word, start, end) in enumerate(tokens):
        if word in _ABBREVIATIONS:
            found.append((_ABBREVIATIONS[word], start, end))
            continue
        kind = classify_word(word)
        if kind is None:
            continue
        following = tokens[i + 1][0] if i + 1 < len(tokens) else ""
        if following and re.search(r"[,.;:!?()]", text[end : tokens[i + 1][1]]):
            following = ""  # "not production, product: ..." ends the phrase at the comma
        role = PRODUCT if kind == "product" else PRODUCTION
        if is_manager_word(following):
            found.append((role, start, tokens[i + 1][2]))
        elif following in _PERSON_WORDS:
            found.append((role, start, end))  # "the production one", "the product side"
        elif following in ("and", "or", "vs", "versus", "&"):
            found.append((role, start, end))
        elif following in _LOOSE_FOLLOWERS:
            # "and production?", "product then": the word alone; "production schedules" is not a role.
            loose.append((role, start, end))
    if not found and loose and len(tokens) <= 8:
        # A short follow-up like "and production?" names the role without
        # "manager"; "not production, product: ..." names two, one excluded.
        if len({r for r, _, _ in loose}) == 1:
            found.append(loose[0])
        else:
            found.extend(loose)
    return found


def roles_in_text(text: str) -> list[str]:
    """Roles named in free text, in order of first mention, without duplicates."""
    found: list[str] = []
    for role, _, _ in role_mentions(text):
        if role not in found:
            found.append(role)
    return found


def wants_comparison(text: str) -> bool:
    """Whether the question asks to weigh the roles against each other."""
    return bool(_COMPARISON_CUES.search(text.lower()))


def _question_focus(text: str) -> str | None:
    """The one role the final question names, when earlier sentences set a scene.

    "I'm torn between product and production management. What do production
    managers study?" asks about production managers only.
    """
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
    if len(sentences) < 2:
        return None
    last = sentences[-1]
    roles = roles_in_text(last)
    if len(roles) == 1 and roles[0] != BOTH and not wants_comparison(last):
        return roles[0]
    return None


def resolve_role(
    entity_values: Iterable[str | None],
    text: str,
    previous_role: str | None,
) -> str | None:
    """The role a question is about: PRODUCT, PRODUCTION, BOTH or None (ask the user).

    Entities from this message win, then role names in its text, then a
    comparison cue ("which pays more"), then the role of the previous turn.
    """
    focus = _question_focus(text)
    if focus:
        return focus
    named = [r for r in (normalize_role(v) for v in entity_values) if r]
    for role in roles_in_text(text):
        if role not in named:
            named.append(role)
    distinct = set(named)
    if BOTH in distinct or {PRODUCT, PRODUCTION} <= distinct:
        return BOTH
    if len(distinct) == 1:
        return named[0]
    if wants_comparison(text):
        return BOTH
    return previous_role if previous_role in (PRODUCT, PRODUCTION, BOTH) else None
