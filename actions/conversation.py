"""What to answer in a turn, given the NLU result and what the conversation knows.

`respond` is the whole decision, as a plain function, so every conversation
flow (follow-ups, clarification, other careers, uncovered topics) is unit
tested without Rasa. The Rasa actions only read the tracker and call it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from actions import answers
from actions.answers import Reply
from actions.fact_store import FactStore
from actions.roles import (
    BOTH,
    PRODUCT,
    PRODUCTION,
    normalize_role,
    other_career_in_text,
    resolve_role,
    roles_in_text,
)

INTENT_TOPICS: dict[str, str] = {intent: topic for topic, intent in answers.TOPIC_INTENTS.items()}
FOLLOW_UP_INTENT = "inform_role"
UNCOVERED_INTENT = "ask_uncovered_topic"
# Broad questions whose cue words may reveal a topic the article lacks.
GENERAL_INTENTS = ("ask_overview", "ask_duties", "ask_difference", "ask_similarities", "inform_role")
# Below this intent confidence a topic question must be backed by its words.
SURE_ENOUGH = 0.7

# Keywords that reveal the topic of a question the classifier was unsure about.
_TOPIC_KEYWORDS = (
    (
        "salary",
        r"salar|sal+ary|pay|paid|earn|income|wage|money|make a year|how much .*(make|get)|compensation|\$",
    ),
    ("certifications", r"certif|credential|\bpmi\b|\bama\b|\basq\b|apics|\bpics\b"),
    ("education", r"degree|educat|study|studies|college|universit|master|mba|bachelor|major"),
    ("skills", r"skill|good at|qualit(y|ies) (do|does|of)|strength"),
    ("work_environment", r"where .*work|office|factory|plant|facilit|travel|environment|workplace"),
    ("similarities", r"in common|similar|alike|overlap"),
    ("difference", r"differ|\bvs\b|versus|compare"),
    ("duties", r"dut(y|ies)|responsib|tasks?\b|day to day|what do(es)? .* do\b"),
)


@dataclass(frozen=True)
class Turn:
    """The reply to send and the slot values to keep for the next turn."""

    reply: Reply
    role: str | None
    topic: str | None


def guess_topic(text: str) -> str | None:
    lowered = text.lower()
    for topic, pattern in _TOPIC_KEYWORDS:
        if re.search(pattern, lowered):
            return topic
    return None


_KNOWN_ROLES = (PRODUCT, PRODUCTION, BOTH)
_KNOWN_TOPICS = (*answers.TOPIC_ORDER, "difference", "similarities")


def _known_slots(slot_role: str | None, slot_topic: str | None) -> tuple[str | None, str | None]:
    """Slot values this code can answer from; anything else counts as unset.

    Slots come from the tracker, which may hold values from before a change to
    the fact file, or set through Rasa's HTTP API.
    """
    return (
        slot_role if slot_role in _KNOWN_ROLES else None,
        slot_topic if slot_topic in _KNOWN_TOPICS else None,
    )


def _names_our_role(entity_values: Iterable[str | None], text: str) -> bool:
    return any(normalize_role(v) for v in entity_values) or bool(roles_in_text(text))


def respond(
    store: FactStore,
    intent: str | None,
    text: str,
    entity_values: Iterable[str | None],
    slot_role: str | None,
    slot_topic: str | None,
    confidence: float = 1.0,
) -> Turn:
    """Decide the reply to a question about the two careers."""
    entity_values = list(entity_values)
    slot_role, slot_topic = _known_slots(slot_role, slot_topic)
    text = text or ""
    if (
        intent in INTENT_TOPICS
        and confidence < SURE_ENOUGH
        and not _names_our_role(entity_values, text)
        and guess_topic(text) is None
    ):
        # A doubtful guess with nothing in the words to back it ("who won the
        # world cup" read as a work-environment question) is not answered.
        return Turn(answers.out_of_scope(other_career_in_text(text)), slot_role, slot_topic)
    if intent == FOLLOW_UP_INTENT:
        topic = slot_topic or "overview"
    else:
        topic = INTENT_TOPICS.get(intent or "") or guess_topic(text) or ""

    if not _names_our_role(entity_values, text):
        other = other_career_in_text(text)
        if other:
            # Keep what was asked ("...earn?"), so "and a production manager?" continues it.
            return Turn(answers.out_of_scope(other), slot_role, topic or slot_topic)

    role = resolve_role(entity_values, text, slot_role)

    uncovered = store.uncovered_topic(text)
    if intent in GENERAL_INTENTS and uncovered and guess_topic(text) is None:
        # "what's the career path for a PM" reads like an overview question
        # to the classifier, but its cue words name a topic the article lacks.
        intent = UNCOVERED_INTENT
    if intent == UNCOVERED_INTENT:
        return Turn(answers.not_covered(store, uncovered, role), role, slot_topic)
    if not topic:
        return Turn(answers.did_not_understand(), slot_role, slot_topic)
    if topic in ("difference", "similarities"):
        # "the difference in pay" is a pay comparison, not the roles as wholes.
        named_topic = guess_topic(text)
        if named_topic in answers.TOPIC_ORDER and named_topic not in ("overview", "duties"):
            topic = named_topic
        role = BOTH
    if role is None:
        return Turn(answers.clarify(store, topic), None, topic)
    return Turn(answers.answer(store, role, topic), role, topic)


def respond_to_fallback(
    store: FactStore,
    text: str,
    entity_values: Iterable[str | None],
    slot_role: str | None,
    slot_topic: str | None,
) -> Turn:
    """A low-confidence message: answer only when the words leave no doubt."""
    entity_values = list(entity_values)
    slot_role, slot_topic = _known_slots(slot_role, slot_topic)
    if other_career_in_text(text) and not _names_our_role(entity_values, text):
        return Turn(answers.out_of_scope(other_career_in_text(text)), slot_role, slot_topic)
    uncovered = store.uncovered_topic(text)
    if uncovered and guess_topic(text) is None and (_names_our_role(entity_values, text) or slot_role):
        return respond(store, UNCOVERED_INTENT, text, entity_values, slot_role, slot_topic)
    topic = guess_topic(text)
    if topic and (_names_our_role(entity_values, text) or topic in ("difference", "similarities")):
        return respond(store, None, text, entity_values, slot_role, slot_topic)
    if _names_our_role(entity_values, text):
        # "im thinking about going into product management": no question, but
        # a role to remember and a fitting first answer.
        return respond(store, "ask_overview", text, entity_values, slot_role, slot_topic)
    return Turn(answers.did_not_understand(), slot_role, slot_topic)


def cite(store: FactStore, slot_role: str | None, slot_topic: str | None) -> Reply:
    slot_role, slot_topic = _known_slots(slot_role, slot_topic)
    return answers.cite(store, slot_role, slot_topic)


def redirect(text: str, slot_role: str | None = None, slot_topic: str | None = None) -> Turn:
    """The out-of-scope reply; a topic asked about another career is kept for a follow-up."""
    slot_role, slot_topic = _known_slots(slot_role, slot_topic)
    other = other_career_in_text(text)
    topic = (guess_topic(text) if other else None) or slot_topic
    return Turn(answers.out_of_scope(other), slot_role, topic)
