"""Whole turns: follow-ups, clarification, comparisons, other careers."""

from __future__ import annotations

from actions import conversation
from actions.conversation import Turn, guess_topic, respond, respond_to_fallback
from actions.fact_store import FactStore
from actions.roles import BOTH, PRODUCT, PRODUCTION


def _ask(store: FactStore, intent: str, text: str, entities=(), previous: Turn | None = None) -> Turn:
    return respond(
        store,
        intent,
        text,
        list(entities),
        previous.role if previous else None,
        previous.topic if previous else None,
    )


def test_follow_up_with_another_role_keeps_the_topic(store: FactStore) -> None:
    first = _ask(store, "ask_skills", "What skills does a product manager need?", ["product manager"])
    assert (first.role, first.topic) == (PRODUCT, "skills")
    assert "marketing" in first.reply.text
    second = _ask(store, "inform_role", "and production managers?", ["production manager"], first)
    assert (second.role, second.topic) == (PRODUCTION, "skills")
    assert "quality control" in second.reply.text


def test_follow_up_with_another_topic_keeps_the_role(store: FactStore) -> None:
    first = _ask(store, "ask_salary", "How much does a production manager earn?", ["production manager"])
    assert "$73,786" in first.reply.text
    second = _ask(store, "ask_education", "what about their education?", [], first)
    assert (second.role, second.topic) == (PRODUCTION, "education")
    assert "engineering" in second.reply.text


def test_question_without_role_is_clarified_then_answered(store: FactStore) -> None:
    first = _ask(store, "ask_salary", "what's the salary?")
    assert first.role is None and first.topic == "salary"
    assert [b.title for b in first.reply.buttons][-1] == "Compare both"
    second = _ask(store, "inform_role", "/inform_role", ["both"], first)
    assert second.role == BOTH
    assert "$98,439" in second.reply.text and "$73,786" in second.reply.text


def test_which_pays_more_compares(store: FactStore) -> None:
    turn = _ask(store, "ask_salary", "which pays more?")
    assert turn.role == BOTH and "$24,653" in turn.reply.text


def test_entity_missed_by_nlu_is_found_in_the_text(store: FactStore) -> None:
    turn = _ask(store, "ask_salary", "how much do prodct mangers earn")
    assert turn.role == PRODUCT and "$98,439" in turn.reply.text


def test_other_career_is_redirected_even_with_context(store: FactStore) -> None:
    first = _ask(store, "ask_salary", "product manager salary", ["product manager"])
    turn = _ask(store, "ask_salary", "how much does a project manager make?", ["project manager"], first)
    assert "$" not in turn.reply.text and "project manager" in turn.reply.text
    assert turn.role == PRODUCT, "the context survives the detour"
    nurse = _ask(store, "ask_duties", "what does a nurse do?", [], first)
    assert "nurse" in nurse.reply.text and "market" not in nurse.reply.text


def test_uncovered_topic_is_honest(store: FactStore) -> None:
    turn = _ask(
        store, "ask_uncovered_topic", "what's the job outlook for production managers", ["production manager"]
    )
    assert "doesn't say" in turn.reply.text and "job outlook" in turn.reply.text
    assert turn.role == PRODUCTION


def test_difference_always_compares(store: FactStore) -> None:
    turn = _ask(store, "ask_difference", "how is a production manager different", ["production manager"])
    assert turn.role == BOTH and "strategic" in turn.reply.text


def test_fallback_answers_only_clear_questions(store: FactStore) -> None:
    clear = respond_to_fallback(store, "prod mgr sallary??", [], None, None)
    assert "$73,786" in clear.reply.text
    unclear = respond_to_fallback(store, "blorp", [], PRODUCT, "skills")
    assert "didn't catch" in unclear.reply.text and unclear.role == PRODUCT
    other = respond_to_fallback(store, "project manager sallary??", [], None, None)
    assert "$" not in other.reply.text


def test_guess_topic() -> None:
    assert guess_topic("how much do they earn") == "salary"
    assert guess_topic("do I need an MBA") == "education"
    assert guess_topic("what certs, PMI?") == "certifications"
    assert guess_topic("hello") is None


def test_difference_in_one_topic_compares_that_topic(store: FactStore) -> None:
    turn = _ask(store, "ask_difference", "what's the difference in salary between them?")
    assert (turn.role, turn.topic) == (BOTH, "salary") and "$24,653" in turn.reply.text
    turn = _ask(store, "ask_similarities", "do they need similar degrees?")
    assert (turn.role, turn.topic) == (BOTH, "education")


def test_doubtful_topic_guess_without_support_is_redirected(store: FactStore) -> None:
    turn = respond(store, "ask_work_environment", "who won the world cup", [], PRODUCT, "skills", 0.59)
    assert "$" not in turn.reply.text and "only cover" in turn.reply.text
    assert (turn.role, turn.topic) == (PRODUCT, "skills")
    sure = respond(store, "ask_work_environment", "where do they work", [], PRODUCT, None, 0.59)
    assert "office" in sure.reply.text


def test_broad_question_on_an_uncovered_topic_is_honest(store: FactStore) -> None:
    turn = _ask(store, "ask_overview", "what's the career path for a prod manager", ["prod manager"])
    assert "doesn't say" in turn.reply.text and turn.role == PRODUCTION
    covered = _ask(store, "ask_duties", "what does a production manager do", ["production manager"])
    assert "schedules" in covered.reply.text


def test_follow_up_after_another_career_keeps_what_was_asked(store: FactStore) -> None:
    other = _ask(store, "ask_salary", "what do project managers earn", ["project managers"])
    assert "$" not in other.reply.text and other.topic == "salary"
    turn = _ask(store, "inform_role", "and a production manager?", ["production manager"], other)
    assert "$73,786" in turn.reply.text
    redirected = conversation.redirect("how much does a nurse make", None, None)
    assert redirected.topic == "salary" and "$" not in redirected.reply.text


def test_the_final_question_decides_the_role(store: FactStore) -> None:
    text = (
        "I'm deciding between production management and product management. "
        "What do production managers usually study?"
    )
    turn = _ask(store, "ask_education", text, ["production management", "product management"])
    assert turn.role == PRODUCTION and "marketing" not in turn.reply.text


def test_uncovered_topic_behind_a_fallback_is_honest(store: FactStore) -> None:
    turn = respond_to_fallback(store, "is AI going to take production manager jobs", [], None, None)
    assert "doesn't say" in turn.reply.text


def test_a_role_without_a_question_is_remembered(store: FactStore) -> None:
    turn = respond_to_fallback(store, "im thinking about going into product management", [], None, None)
    assert turn.role == PRODUCT and "product manager" in turn.reply.text.lower()
    pay = _ask(store, "ask_salary", "whats the pay like", [], turn)
    assert "$98,439" in pay.reply.text
