"""What the review reports, as plain functions over the exchanges of review/conversations.py.

- `findings`: the messages to look at, by what happened to them (GROUPS);
- `near_duplicates`: those of one group that say the same thing, grouped with a count;
- `uncovered_topics`, `other_careers`: what people asked that the article does not cover;
- `per_day`: the counts of each day of the window.

Near-duplicates are decided word by word, not by a character similarity score:
"product manager salary" and "production manager salary" are nearly the same
string (to rapidfuzz's or difflib's ratio) and are the two questions this
assistant exists to tell apart. Two messages are near-duplicates when, case and punctuation
aside and a few filler words dropped, their words are the same up to typos
(evaluation/overlap.py's rule: words of four letters or more, one edit apart).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from evaluation.overlap import same_token, tokens
from review.conversations import (
    FALLBACK_INTENT,
    NEGATIVE,
    Conversation,
    Exchange,
    day_of,
    feedback_rating,
)

BELOW_THRESHOLD = "below_threshold"
FALLBACK = "fallback"
OUT_OF_SCOPE = "out_of_scope"
UNCOVERED = "uncovered"
NEGATIVE_FEEDBACK = "negative_feedback"
ABANDONED_CLARIFICATION = "abandoned_clarification"
# The groups in the order the report shows them, with their headings.
GROUPS: dict[str, str] = {
    BELOW_THRESHOLD: "Below the confidence threshold",
    FALLBACK: "Fallback (nothing recognised)",
    OUT_OF_SCOPE: "Out of scope",
    UNCOVERED: "The article doesn't say",
    NEGATIVE_FEEDBACK: "Negative feedback",
    ABANDONED_CLARIFICATION: "Clarification abandoned",
}
# Reply kinds of the storage contract (docs/review.md).
KIND_CLARIFY = "clarify"
KIND_FALLBACK = "fallback"
KIND_OUT_OF_SCOPE = "out_of_scope"
KIND_UNCOVERED = "uncovered"
# Words that change nothing of what a message asks.
FILLER_WORDS = frozenset(
    "a an the please pls plz hey hi hello so um uh ok okay well just like then and".split()
    + "can could you tell me".split()
)
DEFAULT_THRESHOLD = 0.3  # Rasa's own FallbackClassifier default


def fallback_threshold(config_path: Path) -> float:
    """The FallbackClassifier's threshold in config.yml: below it NLU says nlu_fallback."""
    config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    for component in config.get("pipeline") or []:
        if isinstance(component, dict) and component.get("name") == "FallbackClassifier":
            return float(component.get("threshold", DEFAULT_THRESHOLD))
    return DEFAULT_THRESHOLD


def topic_labels(facts_path: Path) -> dict[str, str]:
    """facts/facts.yml's uncovered topics: key -> the label a content owner reads."""
    facts = yaml.safe_load(facts_path.read_text(encoding="utf-8")) or {}
    topics = facts.get("uncovered_topics") or {}
    return {str(key): str((value or {}).get("label") or key) for key, value in topics.items()}


def normalise(text: str) -> str:
    """Lower-case words, punctuation and extra spaces dropped; the text itself when it has no words."""
    words = tokens(text)
    return " ".join(words) if words else text.strip().lower()


def content_words(text: str) -> tuple[str, ...]:
    words = tokens(text)
    content = tuple(word for word in words if word not in FILLER_WORDS)
    return content or tuple(words) or (text.strip().lower(),)


def same_words(a: Sequence[str], b: Sequence[str]) -> bool:
    return len(a) == len(b) and all(same_token(x, y) for x, y in zip(a, b, strict=True))


@dataclass(frozen=True)
class Finding:
    """A message to look at and why. For negative feedback, `about` is the message whose answer missed."""

    group: str
    exchange: Exchange
    about: Exchange | None = None

    @property
    def message(self) -> Exchange:
        """The message to label: the question, for feedback on its answer."""
        return self.about or self.exchange

    @property
    def question(self) -> str:
        if self.about is not None:
            return self.about.text
        feedback = self.exchange.feedback
        if self.group == NEGATIVE_FEEDBACK and feedback and feedback.question:
            return feedback.question
        return self.exchange.text

    @property
    def answer(self) -> str:
        """The answer the finding is about: for feedback, the one rated, else the reply to this message."""
        if self.group == NEGATIVE_FEEDBACK:
            feedback = self.exchange.feedback
            if feedback and feedback.answer:
                return feedback.answer
            if self.about is not None:
                return self.about.answer
            return self.exchange.previous_bot or ""
        return self.exchange.answer


@dataclass
class DuplicateGroup:
    """Findings of one group whose messages say the same thing; the first stands for them."""

    findings: list[Finding] = field(default_factory=list)

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def count(self) -> int:
        return len(self.findings)

    @property
    def variants(self) -> list[str]:
        """The other wordings, each once."""
        seen = {normalise(self.first.question)}
        found = []
        for finding in self.findings[1:]:
            key = normalise(finding.question)
            if key not in seen:
                seen.add(key)
                found.append(finding.question)
        return found

    @property
    def conversations(self) -> int:
        return len({finding.exchange.sender_id for finding in self.findings})


def is_below_threshold(exchange: Exchange, threshold: float) -> bool:
    if exchange.is_button:
        return False
    if exchange.intent == FALLBACK_INTENT:
        return True
    return exchange.confidence is not None and exchange.confidence < threshold


def is_abandoned_clarification(exchanges: Sequence[Exchange], index: int) -> bool:
    """A clarifying question that got no answer: no further message, or one that went astray too."""
    if KIND_CLARIFY not in exchanges[index].kinds:
        return False
    if index + 1 == len(exchanges):
        return True
    following = exchanges[index + 1].kinds
    return KIND_CLARIFY in following or KIND_FALLBACK in following


def rated_exchange(exchanges: Sequence[Exchange], index: int) -> Exchange | None:
    """The message whose answer the feedback at `index` rates: the one answered at `answer_at`,
    else the one before it."""
    feedback = exchanges[index].feedback
    if feedback is not None and feedback.answer_at is not None:
        for earlier in reversed(exchanges[:index]):
            if any(abs(reply.timestamp - feedback.answer_at) < 1e-6 for reply in earlier.replies):
                return earlier
    return exchanges[index - 1] if index > 0 else None


def findings(conversations: Iterable[Conversation], threshold: float) -> list[Finding]:
    """Every message to look at, in the order of GROUPS, then of the conversations."""
    found: dict[str, list[Finding]] = {group: [] for group in GROUPS}
    for conversation in conversations:
        exchanges = conversation.exchanges
        for index, exchange in enumerate(exchanges):
            kinds = exchange.kinds
            if is_below_threshold(exchange, threshold):
                found[BELOW_THRESHOLD].append(Finding(BELOW_THRESHOLD, exchange))
            if KIND_FALLBACK in kinds:
                found[FALLBACK].append(Finding(FALLBACK, exchange))
            if KIND_OUT_OF_SCOPE in kinds:
                found[OUT_OF_SCOPE].append(Finding(OUT_OF_SCOPE, exchange))
            if KIND_UNCOVERED in kinds:
                found[UNCOVERED].append(Finding(UNCOVERED, exchange))
            if feedback_rating(exchange) == NEGATIVE:
                about = rated_exchange(exchanges, index)
                found[NEGATIVE_FEEDBACK].append(Finding(NEGATIVE_FEEDBACK, exchange, about))
            if is_abandoned_clarification(exchanges, index):
                found[ABANDONED_CLARIFICATION].append(Finding(ABANDONED_CLARIFICATION, exchange))
    return [finding for group in GROUPS for finding in found[group]]


def by_group(all_findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = {group: [] for group in GROUPS}
    for finding in all_findings:
        grouped[finding.group].append(finding)
    return grouped


def near_duplicates(group_findings: Iterable[Finding]) -> list[DuplicateGroup]:
    """The findings grouped by what their messages say, most frequent first."""
    groups: list[tuple[tuple[str, ...], DuplicateGroup]] = []
    exact: dict[tuple[str, ...], DuplicateGroup] = {}
    for finding in group_findings:
        words = content_words(finding.question)
        group = exact.get(words)
        if group is None:
            group = next((g for key, g in groups if same_words(key, words)), None)
        if group is None:
            group = DuplicateGroup()
            groups.append((words, group))
        exact[words] = group
        group.findings.append(finding)
    ordered = [group for _, group in groups]
    # Stable: equal counts keep the order they were first seen in.
    return sorted(ordered, key=lambda group: -group.count)


@dataclass(frozen=True)
class TopicCount:
    key: str
    label: str
    count: int
    examples: tuple[str, ...]


def uncovered_topics(
    conversations: Iterable[Conversation], labels: dict[str, str], examples: int = 3
) -> list[TopicCount]:
    """Each topic the article does not cover that people asked about, how often, and some of the questions."""
    counts: Counter[str] = Counter()
    questions: dict[str, list[str]] = {}
    for conversation in conversations:
        for exchange in conversation.exchanges:
            keys = {reply.uncovered for reply in exchange.replies if reply.kind == KIND_UNCOVERED}
            for key in sorted(k or "" for k in keys):
                counts[key] += 1
                seen = questions.setdefault(key, [])
                if len(seen) < examples and normalise(exchange.text) not in map(normalise, seen):
                    seen.append(exchange.text)
    return [
        TopicCount(key, labels.get(key, key or "(no topic given)"), count, tuple(questions[key]))
        for key, count in counts.most_common()
    ]


def other_careers(conversations: Iterable[Conversation]) -> list[tuple[str, int]]:
    """Careers other than the two that messages named, with how many messages named each."""
    counts: Counter[str] = Counter()
    for conversation in conversations:
        for exchange in conversation.exchanges:
            named = {career.lower() for reply in exchange.replies for career in reply.other_careers}
            counts.update(named)
    return counts.most_common()


@dataclass
class DayCounts:
    day: date
    conversations: int = 0
    messages: int = 0
    fallbacks: int = 0
    clarifications: int = 0
    out_of_scope: int = 0
    negative_feedback: int = 0

    @property
    def fallback_rate(self) -> float:
        return self.fallbacks / self.messages if self.messages else 0.0

    @property
    def negative_feedback_rate(self) -> float:
        return self.negative_feedback / self.messages if self.messages else 0.0


def per_day(conversations: Iterable[Conversation]) -> list[DayCounts]:
    """The counts of each day (UTC) that has a message, in date order."""
    days: dict[date, DayCounts] = {}
    senders: dict[date, set[str]] = {}
    for conversation in conversations:
        for exchange in conversation.exchanges:
            day = day_of(exchange.timestamp)
            counts = days.setdefault(day, DayCounts(day))
            senders.setdefault(day, set()).add(conversation.sender_id)
            counts.messages += 1
            kinds = exchange.kinds
            counts.fallbacks += KIND_FALLBACK in kinds
            counts.clarifications += KIND_CLARIFY in kinds
            counts.out_of_scope += KIND_OUT_OF_SCOPE in kinds
            counts.negative_feedback += feedback_rating(exchange) == NEGATIVE
    for day, counts in days.items():
        counts.conversations = len(senders[day])
    return [days[day] for day in sorted(days)]


def totals(days: Iterable[DayCounts]) -> dict[str, Any]:
    """The window's messages and counts of each kind (not conversations: one can span days)."""
    result: Counter[str] = Counter()
    for counts in days:
        for name in ("messages", "fallbacks", "clarifications", "out_of_scope", "negative_feedback"):
            result[name] += getattr(counts, name)
    return dict(result)
