"""The stored events of each conversation as exchanges: a user message and the bot's replies.

What a reply was (an answer, a clarification, a fallback, ...) is the bot side's
BotUttered metadata "answer" (docs/review.md); what feedback a person gave is
the `feedback` slot its action sets in that turn. Both are read here and nowhere else.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from review.store import StoredEvent

FALLBACK_INTENT = "nlu_fallback"
FEEDBACK_SLOT = "feedback"
NEGATIVE = "negative"
POSITIVE = "positive"
NEGATIVE_INTENT = "feedback_negative"
POSITIVE_INTENT = "feedback_positive"
# Kinds of a bot message without "answer" metadata (the contract's rule).
ADVISOR = "advisor"
OTHER = "other"
ADVISOR_QUESTION_PREFIX = "utter_ask_fit"
# Rasa's own fallback response (action_default_fallback), sent when the dialogue policy gives up.
RASA_FALLBACK_RESPONSE = "utter_default"


def hashed(sender_id: str) -> str:
    """The conversation's id in the report: a stable pseudonym, not the channel's user id."""
    return hashlib.sha256(sender_id.encode("utf-8")).hexdigest()[:10]


def day_of(timestamp: float) -> date:
    return datetime.fromtimestamp(timestamp, timezone.utc).date()


@dataclass(frozen=True)
class Reply:
    """A bot message."""

    text: str
    kind: str
    timestamp: float
    rule: str | None = None
    uncovered: str | None = None
    other_careers: tuple[str, ...] = ()
    utter_action: str | None = None


@dataclass(frozen=True)
class Feedback:
    """The `feedback` slot: a person's rating of the bot message before their own."""

    rating: str
    timestamp: float
    answer_at: float | None = None
    answer: str | None = None
    question: str | None = None


@dataclass
class Exchange:
    """A user message, what NLU made of it, and the bot messages up to the next user message."""

    sender_id: str
    timestamp: float
    text: str
    intent: str | None
    confidence: float | None
    # (intent, confidence), best first, as NLU ranked them (nlu_fallback included).
    ranking: tuple[tuple[str, float], ...] = ()
    replies: list[Reply] = field(default_factory=list)
    feedback: Feedback | None = None
    # The bot message this one followed (None at the start of a conversation or window).
    previous_bot: str | None = None
    previous_user: str | None = None

    @property
    def kinds(self) -> list[str]:
        return [reply.kind for reply in self.replies]

    @property
    def answer(self) -> str:
        """The bot's replies to this message, one paragraph each."""
        return "\n".join(reply.text for reply in self.replies if reply.text)

    @property
    def top_intent(self) -> tuple[str | None, float | None]:
        """The best intent other than nlu_fallback, and its confidence: what NLU would have said."""
        for name, confidence in self.ranking:
            if name != FALLBACK_INTENT:
                return name, confidence
        if self.intent == FALLBACK_INTENT:
            return None, None
        return self.intent, self.confidence

    @property
    def is_button(self) -> bool:
        return self.text.startswith("/")


@dataclass
class Conversation:
    sender_id: str
    exchanges: list[Exchange] = field(default_factory=list)

    @property
    def pseudonym(self) -> str:
        return hashed(self.sender_id)


def reply_of(event: StoredEvent) -> Reply:
    data = event.data
    metadata = data.get("metadata") or {}
    answer = metadata.get("answer") if isinstance(metadata, dict) else None
    utter_action = metadata.get("utter_action") if isinstance(metadata, dict) else None
    text = data.get("text") or ""
    if isinstance(answer, dict) and answer.get("kind"):
        careers = answer.get("other_careers") or []
        return Reply(
            text=text,
            kind=str(answer["kind"]),
            timestamp=event.timestamp,
            rule=answer.get("rule"),
            uncovered=answer.get("uncovered"),
            other_careers=tuple(str(c) for c in careers if c),
            utter_action=utter_action,
        )
    if isinstance(utter_action, str) and utter_action.startswith(ADVISOR_QUESTION_PREFIX):
        kind = ADVISOR
    elif utter_action == RASA_FALLBACK_RESPONSE:
        # Not one of the assistant's messages, but to the person it is the same "didn't catch that".
        kind = "fallback"
    else:
        kind = OTHER
    return Reply(text=text, kind=kind, timestamp=event.timestamp, utter_action=utter_action)


def exchange_of(event: StoredEvent) -> Exchange:
    data = event.data
    parse_data = data.get("parse_data") or {}
    intent = parse_data.get("intent") or {}
    ranking = tuple(
        (str(item["name"]), float(item.get("confidence") or 0.0))
        for item in parse_data.get("intent_ranking") or []
        if isinstance(item, dict) and item.get("name")
    )
    confidence = intent.get("confidence")
    return Exchange(
        sender_id=event.sender_id,
        timestamp=event.timestamp,
        text=data.get("text") or "",
        intent=intent.get("name"),
        confidence=float(confidence) if confidence is not None else None,
        ranking=ranking,
    )


def feedback_of(event: StoredEvent) -> Feedback | None:
    value = event.data.get("value")
    if event.data.get("name") != FEEDBACK_SLOT or not isinstance(value, dict):
        return None
    rating = value.get("rating")
    if rating not in (NEGATIVE, POSITIVE):
        return None
    answer_at = value.get("answer_at")
    return Feedback(
        rating=rating,
        timestamp=event.timestamp,
        answer_at=float(answer_at) if isinstance(answer_at, (int, float)) else None,
        answer=value.get("answer"),
        question=value.get("question"),
    )


def conversations(events: Iterable[StoredEvent]) -> list[Conversation]:
    """The events grouped by conversation, each in stored order; conversations by first message."""
    by_sender: dict[str, Conversation] = {}
    last_bot: dict[str, str] = {}
    for event in events:
        conversation = by_sender.get(event.sender_id)
        if conversation is None:
            conversation = by_sender[event.sender_id] = Conversation(event.sender_id)
        current = conversation.exchanges[-1] if conversation.exchanges else None
        if event.type_name == "user":
            exchange = exchange_of(event)
            exchange.previous_bot = last_bot.get(event.sender_id)
            exchange.previous_user = current.text if current else None
            conversation.exchanges.append(exchange)
        elif event.type_name == "bot":
            reply = reply_of(event)
            if reply.text:
                last_bot[event.sender_id] = reply.text
            if current is not None:
                current.replies.append(reply)
        elif event.type_name == "slot" and current is not None:
            feedback = feedback_of(event)
            if feedback is not None:
                current.feedback = feedback
    return [conversation for conversation in by_sender.values() if conversation.exchanges]


def feedback_rating(exchange: Exchange) -> str | None:
    """The feedback this message gave: the slot when set, else the NLU intent."""
    if exchange.feedback is not None:
        return exchange.feedback.rating
    if exchange.intent == NEGATIVE_INTENT:
        return NEGATIVE
    if exchange.intent == POSITIVE_INTENT:
        return POSITIVE
    return None
