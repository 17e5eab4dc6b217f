"""review/findings.py: the groups, near-duplicates, uncovered topics and the counts per day."""

from __future__ import annotations

from pathlib import Path

from review import findings, store
from review.conversations import Conversation, conversations
from review.findings import (
    ABANDONED_CLARIFICATION,
    BELOW_THRESHOLD,
    FALLBACK,
    NEGATIVE_FEEDBACK,
    OUT_OF_SCOPE,
    UNCOVERED,
)
from tests.unit.review.conftest import HOUR, Talk, save

ROOT = Path(__file__).resolve().parents[3]
FALLBACK_RANKING = [{"name": "nlu_fallback", "confidence": 0.4}, {"name": "ask_question", "confidence": 0.3}]


def read(database: Path, talks: list[Talk]) -> list[Conversation]:
    save(database, talks)
    return conversations(store.read_events(f"sqlite:///{database}"))


def week(now: float) -> list[Talk]:
    return [
        Talk("a", now - 2 * 24 * HOUR)
        .user("asdfgh", "nlu_fallback", 0.4, FALLBACK_RANKING)
        .bot("Sorry, I didn't catch that.", "fallback")
        .user("how much do they earn?", "ask_question", 0.35)
        .bot("Which role?", "clarify"),
        Talk("b", now - HOUR)
        .user("how much do they earn?")
        .bot("Product managers earn about $100k.")
        .user("that's not what I asked", "feedback_negative", 0.9)
        .feedback("negative")
        .bot("Sorry that didn't help. What were you looking for?", "feedback")
        .user("what is the job outlook for production managers?")
        .bot("The article doesn't say anything about job outlook.", "uncovered", uncovered="job_outlook")
        .user("What is the JOB outlook, for production managers")
        .bot("The article doesn't say anything about job outlook.", "uncovered", uncovered="job_outlook")
        .user("how do I become a nurse?", "out_of_scope", 0.8)
        .bot("I only cover product and production managers.", "out_of_scope", careers=("nurse",))
        .user("salary?")
        .bot("Which role?", "clarify")
        .user("qwerty", "nlu_fallback", 0.4, FALLBACK_RANKING)
        .bot("Sorry, I didn't catch that.", "fallback")
        .user("/feedback_negative", "feedback_negative", 1.0),
    ]


def test_each_message_is_in_the_group_of_what_happened(database: Path, now: float) -> None:
    found = findings.by_group(findings.findings(read(database, week(now)), threshold=0.4))
    texts = {group: [f.exchange.text for f in items] for group, items in found.items()}
    assert texts[BELOW_THRESHOLD] == ["asdfgh", "how much do they earn?", "qwerty"]
    assert texts[FALLBACK] == ["asdfgh", "qwerty"]
    assert texts[OUT_OF_SCOPE] == ["how do I become a nurse?"]
    assert texts[UNCOVERED] == [
        "what is the job outlook for production managers?",
        "What is the JOB outlook, for production managers",
    ]
    assert texts[NEGATIVE_FEEDBACK] == ["that's not what I asked", "/feedback_negative"]
    # a's clarification ends the conversation; b's got a fallback next.
    assert texts[ABANDONED_CLARIFICATION] == ["how much do they earn?", "salary?"]


def test_negative_feedback_names_the_question_and_the_answer(database: Path, now: float) -> None:
    found = findings.by_group(findings.findings(read(database, week(now)), threshold=0.4))[NEGATIVE_FEEDBACK]
    assert found[0].question == "how much do they earn?"
    assert found[0].answer == "Product managers earn about $100k."
    assert found[0].message.text == "how much do they earn?"
    # Without the slot: the message before, and the bot message the feedback followed.
    assert found[1].question == "qwerty"
    assert found[1].answer == "Sorry, I didn't catch that."


def test_near_duplicates_are_one_group_with_a_count(database: Path, now: float) -> None:
    found = findings.by_group(findings.findings(read(database, week(now)), threshold=0.4))[UNCOVERED]
    groups = findings.near_duplicates(found)
    assert [g.count for g in groups] == [2]
    # Case and punctuation aside the same words: no other wording to show.
    assert groups[0].variants == []
    assert groups[0].conversations == 1


def test_near_duplicates_tell_product_from_production(now: float, database: Path) -> None:
    talk = Talk("a", now)
    for text in (
        "product manager salary",
        "Product manager salary?",
        "prodct manager salary",
        "product managers salary",
        "production manager salary",
        "please, the production manager salary",
        "product manager skills",
    ):
        talk.user(text).bot("The article doesn't say.", "uncovered", uncovered="x")
    found = findings.findings(read(database, [talk]), threshold=0.4)
    groups = findings.near_duplicates(found)
    assert [(g.first.question, g.count) for g in groups] == [
        ("product manager salary", 4),
        ("production manager salary", 2),
        ("product manager skills", 1),
    ]
    assert groups[0].variants == ["prodct manager salary", "product managers salary"]


def test_buttons_are_never_below_the_threshold(database: Path, now: float) -> None:
    talk = Talk("a", now).user("/ask_question", "ask_question", 0.1).user("hmm", "greet", 0.2)
    found = findings.findings(read(database, [talk]), threshold=0.4)
    assert [f.exchange.text for f in found] == ["hmm"]


def test_uncovered_topics_have_the_facts_label_and_a_count(database: Path, now: float) -> None:
    read_back = read(database, week(now))
    labels = findings.topic_labels(ROOT / "facts" / "facts.yml")
    topics = findings.uncovered_topics(read_back, labels)
    assert [(t.key, t.label, t.count) for t in topics] == [("job_outlook", "job outlook and demand", 2)]
    assert topics[0].examples == ("what is the job outlook for production managers?",)
    assert findings.other_careers(read_back) == [("nurse", 1)]


def test_counts_per_day(database: Path, now: float) -> None:
    # Noon UTC: no conversation of the week crosses midnight, whenever the test runs.
    noon = now - now % (24 * HOUR) + 12 * HOUR
    days = findings.per_day(read(database, week(noon)))
    assert len(days) == 2
    first, last = days
    assert (first.conversations, first.messages, first.fallbacks, first.clarifications) == (1, 2, 1, 1)
    assert (last.conversations, last.messages, last.fallbacks, last.out_of_scope, last.negative_feedback) == (
        1,
        8,
        1,
        1,
        2,
    )
    assert last.fallback_rate == 1 / 8 and last.negative_feedback_rate == 2 / 8
    assert findings.totals(days)["messages"] == 10


def test_the_threshold_is_config_ymls() -> None:
    assert findings.fallback_threshold(ROOT / "config.yml") == 0.4
