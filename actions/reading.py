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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

from actions import feedback, lookups
from actions.fact_store import ROLES, Claim, FactStore
from actions.roles import (
    BOTH,
    PRODUCT,
    PRODUCTION,
    classify_word,
    is_manager_word,
    normalize_role,
    role_mentions,
)

VOCABULARY_PATH = Path(__file__).resolve().with_name("reading.yml")

# Question forms.
WH = "wh"
YES_NO = "yes_no"
WHICH_ROLE = "which_role"
DEFINITION = "definition"
PROFILE = "profile"

COMPARISON_TOPICS = ("difference", "similarities")
# A claim found by one common word ("price") is not enough to take a message as ours.
_STRONG = 6.0
_TOKEN = re.compile(r"[a-z0-9$']+")
_CLAUSE_BREAK = re.compile(
    r"(?:(?<!\d)[.,]|[.,](?!\d)|[!?;:])+|\s+-+\s+|\bbut\b|\balso\b"
    r"|\band\b(?=\s+(?:what|where|how|which|who|do|does|did|is|are|can|should|would|will|tell)\b)"
)


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
    # The career-fit advisor's slots that have a value, its last verdict, and whether it was offered.
    fit: tuple[tuple[str, str], ...] = ()
    fit_result: str | None = None
    fit_offered: bool = False


@dataclass(frozen=True)
class ClaimMatch:
    claim: Claim
    score: float
    # Whether words other than topic words found it ("demos", not "skills").
    specific: bool
    hits: frozenset[str] = frozenset()  # the stems that found it


@dataclass(frozen=True)
class Part:
    """One asking clause of a compound question: its roles, topics and the claims it asks for."""

    roles: tuple[str, ...]
    topics: tuple[str, ...]
    claims: tuple[Claim, ...] = ()
    form: str = WH


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
    asked_careers: tuple[str, ...] = ()  # ... of those, the ones not in a self-description
    uncovered: str | None = None  # key of an uncovered topic
    period: str | None = None  # month / week / hour
    pay_factors: bool = False
    comparative: bool = False
    higher_pay: bool = False
    lower_pay: bool = False
    same: bool = False  # "is that the same everywhere?", "is A the same as B?"
    negative: bool = False  # "which role doesn't work in an office?"
    fit: bool = False  # "which one suits me?"
    fit_role: str | None = None  # the role the person's own words describe best
    # "do they make more than $70,000?": (above?, amount in dollars)
    amount: tuple[bool, int] | None = None
    requirement: bool = False  # "do they need ...", "is it required"
    content: bool = field(default=False)  # anything at all about our careers
    words: frozenset[str] = frozenset()  # every word of the message, lower case
    # (roles, topics) per asking clause, for "where do PMs work and what do production managers earn?"
    parts: tuple[Part, ...] = ()
    source: bool = False  # "where does that come from?"
    # The clauses in which the person describes themselves ("I'm an engineer"), as written.
    about_person: tuple[str, ...] = ()
    # A clause that asks: a question word or yes/no lead first, a question mark, "tell me".
    asks: bool = False
    # Feedback words on the last answer: "negative" ("that's not what I asked"), "positive"
    # ("that helped"), or None; and whether a clause that asks nothing says the last
    # answer missed ("wrong, I meant production managers").
    feedback: str | None = None
    correction: bool = False

    def specific_claims(self) -> tuple[ClaimMatch, ...]:
        return tuple(m for m in self.claims if m.specific)


@dataclass(frozen=True)
class Vocabulary:
    padding: Phrases
    self_description: Phrases
    yes_no_leads: frozenset[str]
    which_role_leads: frozenset[str]
    which_role_followers: frozenset[str]
    negative_question: Phrases
    definition_leads: Phrases
    profile: Phrases
    negation: Phrases
    negation_fillers: frozenset[str]
    describers: Phrases
    other_role: Phrases
    both_roles: Phrases
    comparative: frozenset[str]
    higher_pay: frozenset[str]
    lower_pay: frozenset[str]
    periods: dict[str, tuple[str, ...]]
    # period -> (how many in a year, the assumption the division makes)
    period_divisors: dict[str, tuple[int, str | None]]
    pay_factors: frozenset[str]
    pay_same: frozenset[str]
    requirement: Phrases
    credential_verbs: frozenset[str]
    person_words: frozenset[str]
    asking_padding: Phrases
    source_words: Phrases
    follow_up_words: frozenset[str]
    career_non_modifiers: frozenset[str]
    career_suffixes: tuple[str, ...]
    not_careers: frozenset[str]
    fit: Phrases
    feedback_negative: Phrases
    feedback_positive: Phrases
    amount_above: Phrases
    amount_below: Phrases
    frames: dict[str, tuple[re.Pattern[str], ...]]
    stopwords: frozenset[str]


@dataclass(frozen=True)
class Phrases:
    """A vocabulary list, matched on whole words by one compiled pattern (longest phrase first)."""

    words: tuple[str, ...]
    anywhere_pattern: re.Pattern[str]
    start_pattern: re.Pattern[str]
    end_pattern: re.Pattern[str]

    def __iter__(self) -> Iterator[str]:
        return iter(self.words)

    def __contains__(self, phrase: object) -> bool:
        return phrase in self.words

    def anywhere(self, text: str) -> bool:
        return self.anywhere_pattern.search(text) is not None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.anywhere_pattern.finditer(text)

    def at_start(self, text: str) -> str | None:
        """The phrase `text` starts with (as whole words), if any."""
        match = self.start_pattern.match(text)
        return match.group() if match else None

    def at_end(self, text: str) -> bool:
        return self.end_pattern.search(text) is not None


def _phrases(values: Iterable[Any]) -> Phrases:
    # Longest first: "hi there" is dropped whole before "hi".
    words = tuple(sorted({str(v).lower() for v in values}, key=lambda p: (-len(p), p)))
    body = "|".join(re.escape(w) for w in words) or "(?!)"
    return Phrases(
        words,
        re.compile(rf"(?<![a-z0-9'])(?:{body})(?![a-z0-9'])"),
        re.compile(rf"(?:{body})(?![a-z0-9'])"),
        re.compile(rf"(?:^|(?<=\s))(?:{body})$"),
    )


@cache
def load_vocabulary(path: Path = VOCABULARY_PATH) -> Vocabulary:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Vocabulary(
        padding=_phrases(raw["padding"]),
        self_description=_phrases(raw["self_description"]),
        yes_no_leads=frozenset(raw["yes_no_leads"]),
        which_role_leads=frozenset(raw["which_role_leads"]),
        which_role_followers=frozenset(raw["which_role_followers"]),
        negative_question=_phrases(raw["negative_question"]),
        definition_leads=_phrases(raw["definition_leads"]),
        profile=_phrases(raw["profile"]),
        negation=_phrases(raw["negation"]),
        negation_fillers=frozenset(raw["negation_fillers"]),
        describers=_phrases(raw["describers"]),
        other_role=_phrases(raw["other_role"]),
        both_roles=_phrases(raw["both_roles"]),
        comparative=frozenset(raw["comparative"]),
        higher_pay=frozenset(raw["higher_pay"]),
        lower_pay=frozenset(raw["lower_pay"]),
        periods={k: tuple(v["words"]) for k, v in raw["periods"].items()},
        period_divisors={k: (int(v["per_year"]), v.get("assumption")) for k, v in raw["periods"].items()},
        pay_factors=frozenset(raw["pay_factors"]),
        pay_same=frozenset(raw["pay_same"]),
        requirement=_phrases(raw["requirement"]),
        credential_verbs=frozenset(raw["credential_verbs"]),
        person_words=frozenset(raw["person_words"]),
        asking_padding=_phrases(raw["asking_padding"]),
        source_words=_phrases(raw["source_words"]),
        follow_up_words=frozenset(raw["follow_up_words"]),
        career_non_modifiers=frozenset(raw["career_non_modifiers"]),
        career_suffixes=tuple(raw["career_suffixes"]),
        not_careers=frozenset(raw["not_careers"]),
        fit=_phrases(raw["fit"]),
        feedback_negative=_phrases(raw["feedback_negative"]),
        feedback_positive=_phrases(raw["feedback_positive"]),
        amount_above=_phrases(raw["amount_above"]),
        amount_below=_phrases(raw["amount_below"]),
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
    clause = clause.strip()
    while clause:
        found = vocab.padding.at_start(clause)
        if not found:
            break
        clause = clause[len(found) :].strip(" ,!")
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
    stop_stems: frozenset[str]


_INDEXES: dict[int, _ClaimIndex] = {}


def _index(store: FactStore, vocab: Vocabulary) -> _ClaimIndex:
    key = id(store)
    if key not in _INDEXES:
        cues = []
        document_frequency: dict[str, int] = {}
        for claim in store.all_claims():
            phrases = []
            for cue in claim.cues:
                # Every word of a phrase must be there ("people skills"); a stopword alone finds nothing.
                words = [t for t, _, _ in _tokens(cue)]
                if any(w not in vocab.stopwords for w in words):
                    phrases.append(frozenset(_stem(w) for w in words))
            cues.append((claim, tuple(phrases)))
            content = {_stem(w) for cue in claim.cues for w, _, _ in _tokens(cue) if w not in vocab.stopwords}
            for stem in content:
                document_frequency[stem] = document_frequency.get(stem, 0) + 1
        total = len(cues)
        weight = {s: 1.0 + math.log(total / n) for s, n in document_frequency.items()}
        topic_words = lookups.load("topic").entries
        topic_stems = frozenset(_stem(t) for entry in topic_words for t, _, _ in _tokens(entry.lower()))
        stop_stems = frozenset(_stem(w) for w in vocab.stopwords)
        _INDEXES[key] = _ClaimIndex(tuple(cues), weight, topic_stems, stop_stems)
    return _INDEXES[key]


def match_claims(
    store: FactStore, words: Iterable[str], vocab: Vocabulary | None = None
) -> tuple[ClaimMatch, ...]:
    """Claims whose cues the words contain, best first."""
    vocab = vocab or load_vocabulary()
    index = _index(store, vocab)
    stems = {_stem(w) for w in words}
    matches = []
    for claim, phrases in index.cues:
        hit: set[str] = set()
        for phrase in phrases:
            if phrase <= stems:
                hit |= phrase - index.stop_stems
        if hit:
            # fsum is exactly rounded whatever the order: a set's order follows
            # string hashing, random per process, and a plain sum's last bit with
            # it, which decided ties between equal scores differently per start.
            score = math.fsum(index.weight.get(s, 1.0) for s in hit)
            matches.append(ClaimMatch(claim, score, bool(hit - index.topic_stems), frozenset(hit)))
    return tuple(sorted(matches, key=lambda m: -m.score))


def role_of_description(
    store: FactStore, words: Sequence[str], vocab: Vocabulary, margin: float = 0.0, min_words: int = 1
) -> str | None:
    """The role whose claims the description's words find best ("plan factory schedules")."""
    scores = dict.fromkeys(ROLES, 0.0)
    found: dict[str, set[str]] = {r: set() for r in ROLES}
    for match in match_claims(store, words, vocab):
        if match.claim.owner in ROLES:
            scores[match.claim.owner] += match.score
            found[match.claim.owner] |= match.hits
    best = max(scores, key=lambda r: scores[r])
    other = PRODUCTION if best == PRODUCT else PRODUCT
    if len(found[best]) < min_words:
        return None
    return best if scores[best] > scores[other] + margin else None


def _negated(text: str, start: int, vocab: Vocabulary) -> bool:
    """Whether a negation ends just before `start`, past a few filler words."""
    before = _TOKEN.findall(text[:start])
    while before and before[-1] in vocab.negation_fillers:
        before.pop()
    tail = " ".join(before[-3:])
    return vocab.negation.at_end(tail)


def _overlaps(a: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


def _form(question: str, topics_here: Sequence[str], vocab: Vocabulary) -> str:
    if vocab.profile.anywhere(question):
        return PROFILE
    words = _TOKEN.findall(question)
    if not words:
        return WH
    first = words[0]
    if first in vocab.which_role_leads or first in ("who's", "whos"):
        following = words[1] if len(words) > 1 else ""
        if first == "which" and following not in vocab.which_role_followers:
            return WH  # "which certifications ...", but "which pays more" asks for a role
        return WHICH_ROLE
    if first in vocab.yes_no_leads:
        return YES_NO
    if vocab.definition_leads.at_start(question):
        return DEFINITION
    return WH


@lru_cache(maxsize=1)
def _career_modifiers() -> frozenset[str]:
    """First words of the "<word> manager" careers in data/other_careers.yml ("project")."""
    entries = lookups.load("other_career").entries
    return frozenset(
        e.split()[0].lower() for e in entries if len(e.split()) == 2 and is_manager_word(e.split()[1].lower())
    )


def _unknown_career(tokens: list[tuple[str, int, int]], vocab: Vocabulary) -> tuple[int, int] | None:
    """The span of "<modifier> <noun>" after a/an/as when the noun has a job-like ending."""
    for i, (word, _, _) in enumerate(tokens[:-1]):
        if word not in ("a", "an", "as"):
            continue
        following = tokens[i + 1 : i + 3]
        for j in range(len(following), 0, -1):
            noun, _, noun_end = following[j - 1]
            if (
                len(noun) >= 5
                and noun.endswith(vocab.career_suffixes)
                and noun not in vocab.not_careers
                and noun not in vocab.stopwords
                and classify_word(noun) is None
                and not is_manager_word(noun)
                and not lookups.load("topic").find(noun)
                and all(t[0] not in vocab.stopwords and t[0].isalpha() for t in following[:j])
            ):
                return (following[0][1], noun_end)
    return None


def _with_modifier(
    span: tuple[int, int], tokens: list[tuple[str, int, int]], vocab: Vocabulary
) -> tuple[int, int]:
    """A one-word career with the word before it that names its kind ("truck driver")."""
    starts = [i for i, (_, s, _) in enumerate(tokens) if s == span[0]]
    if not starts or starts[0] == 0:
        return span
    before, b_start, b_end = tokens[starts[0] - 1]
    if (
        before.isalpha()
        and before not in vocab.stopwords
        and before not in vocab.career_non_modifiers
        and classify_word(before) is None
        and not lookups.load("topic").find(before)
        and b_end + 1 == span[0]
    ):
        return (b_start, span[1])
    return span


# Words that can stand before a career without naming its kind.
_PLACE = re.compile(r"\bin (?!the\b)[A-Z][a-z]+(?: [A-Z][a-z]+)?\b")
_AMOUNT = re.compile(r"\$?\s?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s?(k|grand|thousand)?\b")


def _amount(text: str, vocab: Vocabulary) -> tuple[bool, int] | None:
    """(above?, dollars) for "more than $70,000" / "over 100k" / "under 80 grand"."""
    for phrases, above in ((vocab.amount_above, True), (vocab.amount_below, False)):
        for match in phrases.finditer(text):
            figure = _AMOUNT.match(text, match.end() + (text[match.end() : match.end() + 1] == " "))
            if figure:
                number = float(figure.group(1).replace(",", ""))
                if figure.group(2):
                    number *= 1000
                if number >= 1000:
                    return above, int(number)
    return None


def _unnegated(text: str, negated: Sequence[tuple[int, int]]) -> str:
    """The text without its negated clauses ("definitely not running a factory")."""
    for start, end in sorted(negated, reverse=True):
        text = text[:start] + " " + text[end:]
    return text


# ------------------------------------------------------------------ reading

_ENTITY_TYPES = ("role", "topic", "organisation", "other_career")


def _valid_entities(
    entities: Iterable[Mapping[str, Any]], length: int, store: FactStore
) -> list[dict[str, Any]]:
    """The entities that can be trusted: a known type and value, and a span inside the text or none.

    They come from the NLU, a button payload or Rasa's HTTP API, so anything may arrive.
    """
    known_values = {
        "topic": set(store.topic_labels),
        "organisation": {o.key for o in store.organisations},
    }
    valid = []
    for entity in entities:
        if not isinstance(entity, Mapping):
            continue
        kind, value = entity.get("entity"), entity.get("value")
        start, end = entity.get("start"), entity.get("end")
        if kind not in _ENTITY_TYPES or not isinstance(value, str) or not value.strip():
            continue
        if kind in known_values and value not in known_values[kind]:
            continue
        if (start is None) != (end is None):
            continue
        if start is not None:
            if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= length):
                continue
        elif kind == "other_career":
            continue  # a career is named as the user wrote it: it needs its place in the text
        valid.append({"entity": kind, "value": value, "start": start, "end": end})
    return valid


@dataclass(frozen=True)
class _Clause:
    text: str  # lower case, padding removed
    start: int
    end: int
    asking: bool
    self_description: bool
    negated: bool


def _pieces(lowered: str, vocab: Vocabulary) -> list[tuple[str, int]]:
    """Clauses, with "other than ASQ what certs ..." cut before its question word."""
    pieces: list[tuple[str, int]] = []
    for piece, offset in _clauses(lowered):
        stripped = _strip_padding(piece, vocab)
        if vocab.negation.at_start(stripped):
            words = [(m.group(), m.start()) for m in _TOKEN.finditer(piece)]
            cut = next((at for i, (w, at) in enumerate(words) if i > 1 and w in _WH_WORDS), None)
            if cut is not None:
                pieces += [(piece[:cut], offset), (piece[cut:], offset + cut)]
                continue
        pieces.append((piece, offset))
    return pieces


def _split(lowered: str, vocab: Vocabulary) -> list[_Clause]:
    clauses = []
    for piece, offset in _pieces(lowered, vocab):
        stripped = _strip_padding(piece, vocab)
        if not stripped:
            continue
        # Question words inside "someone who ..." describe, they do not ask.
        bare = vocab.describers.anywhere_pattern.sub(" ", stripped)
        words = _TOKEN.findall(bare)
        end = offset + len(piece)
        asked = lowered[end : end + 1] == "?"
        raw = piece.strip()
        asking = bool(words) and (
            words[0] in vocab.yes_no_leads
            or words[0] in vocab.which_role_leads
            or words[0] in ("who's", "whos")
            or bool(set(words) & _WH_WORDS)
            or asked
            or vocab.asking_padding.at_start(raw) is not None
        )
        is_self = vocab.self_description.at_start(stripped) is not None
        negated = vocab.negation.at_start(stripped) is not None
        clauses.append(_Clause(stripped, offset, end, asking, is_self and not asked, negated))
    return clauses


_WH_WORDS = frozenset(
    {"what", "whats", "what's", "how", "where", "which", "who", "who's", "whos", "why", "when"}
)


def read(
    message: Message,
    store: FactStore,
    vocab: Vocabulary | None = None,
    context: Context | None = None,
) -> Reading:
    """Read a message once into a `Reading`."""
    vocab = vocab or load_vocabulary()
    text = " ".join((message.text or "").replace("\u2019", "'").split())
    lowered = text.lower()
    if lowered.startswith("/"):
        # A button payload ("/ask_question{...}") carries its meaning in entities.
        lowered = ""

    given = _valid_entities(message.entities, len(text), store)
    entities = given + lookups.entities_in(lowered)

    # Other careers first: their words ("product owner") are not our roles.
    # A body's name ("Project Management Institute") is not a career.
    organisation_spans = [
        (int(e["start"]), int(e["end"]))
        for e in entities
        if e.get("entity") == "organisation" and e.get("start") is not None
    ]
    tokens = _tokens(lowered)
    career_spans: list[tuple[int, int]] = []
    careers: list[str] = []
    for entity in sorted(entities, key=lambda e: -(int(e.get("end") or 0) - int(e.get("start") or 0))):
        if entity.get("entity") != "other_career" or entity.get("start") is None:
            continue
        span = (int(entity["start"]), int(entity["end"]))
        if _overlaps(span, career_spans) or _overlaps(span, organisation_spans):
            continue
        span = _with_modifier(span, tokens, vocab)
        career_spans.append(span)
        careers.append(text[span[0] : span[1]].lower())

    # "project manger": a career of the lookup with a misspelt manager word.
    for i, (word, _, end) in enumerate(tokens[1:], start=1):
        before, b_start, _ = tokens[i - 1]
        if (
            is_manager_word(word)
            and before in _career_modifiers()
            and classify_word(before) is None
            and not _overlaps((b_start, end), career_spans)
            and not _overlaps((b_start, end), organisation_spans)
        ):
            career_spans.append((b_start, end))
            careers.append(text[b_start:end].lower())

    # Clauses: what asks, what describes the person ("I have an MBA"), what is excluded.
    clauses = _split(lowered, vocab)
    # A question put after a self-description ("I love talking to customers and
    # figuring out what they want... what does a PM do?") is the asking clause.
    asking = (
        [c for c in clauses if c.asking and not c.negated and not c.self_description]
        or [c for c in clauses if c.asking and not c.negated]
        or [c for c in clauses if not c.self_description and not c.negated]
    )
    if not asking:
        asking = [c for c in clauses if not c.negated] or clauses
    question = asking[0].text if asking else ""
    asking_spans = [(c.start, c.end) for c in asking]
    negated_spans = [(c.start, c.end) for c in clauses if c.negated]

    def clause_of(start: int) -> _Clause | None:
        return next((c for c in clauses if c.start <= start < c.end), None)

    def is_negated(start: int) -> bool:
        return _overlaps((start, start + 1), negated_spans) or _negated(lowered, start, vocab)

    # Roles: entities, then names in the text; negated ones set aside.
    mentions: list[tuple[str, int | None]] = []  # (role, start)
    role_spans: list[tuple[int, int]] = []
    for entity in given:
        if entity.get("entity") != "role":
            continue
        role = normalize_role(str(entity.get("value") or ""))
        e_start, e_end = entity.get("start"), entity.get("end")
        if role is None:
            continue
        if e_start is None or e_end is None:
            mentions.append((role, None))
            continue
        span = (int(e_start), int(e_end))
        if _overlaps(span, career_spans):
            continue
        if role == BOTH and lowered[span[0] : span[1]] in ("each", "either"):
            after = _TOKEN.findall(lowered[span[1] :])[:1]
            if after and after[0] not in ("of", "role", "roles", "one", "job", "jobs", "side"):
                continue  # "each year" is not both roles
        role_spans.append(span)
        mentions.append((role, span[0]))
    masked = lowered
    for s, e in career_spans:
        masked = masked[:s] + " " * (e - s) + masked[e:]
    for role, start, end in role_mentions(masked):
        if not _overlaps((start, end), role_spans):
            role_spans.append((start, end))
            mentions.append((role, start))

    # Roles described by what they do ("the people who plan factory schedules").
    describer_spans: list[tuple[int, int]] = []
    topic_starts = sorted(
        int(e["start"]) for e in entities if e.get("entity") == "topic" and e.get("start") is not None
    )
    describer_matches = list(vocab.describers.finditer(lowered))
    for n, match in enumerate(describer_matches):
        # A description runs to the end of its clause, the next description or a topic word.
        clause = clause_of(match.start())
        limit = clause.end if clause else len(lowered)
        following = [m.start() for m in describer_matches[n + 1 :]]
        limit = min([limit, *following, *[t for t in topic_starts if t >= match.end()]])
        describer_spans.append((match.start(), limit))
    topic_entity_spans = [
        (int(e["start"]), int(e["end"]))
        for e in entities
        if e.get("entity") == "topic" and e.get("start") is not None
    ]
    for start, end in sorted(describer_spans):
        words = [
            t
            for t, s, e in _tokens(lowered[start:end])
            if not _overlaps((s + start, e + start), topic_entity_spans + role_spans)
        ]
        described = role_of_description(store, words, vocab)
        if described:
            mentions.append((described, start))

    for clause in clauses:
        if (
            clause.negated
            and set(_TOKEN.findall(clause.text)) & vocab.person_words
            and not any(clause.start <= (m[1] or -1) < clause.end for m in mentions)
        ):
            # "not the factory guy, ...": a role described, and excluded.
            described = role_of_description(store, _TOKEN.findall(clause.text), vocab)
            if described:
                mentions.append((described, clause.start))

    roles: list[str] = []
    negated_roles: list[str] = []
    both = False
    described_role = None
    for role, at in sorted(mentions, key=lambda m: m[1] if m[1] is not None else -1):
        if at is not None and is_negated(at):
            if role != BOTH and role not in negated_roles:
                negated_roles.append(role)
            continue
        if at is not None and asking_spans and not _overlaps((at, at + 1), asking_spans):
            # A role named only in a self-description ("I'm a product manager") is kept
            # only when no asking clause names one.
            continue
        if role == BOTH:
            both = True
        elif role not in roles:
            roles.append(role)
    if not roles and not both:
        for role, at in mentions:
            if at is not None and not is_negated(at) and role != BOTH and role not in roles:
                roles.append(role)
    described_role = next(
        (r for r, s in mentions if s is not None and _overlaps((s, s + 1), describer_spans)), None
    )

    if not mentions and not careers:
        # "what's the pay like for a dental hygienist?": a career we have no list entry for.
        unknown = _unknown_career(tokens, vocab)
        if unknown:
            careers.append(text[unknown[0] : unknown[1]].lower())
            career_spans.append(unknown)

    asking_text = " ".join(c.text for c in asking)
    if vocab.both_roles.anywhere(asking_text):
        both = True
    other_role = vocab.other_role.anywhere(lowered)

    # Topics and organisations from the lookup entities, in order of mention.
    topics: list[str] = []
    negated_topics: list[str] = []
    organisations: list[str] = []
    organisation_mentions = 0
    pending: list[str] = []  # topics named outside the asking clauses
    pending_self: list[str] = []  # ... in a clause about the person ("I want the higher salary")
    self_spans = [(c.start, c.end) for c in clauses if c.self_description]
    seen_spans: list[tuple[int, int]] = []
    source_spans = [match.span() for match in vocab.source_words.finditer(lowered)]
    for entity in sorted(entities, key=lambda e: int(e.get("start") or 0)):
        kind = entity.get("entity")
        value = str(entity.get("value") or "")
        if kind not in ("topic", "organisation"):
            continue
        e_start, e_end = entity.get("start"), entity.get("end")
        if e_start is None or e_end is None:
            # A button payload's entity: no place in the text.
            target = topics if kind == "topic" else organisations
            if value not in target:
                target.append(value)
            continue
        span = (int(e_start), int(e_end))
        if span in seen_spans or _overlaps(span, career_spans):
            continue
        seen_spans.append(span)
        if kind == "organisation":
            if not is_negated(span[0]):
                organisation_mentions += 1
                if value not in organisations:
                    organisations.append(value)
            continue
        if value not in store.topic_labels or _overlaps(span, describer_spans + source_spans):
            continue  # "based" in "what is that based on?" asks for the source, not where they work
        if is_negated(span[0]):
            if value not in negated_topics:
                negated_topics.append(value)
        elif (
            value == "salary"
            and lowered[span[0] : span[1]] in vocab.credential_verbs
            and any(t in ("certifications", "education") for t in topics + pending)
        ):
            continue
        elif _overlaps(span, asking_spans):
            if value not in topics:
                topics.append(value)
        elif _overlaps(span, self_spans):
            if value not in pending_self:
                pending_self.append(value)
        elif value not in pending:
            pending.append(value)
    for clause in asking:
        for topic, patterns in vocab.frames.items():
            if topic not in topics and any(p.search(clause.text) for p in patterns):
                topics.append(topic)
    if not topics:
        # "salary check: prodct manger, ballpark figure?": the topic is outside the asking clause.
        topics = pending or pending_self
    else:
        # "salary, certifications, and do they travel?": a clause that only lists topics joins in.
        for clause in clauses:
            if clause in asking or clause.negated or clause.self_description:
                continue
            listed = [
                str(e["value"])
                for e in entities
                if e.get("entity") == "topic"
                and e.get("start") is not None
                and clause.start <= int(e["start"]) < clause.end
                and str(e["value"]) in store.topic_labels
            ]
            leftover = _TOKEN.findall(lookups.load("topic").pattern.sub(" ", clause.text))
            if listed and all(w in vocab.stopwords or classify_word(w) for w in leftover):
                topics += [t for t in listed if t not in topics and t not in negated_topics]
    topics = [t for t in topics if t not in negated_topics]

    parts: list[Part] = []
    excluded_for_parts = career_spans + role_spans + describer_spans + negated_spans
    topic_starts_in_topics = [
        int(e["start"])
        for e in entities
        if e.get("entity") == "topic" and e.get("start") is not None and str(e.get("value")) in topics
    ]
    part_clauses = [
        c
        for c in clauses
        if c in asking
        or (
            not c.negated
            and not c.self_description
            and any(c.start <= t < c.end for t in topic_starts_in_topics)
        )
    ]
    for clause in part_clauses:
        part_roles = tuple(
            dict.fromkeys(
                r
                for r, st in mentions
                if st is not None and clause.start <= st < clause.end and r != BOTH and r not in negated_roles
            )
        )
        part_topics = [
            str(e.get("value"))
            for e in sorted(entities, key=lambda e: int(e.get("start") or 0))
            if e.get("entity") == "topic"
            and e.get("start") is not None
            and clause.start <= int(e["start"]) < clause.end
            and str(e.get("value")) in topics
        ]
        part_topics += [
            t for t, ps in vocab.frames.items() if t in topics and any(p.search(clause.text) for p in ps)
        ]
        clause_words = [
            t
            for t, st, en in _tokens(lowered)
            if clause.start <= st < clause.end and not _overlaps((st, en), excluded_for_parts)
        ]
        part_claims = tuple(
            m.claim
            for m in match_claims(store, clause_words, vocab)
            if m.specific and m.score >= _STRONG / 2 and m.claim.owner != "comparison"
        )
        if not part_topics and part_claims:
            part_topics = [part_claims[0].topic]
        if part_topics:
            part_claims = tuple(c for c in part_claims if c.topic in part_topics)
            parts.append(
                Part(
                    part_roles,
                    tuple(dict.fromkeys(part_topics)),
                    part_claims[:2],
                    _form(clause.text, (), vocab),
                )
            )

    # Content words of the asking clauses, for claims.
    excluded = career_spans + role_spans + describer_spans + negated_spans
    words = [
        t
        for t, s, e in _tokens(lowered)
        if _overlaps((s, e), asking_spans) and not _overlaps((s, e), excluded)
    ]
    negated_words = {t for t, s, e in _tokens(lowered) if _overlaps((s, e), negated_spans)}
    claims = match_claims(store, words, vocab)
    if negated_words:
        negated_claims = {m.claim.id for m in match_claims(store, negated_words, vocab) if m.specific}
        claims = tuple(m for m in claims if m.claim.id not in negated_claims)
    claims = tuple(m for m in claims if m.claim.topic not in negated_topics)
    if not roles and not both and not described_role and topics:
        # "what's the pay for the run-the-plant type?": the words may describe one role.
        described_role = role_of_description(store, words, vocab, margin=_STRONG / 2, min_words=2)

    uncovered = store.uncovered_topic(asking_text)
    if uncovered is None and "salary" in topics and _PLACE.search(text):
        # "how much do they make in London?": the article gives no pay by place.
        uncovered = next((u for u in store.uncovered if u.key == "pay_by_place"), None)

    period = next(
        (p for p, names in vocab.periods.items() if any(_has_phrase(asking_text, n) for n in names)), None
    )
    question_words = set(_TOKEN.findall(asking_text))
    reading_form = _form(question, topics, vocab)
    if reading_form != PROFILE and vocab.profile.anywhere(lowered):
        reading_form = PROFILE
    content = bool(
        roles
        or described_role
        or topics
        or organisations
        or any(m.specific and (reading_form in (WHICH_ROLE, YES_NO) or m.score >= _STRONG) for m in claims)
        or uncovered
        or both
        or other_role
        or period
        or careers
        or vocab.fit.anywhere(lowered)
        or vocab.profile.anywhere(lowered)
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
        asked_careers=tuple(
            c for c, span in zip(careers, career_spans, strict=True) if not _overlaps(span, self_spans)
        ),
        uncovered=uncovered.key if uncovered else None,
        period=period,
        pay_factors=bool(question_words & vocab.pay_factors),
        comparative=bool(question_words & vocab.comparative),
        higher_pay=bool(question_words & vocab.higher_pay),
        lower_pay=bool(question_words & vocab.lower_pay),
        same=bool(question_words & vocab.pay_same),
        negative=reading_form == WHICH_ROLE and vocab.negative_question.anywhere(question),
        requirement=vocab.requirement.anywhere(asking_text),
        content=content,
        words=frozenset(_TOKEN.findall(lowered)),
        parts=tuple(parts),
        source=vocab.source_words.anywhere(lowered),
        fit=vocab.fit.anywhere(lowered),
        # The fit phrase's own words ("can't decide") describe no role.
        fit_role=role_of_description(
            store,
            _TOKEN.findall(vocab.fit.anywhere_pattern.sub(" ", _unnegated(lowered, negated_spans))),
            vocab,
        )
        if vocab.fit.anywhere(lowered)
        else None,
        amount=_amount(asking_text, vocab),
        about_person=tuple(c.text for c in clauses if c.self_description),
        asks=any(c.asking for c in clauses),
        feedback=_feedback(lowered, vocab),
        correction=any(not c.asking and vocab.feedback_negative.anywhere(c.text) for c in clauses),
    )


def _feedback(lowered: str, vocab: Vocabulary) -> str | None:
    # Negative first: "not helpful" holds "helpful".
    if vocab.feedback_negative.anywhere(lowered):
        return feedback.NEGATIVE
    if vocab.feedback_positive.anywhere(lowered):
        return feedback.POSITIVE
    return None
