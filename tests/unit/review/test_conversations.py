"""review/conversations.py: stored events as exchanges, replies with their kind, feedback."""

from __future__ import annotations

from pathlib import Path

from rasa.shared.core.events import BotUttered

from review import store
from review.conversations import Conversation, conversations, feedback_rating, hashed
from tests.unit.review.conftest import HOUR, Talk, save


def read(database: Path, talks: list[Talk]) -> dict[str, Conversation]:
    save(database, talks)
    return {c.sender_id: c for c in conversations(store.read_events(f"sqlite:///{database}"))}


def test_a_user_message_and_the_bot_messages_after_it_are_one_exchange(database: Path, now: float) -> None:
    talk = (
        Talk("a", now - HOUR)
        .user("hi", "greet", 0.99)
        .bot("Hello!", "small_talk")
        .user("how much do they earn?", "ask_question", 0.8)
        .bot("Which role?", "clarify")
        .user("/inform", "ask_question", 1.0)
        .bot("About $100k.")
        .bot("Anything else?", "answer")
    )
    exchanges = read(database, [talk])["a"].exchanges
    assert [e.text for e in exchanges] == ["hi", "how much do they earn?", "/inform"]
    assert [e.kinds for e in exchanges] == [["small_talk"], ["clarify"], ["answer", "answer"]]
    assert exchanges[2].answer == "About $100k.\nAnything else?"
    assert exchanges[2].is_button and not exchanges[1].is_button
    # The context: the bot and user messages before.
    assert exchanges[1].previous_bot == "Hello!" and exchanges[1].previous_user == "hi"
    assert exchanges[0].previous_bot is None and exchanges[0].previous_user is None
    assert (exchanges[1].intent, exchanges[1].confidence) == ("ask_question", 0.8)


def test_the_top_intent_of_a_fallback_is_the_best_under_it(database: Path, now: float) -> None:
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "ask_question", "confidence": 0.31},
        {"name": "greet", "confidence": 0.2},
    ]
    talk = Talk("a", now).user("prodution mgr money", "nlu_fallback", 0.4, ranking).bot("Sorry?", "fallback")
    exchange = read(database, [talk])["a"].exchanges[0]
    assert exchange.intent == "nlu_fallback"
    assert exchange.top_intent == ("ask_question", 0.31)


def test_uncovered_topic_and_other_careers_come_from_the_metadata(database: Path, now: float) -> None:
    talk = (
        Talk("a", now)
        .user("job outlook?")
        .bot("The article doesn't say anything about job outlook.", "uncovered", uncovered="job_outlook")
        .user("what about nurses?", "out_of_scope", 0.9)
        .bot("I only cover ...", "out_of_scope", careers=("nurse",))
    )
    first, second = read(database, [talk])["a"].exchanges
    assert first.replies[0].uncovered == "job_outlook"
    assert second.replies[0].other_careers == ("nurse",)


def test_a_bot_message_without_answer_metadata(database: Path, now: float) -> None:
    talk = Talk("a", now).user("help me choose", "request_career_fit")
    talk.events.append(BotUttered("Do you like products?", metadata={"utter_action": "utter_ask_fit_likes"}))
    talk.user("xyz", "nlu_fallback", 0.4)
    talk.events.append(BotUttered("Sorry, I didn't get that.", metadata={"utter_action": "utter_default"}))
    talk.user("ok", "greet")
    talk.events.append(BotUttered("Hm.", metadata={}))
    exchanges = read(database, [talk])["a"].exchanges
    assert [e.kinds for e in exchanges] == [["advisor"], ["fallback"], ["other"]]


def test_feedback_is_the_slot_and_else_the_intent(database: Path, now: float) -> None:
    talk = (
        Talk("a", now)
        .user("how much do they earn?")
        .bot("Product managers earn about $100k.")
        .user("that's not what I asked", "feedback_negative", 0.95)
        .feedback("negative")
        .bot("Sorry that didn't help. What were you looking for?", "feedback")
        .user("👎", "thank", 0.5)
        .feedback("negative")
        .user("thanks, that helped", "feedback_positive", 0.9)
    )
    exchanges = read(database, [talk])["a"].exchanges
    assert exchanges[1].feedback is not None
    assert exchanges[1].feedback.answer == "Product managers earn about $100k."
    assert exchanges[1].feedback.question == "how much do they earn?"
    assert [feedback_rating(e) for e in exchanges] == [None, "negative", "negative", "positive"]


def test_conversations_are_kept_apart_and_the_pseudonym_is_a_hash(database: Path, now: float) -> None:
    found = read(
        database, [Talk("alice@example.com", now).user("hi", "greet"), Talk("b", now).user("yo", "greet")]
    )
    assert set(found) == {"alice@example.com", "b"}
    pseudonym = found["alice@example.com"].pseudonym
    assert pseudonym == hashed("alice@example.com") and len(pseudonym) == 10 and "alice" not in pseudonym
