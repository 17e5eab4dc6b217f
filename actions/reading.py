"""One reading of a user message: what it asks, about what, in which form.

`read` turns a message (its text, intent and entities) into a `Reading`, a
plain value; actions/conversation.py decides the reply from that value alone.
Nothing else in the assistant looks at the words of a message.

Where each part comes from:
- roles: the `role` entity (CRF) and role names in the text (actions/roles.py);
- topics, organisations, other careers: the lookup entities of data/*.yml
  (Rasa's RegexEntityExtractor, or actions/lookups.py for the same files);
- claims, and roles described by what they do: the claims' `cues` in
  facts/facts.yml;
- the question's form, negation, padding, periods: actions/reading.yml.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from actions import lookups
from actions.fact_store import ROLES, Claim, FactStore
from actions.roles import BOTH, PRODUCT, PRODUCTION, normalize_role, role_mentions

VOCABULARY_PATH = Path(__file__).resolve().with_name("reading.yml")

# Question forms.
WH = "wh"
YES_NO = "yes_no"
WHICH_ROLE = "which_role"
DEFINITION = "definition"
PROFILE = "profile"

COMPARISON_TOPICS = ("difference", "similarities")
_TOKEN = re.compile(r"[a-z0-9$']+")
_CLAUSE_BREAK = re.compile(r"[.!?;:,]+|\s+-+\s+|\bbut\b|\balso\b")


@dataclass(frozen=True)
class Message:
    """What Rasa tells the action about the latest user message."""

    text: str
    intent: str | None = None
    confidence: float = 1.0
    entities: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class Context:
    """What the conversation knows from earlier turns (the slots)."""

    role: str | None = None
    topic: str | None = None
    claims: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClaimMatch:
    claim: Claim
    score: float
    # Whether words other than topic words found it ("demos", not "skills").
    specific: bool


@dataclass(frozen=True)
class Reading:
    """Everything the reply is decided from."""

    text: str
    intent: str | None
    form: str
    roles: tuple[str, ...] = ()  # PRODUCT / PRODUCTION named, in order, negated ones left out
    negated_roles: tuple[str, ...] = ()
    described_role: str | None = None  # "the people who plan factory schedules"
    other_role: bool = False  # "the other one"
    both: bool = False  # "both", "the two", "compare"
    topics: tuple[str, ...] = ()
    negated_topics: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    organisation_mentions: int = 0  # "is APICS the same as PICS?" names one body twice
    claims: tuple[ClaimMatch, ...] = ()  # best first
    other_careers: tuple[str, ...] = ()  # as the user wrote them
    uncovered: str | None = None  # key of an uncovered topic
    period: str | None = None  # month / week / hour
    pay_factors: bool = False
    comparative: bool = False
    higher_pay: bool = False
    content: bool = field(default=False)  # anything at all about our careers

    def specific_claims(self) -> tuple[ClaimMatch, ...]:
        return tuple(m for m in self.claims if m.specific)


@dataclass(frozen=True)
class Vocabulary:
    padding: tuple[str, ...]
    self_description: tuple[str, ...]
    yes_no_leads: frozenset[str]
    which_role_leads: frozenset[str]
    definition_leads: tuple[str, ...]
    profile: tuple[str, ...]
    negation: tuple[str, ...]
    negation_fillers: frozenset[str]
    describers: tuple[str, ...]
    other_role: tuple[str, ...]
    both_roles: tuple[str, ...]
    comparative: frozenset[str]
    higher_pay: frozenset[str]
    periods: dict[str, tuple[str, ...]]
    pay_factors: frozenset[str]
    frames: dict[str, tuple[re.Pattern[str], ...]]
    stopwords: frozenset[str]


def _phrases(values: Iterable[Any]) -> tuple[str, ...]:
    # Longest first: "hi there" is dropped whole before "hi".
    return tuple(sorted({str(v).lower() for v in values}, key=lambda p: (-len(p), p)))


@lru_cache(maxsize=None)
def load_vocabulary(path: Path = VOCABULARY_PATH) -> Vocabulary:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Vocabulary(
        padding=_phrases(raw["padding"]),
        self_description=_phrases(raw["self_description"]),
        yes_no_leads=frozenset(raw["yes_no_leads"]),
        which_role_leads=frozenset(raw["which_role_leads"]),
        definition_leads=_phrases(raw["definition_leads"]),
        profile=_phrases(raw["profile"]),
        negation=_phrases(raw["negation"]),
        negation_fillers=frozenset(raw["negation_fillers"]),
        describers=_phrases(raw["describers"]),
        other_role=_phrases(raw["other_role"]),
        both_roles=_phrases(raw["both_roles"]),
        comparative=frozenset(raw["comparative"]),
        higher_pay=frozenset(raw["higher_pay"]),
        periods={k: tuple(v["words"]) for k, v in raw["periods"].items()},
        pay_factors=frozenset(raw["pay_factors"]),
        frames={k: tuple(re.compile(p) for p in v) for k, v in raw["frames"].items()},
        stopwords=frozenset(raw["stopwords"]),
    )


# ------------------------------------------------------------------ helpers


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _has_phrase(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![a-z0-9']){re.escape(phrase)}(?![a-z0-9'])", text) is not None


def _find_phrase(text: str, phrases: Sequence[str]) -> re.Match[str] | None:
    best: re.Match[str] | None = None
    for phrase in phrases:
        match = re.search(rf"(?<![a-z0-9']){re.escape(phrase)}(?![a-z0-9'])", text)
        if match and (best is None or match.start() < best.start()):
            best = match
    return best


def _strip_padding(clause: str, vocab: Vocabulary) -> str:
    """The clause without leading politeness ("hello! could you tell me ...")."""
    changed = True
    clause = clause.strip()
    while changed and clause:
        changed = False
        for phrase in vocab.padding:
            if clause == phrase or clause.startswith(phrase + " "):
                clause = clause[len(phrase) :].strip(" ,!")
                changed = True
                break
    return clause


def _clauses(text: str) -> list[tuple[str, int]]:
    """(clause, offset) pieces of the message, split at punctuation and "but"."""
    pieces: list[tuple[str, int]] = []
    last = 0
    for match in _CLAUSE_BREAK.finditer(text):
        pieces.append((text[last : match.start()], last))
        last = match.end()
    pieces.append((text[last:], last))
    return [(p, o) for p, o in pieces if _TOKEN.search(p)]


def _stem(word: str) -> str:
    """A light plural/verb ending strip, so "demos" meets "demo" and "travels" "travel"."""
    word = word.strip("'")
    if word.endswith("'s"):
        word = word[:-2]
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "ies":
                return word[:-3] + "y"
            if suffix == "es" and word[-3] in "sxz":
                return word[:-2]
            if suffix == "s" and not word.endswith("ss"):
                return word[:-1]
    return word


@dataclass(frozen=True)
class _ClaimIndex:
    """Claims' cues as sets of stems, with a weight per stem (rarer weighs more)."""

    cues: tuple[tuple[Claim, tuple[frozenset[str], ...]], ...]
    weight: dict[str, float]
    topic_stems: frozenset[str]


_INDEXES: dict[int, _ClaimIndex] = {}


def _index(store: FactStore, vocab: Vocabulary) -> _ClaimIndex:
    key = id(store)
    if key not in _INDEXES:
        cues = []
        document_frequency: dict[str, int] = {}
        for claim in store.all_claims():
            phrases = []
            for cue in claim.cues:
                stems = frozenset(_stem(t) for t, _, _ in _tokens(cue) if t not in vocab.stopwords)
                if stems:
                    phrases.append(stems)
            cues.append((claim, tuple(phrases)))
            for stem in set().union(*phrases) if phrases else set():
                document_frequency[stem] = document_frequency.get(stem, 0) + 1
        total = len(cues)
        weight = {s: 1.0 + math.log(total / n) for s, n in document_frequency.items()}
        topic_words = lookups.load("topic").entries
        topic_stems = frozenset(_stem(t) for entry in topic_words for t, _, _ in _tokens(entry.lower()))
        _INDEXES[key] = _ClaimIndex(tuple(cues), weight, topic_stems)
    return _INDEXES[key]


def match_claims(
    store: FactStore, words: Iterable[str], vocab: Vocabulary | None = None
) -> tuple[ClaimMatch, ...]:
    """Claims whose cues the words contain, best first."""
    vocab = vocab or load_vocabulary()
    index = _index(store, vocab)
    stems = {_stem(w) for w in words if w not in vocab.stopwords}
    matches = []
    for claim, phrases in index.cues:
        hit: set[str] = set()
        for phrase in phrases:
            if phrase <= stems:
                hit |= phrase
        if hit:
            score = sum(index.weight.get(s, 1.0) for s in hit)
            matches.append(ClaimMatch(claim, score, bool(hit - index.topic_stems)))
    return tuple(sorted(matches, key=lambda m: -m.score))


def role_of_description(store: FactStore, words: Sequence[str], vocab: Vocabulary) -> str | None:
    """The role whose claims the description's words find best ("plan factory schedules")."""
    scores = dict.fromkeys(ROLES, 0.0)
    for match in match_claims(store, words, vocab):
        if match.claim.owner in ROLES:
            scores[match.claim.owner] = max(scores[match.claim.owner], match.score)
    best = max(scores, key=lambda r: scores[r])
    other = PRODUCTION if best == PRODUCT else PRODUCT
    return best if scores[best] > scores[other] else None


def _negated(text: str, start: int, vocab: Vocabulary) -> bool:
    """Whether a negation ends just before `start`, past a few filler words."""
    before = _TOKEN.findall(text[:start])
    while before and before[-1] in vocab.negation_fillers:
        before.pop()
    tail = " ".join(before[-3:])
    return any(tail == n or tail.endswith(" " + n) for n in vocab.negation)


def _overlaps(a: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


def _form(question: str, topics_here: Sequence[str], vocab: Vocabulary) -> str:
    if any(_has_phrase(question, p) for p in vocab.profile):
        return PROFILE
    words = _TOKEN.findall(question)
    if not words:
        return WH
    first = words[0]
    if first in vocab.which_role_leads:
        following = words[1] if len(words) > 1 else ""
        if first == "which" and lookups.load("topic").find(following) and following not in ("pays", "paid"):
            return WH
        return WHICH_ROLE
    if first in vocab.yes_no_leads:
        return YES_NO
    if any(question.startswith(p + " ") or question == p for p in vocab.definition_leads):
        return DEFINITION
    return WH


# ------------------------------------------------------------------ reading


def read(
    message: Message,
    store: FactStore,
    vocab: Vocabulary | None = None,
) -> Reading:
    """Read a message once into a `Reading`."""
    vocab = vocab or load_vocabulary()
    text = " ".join((message.text or "").replace("\u2019", "'").split())
    lowered = text.lower()
    if lowered.startswith("/"):
        # A button payload ("/ask_question{...}") carries its meaning in entities.
        lowered = ""

    entities = list(message.entities) + lookups.entities_in(lowered)

    # Other careers first: their words ("product owner") are not our roles.
    career_spans: list[tuple[int, int]] = []
    careers: list[str] = []
    for entity in entities:
        if entity.get("entity") != "other_career" or "start" not in entity:
            continue
        span = (int(entity["start"]), int(entity["end"]))
        if _overlaps(span, career_spans):
            continue
        career_spans.append(span)
        careers.append(text[span[0] : span[1]].lower())

    # Clauses: a self-description ("I have an MBA") is not the question.
    clauses = _clauses(lowered)
    question_spans: list[tuple[int, int]] = []
    question = ""
    for clause, offset in clauses:
        stripped = _strip_padding(clause, vocab)
        is_self = any(stripped == p or stripped.startswith(p + " ") for p in vocab.self_description)
        has_lead = bool(stripped) and (
            _TOKEN.findall(stripped)[0] in vocab.yes_no_leads | vocab.which_role_leads
            or stripped.split()[0] in ("what", "whats", "what's", "how", "where", "why", "when", "tell")
        )
        if stripped and (not is_self or has_lead):
            question_spans.append((offset, offset + len(clause)))
            if not question or has_lead:
                question = question or stripped
    if not question_spans:
        question_spans = [(0, len(lowered))]
        question = _strip_padding(lowered, vocab)
    # The form is the first asking clause's ("which one ..., and what do they earn?").
    for clause, offset in clauses:
        stripped = _strip_padding(clause, vocab)
        if (offset, offset + len(clause)) in question_spans and stripped:
            question = stripped
            break

    def in_question(start: int, end: int) -> bool:
        return _overlaps((start, end), question_spans)

    # Roles: entities, then names in the text; negated ones set aside.
    roles: list[str] = []
    negated_roles: list[str] = []
    both = False
    role_spans: list[tuple[int, int]] = []

    def add_role(role: str, start: int | None, end: int | None) -> None:
        nonlocal both
        if start is not None and end is not None:
            if _overlaps((start, end), career_spans):
                return
            role_spans.append((start, end))
            if _negated(lowered, start, vocab):
                if role not in negated_roles and role != BOTH:
                    negated_roles.append(role)
                return
        if role == BOTH:
            both = True
        elif role not in roles:
            roles.append(role)

    for entity in message.entities:
        if entity.get("entity") != "role":
            continue
        role = normalize_role(str(entity.get("value") or ""))
        if role:
            start = entity.get("start")
            end = entity.get("end")
            add_role(role, int(start) if start is not None else None, int(end) if end is not None else None)
    masked = lowered
    for s, e in career_spans:
        masked = masked[:s] + " " * (e - s) + masked[e:]
    for role, start, end in role_mentions(masked):
        if not _overlaps((start, end), role_spans):
            add_role(role, start, end)

    if any(_has_phrase(lowered, p) for p in vocab.both_roles):
        both = True
    other_role = any(_has_phrase(lowered, p) for p in vocab.other_role)

    # Topics and organisations from the lookup entities, in order of mention.
    topics: list[str] = []
    negated_topics: list[str] = []
    organisations: list[str] = []
    organisation_mentions = 0
    topic_spans: list[tuple[int, int]] = []
    seen_spans: list[tuple[int, int]] = []
    for entity in sorted(entities, key=lambda e: int(e.get("start") or 0)):
        kind = entity.get("entity")
        value = str(entity.get("value") or "")
        if kind not in ("topic", "organisation"):
            continue
        start, end = entity.get("start"), entity.get("end")
        if start is None or end is None:
            # A button payload's entity: no place in the text.
            target = topics if kind == "topic" else organisations
            if value not in target:
                target.append(value)
            continue
        span = (int(start), int(end))
        if kind == "organisation":
            if span not in seen_spans:
                seen_spans.append(span)
                organisation_mentions += 1
            if value not in organisations:
                organisations.append(value)
            continue
        if span in seen_spans or _overlaps(span, career_spans):
            continue
        seen_spans.append(span)
        if value not in store.topic_labels:
            continue
        topic_spans.append(span)
        if _negated(lowered, span[0], vocab):
            if value not in negated_topics:
                negated_topics.append(value)
        elif in_question(*span) and value not in topics:
            topics.append(value)
    for topic, patterns in vocab.frames.items():
        if topic not in topics and any(p.search(question) for p in patterns):
            topics.append(topic)
    topics = [t for t in topics if t not in negated_topics]

    # Content words of the asking clauses, for claims and role descriptions.
    words = [
        t
        for t, s, e in _tokens(lowered)
        if in_question(s, e) and not _overlaps((s, e), career_spans) and not _overlaps((s, e), role_spans)
    ]
    described_role = None
    describer = _find_phrase(lowered, vocab.describers)
    if describer and not roles:
        described = [
            t
            for t, s, e in _tokens(lowered[describer.end() :])
            if not _overlaps((s + describer.end(), e + describer.end()), topic_spans)
        ]
        described_role = role_of_description(store, described, vocab)
    claims = match_claims(store, words, vocab)
    claims = tuple(m for m in claims if m.claim.topic not in negated_topics)

    uncovered = store.uncovered_topic(question if question else lowered)
    if uncovered is None and question != lowered:
        uncovered = store.uncovered_topic(lowered) if not topics else None

    period = next(
        (p for p, names in vocab.periods.items() if any(_has_phrase(question, n) for n in names)), None
    )
    question_words = set(_TOKEN.findall(question))
    reading_form = _form(question, topics, vocab)
    content = bool(
        roles
        or described_role
        or topics
        or organisations
        or any(m.specific for m in claims)
        or uncovered
        or both
        or other_role
    )
    return Reading(
        text=text,
        intent=message.intent,
        form=reading_form,
        roles=tuple(roles),
        negated_roles=tuple(negated_roles),
        described_role=described_role,
        other_role=other_role,
        both=both,
        topics=tuple(topics),
        negated_topics=tuple(negated_topics),
        organisations=tuple(organisations),
        organisation_mentions=organisation_mentions,
        claims=claims,
        other_careers=tuple(careers),
        uncovered=uncovered.key if uncovered else None,
        period=period,
        pay_factors=bool(question_words & vocab.pay_factors),
        comparative=bool(question_words & vocab.comparative),
        higher_pay=bool(question_words & vocab.higher_pay),
        content=content,
    )
