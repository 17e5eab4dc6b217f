"""Answer composition for every role x topic, comparisons and what the article lacks."""

from __future__ import annotations

import json

import pytest

from actions import answers
from actions.fact_store import FactStore
from actions.roles import BOTH, PRODUCT, PRODUCTION

TOPICS = answers.TOPIC_ORDER


@pytest.mark.parametrize("role", [PRODUCT, PRODUCTION])
@pytest.mark.parametrize("topic", TOPICS)
def test_single_role_answers_name_their_role_only(store: FactStore, role: str, topic: str) -> None:
    reply = answers.answer(store, role, topic)
    own = store.role_label(role)
    other = store.role_label(PRODUCTION if role == PRODUCT else PRODUCT)
    assert own in reply.text.lower()
    assert other not in reply.text.lower()
    assert len(reply.text) < 420, "answers stay a few sentences long"
    assert 1 <= len(reply.buttons) <= answers.MAX_BUTTONS


@pytest.mark.parametrize("topic", (*TOPICS, "difference", "similarities"))
def test_comparisons_name_both_roles(store: FactStore, topic: str) -> None:
    reply = answers.answer(store, BOTH, topic)
    text = reply.text.lower()
    assert "product manager" in text and "production manager" in text
    assert len(reply.buttons) <= answers.MAX_BUTTONS


def test_salary_answers_carry_the_right_figure(store: FactStore) -> None:
    product = answers.answer(store, PRODUCT, "salary").text
    production = answers.answer(store, PRODUCTION, "salary").text
    both = answers.answer(store, BOTH, "salary").text
    assert "$98,439" in product and "$73,786" not in product
    assert "$73,786" in production and "$98,439" not in production
    assert "$98,439" in both and "$73,786" in both and "$24,653" in both and "33%" in both
    assert ("industry" in product and "location" not in product.lower()) or "where the job is" in product


def test_certifications_name_the_bodies(store: FactStore) -> None:
    product = answers.answer(store, PRODUCT, "certifications").text
    production = answers.answer(store, PRODUCTION, "certifications").text
    assert "PMI" in product and "AMA" in product and "ASQ" not in product
    assert "APICS" in production and "ASQ" in production and "PMI" not in production


def test_follow_up_buttons_are_valid_intent_payloads(store: FactStore) -> None:
    for role in (PRODUCT, PRODUCTION, BOTH):
        for topic in TOPICS:
            for button in answers.answer(store, role, topic).buttons:
                intent, _, entities = button.payload.partition("{")
                assert intent.startswith("/") and intent[1:] in {
                    *answers.TOPIC_INTENTS.values(),
                    "inform_role",
                }
                if entities:
                    assert json.loads("{" + entities)["role"] in (
                        "product manager",
                        "production manager",
                        "both",
                    )


def test_clarification_offers_three_choices(store: FactStore) -> None:
    reply = answers.clarify(store, "salary")
    assert "pay" in reply.text
    assert [b.title for b in reply.buttons] == ["Product manager", "Production manager", "Compare both"]
    assert reply.buttons[2].payload == '/inform_role{"role": "both"}'


def test_citation_names_article_section_and_paragraph(store: FactStore) -> None:
    reply = answers.cite(store, PRODUCTION, "education")
    assert store.title in reply.text
    assert "Education of production managers (paragraph 10)" in reply.text
    assert "paragraph 15" in answers.cite(store, PRODUCT, "salary").text
    assert store.title in answers.cite(store, None, None).text


def test_uncovered_topics_say_the_article_does_not_cover_them(store: FactStore) -> None:
    topic = store.uncovered_topic("what is the job outlook for product managers")
    assert topic is not None and topic.key == "job_outlook"
    reply = answers.not_covered(store, topic, PRODUCT)
    assert "doesn't say" in reply.text and "product managers" in reply.text
    assert "$" not in reply.text
    assert store.uncovered_topic("how many hours do they work").key == "working_hours"  # type: ignore[union-attr]
    assert "that" in answers.not_covered(store, None, None).text


def test_out_of_scope_redirect_gives_no_role_fact(store: FactStore) -> None:
    reply = answers.out_of_scope("project manager")
    assert "project managers" in reply.text
    assert "$" not in reply.text
    assert "product managers and production managers" in reply.text
