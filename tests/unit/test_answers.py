"""Reply composition from claims (actions/answers.py): every role x topic, comparisons, citations."""

from __future__ import annotations

import json

import pytest

from actions import answers
from actions.answers import Reply
from actions.fact_store import FactStore
from actions.reading import Part
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
    assert 1 <= len(reply.buttons) <= answers.MAX_BUTTONS


@pytest.mark.parametrize(
    ("role", "topic"),
    [
        (role, topic)
        for role in (PRODUCT, PRODUCTION, BOTH)
        for topic in (*TOPICS, "difference", "similarities")
    ],
)
def test_answers_stay_a_few_sentences_long(store: FactStore, role: str, topic: str) -> None:
    assert len(answers.answer(store, role, topic).text) < 420


@pytest.mark.parametrize("topic", (*TOPICS, "difference", "similarities"))
def test_comparisons_name_both_roles(store: FactStore, topic: str) -> None:
    reply = answers.answer(store, BOTH, topic)
    text = reply.text.lower()
    assert "product manager" in text and "production manager" in text
    assert len(reply.buttons) <= answers.MAX_BUTTONS


@pytest.mark.parametrize("role", [PRODUCT, PRODUCTION])
@pytest.mark.parametrize("topic", answers.ROLE_TOPICS)
def test_an_answer_rests_on_the_topics_claims(store: FactStore, role: str, topic: str) -> None:
    reply = answers.answer(store, role, topic)
    assert reply.sources == tuple(c.id for c in store.claims(role, topic))
    assert answers.paragraphs_for(store, role, topic) == answers.source_paragraphs(store, reply.sources)


def test_salary_answers_carry_the_right_figure(store: FactStore) -> None:
    product = answers.answer(store, PRODUCT, "salary")
    production = answers.answer(store, PRODUCTION, "salary")
    both = answers.answer(store, BOTH, "salary").text
    assert "$98,439" in product.text and "$73,786" not in product.text
    assert "$73,786" in production.text and "$98,439" not in production.text
    assert "$98,439" in both and "$73,786" in both and "$24,653" in both and "33%" in both
    assert product.sources == ("salary:product_manager", "salary:depends_on")
    assert "industry" in product.text and "location" in product.text


def test_certifications_name_the_bodies(store: FactStore) -> None:
    product = answers.answer(store, PRODUCT, "certifications").text
    production = answers.answer(store, PRODUCTION, "certifications").text
    assert "PMI" in product and "AMA" in product and "ASQ" not in product
    assert "APICS" in production and "ASQ" in production and "PMI" not in production


def test_follow_up_buttons_ask_a_question_with_role_and_topic(store: FactStore) -> None:
    roles = {"product manager", "production manager", "both"}
    for role in (PRODUCT, PRODUCTION, BOTH):
        for topic in (*TOPICS, "difference", "similarities"):
            for button in answers.answer(store, role, topic).buttons:
                intent, _, entities = button.payload.partition("{")
                assert intent == "/ask_question"
                values = json.loads("{" + entities)
                assert values.get("role", "both") in roles
                assert values.get("topic", "overview") in store.topic_labels


def test_single_role_buttons_offer_the_comparison_first(store: FactStore) -> None:
    buttons = answers.answer(store, PRODUCTION, "skills").buttons
    assert buttons[0].title == "Compare with product managers"
    assert buttons[0].payload == '/ask_question{"role": "both"}'
    assert "Skills" not in [b.title for b in buttons], "the topic just answered is not offered again"


def test_question_payload() -> None:
    assert answers.question_payload() == "/ask_question"
    assert (
        answers.question_payload(PRODUCT, "salary")
        == '/ask_question{"role": "product manager", "topic": "salary"}'
    )
    assert answers.question_payload(None, "difference") == '/ask_question{"topic": "difference"}'


def test_clarification_offers_three_choices(store: FactStore) -> None:
    reply = answers.clarify(store, "salary")
    assert "pay" in reply.text
    assert [b.title for b in reply.buttons] == ["Product manager", "Production manager", "Compare both"]
    assert reply.buttons[2].payload == '/ask_question{"role": "both"}'
    assert reply.sources == ()


def test_citation_names_article_section_and_paragraph(store: FactStore) -> None:
    education = answers.cite(store, answers.answer(store, PRODUCTION, "education").sources)
    assert store.title in education.text
    assert "Education of production managers (paragraph 10)" in education.text
    assert "paragraph 15" in answers.cite(store, answers.answer(store, PRODUCT, "salary").sources).text
    assert "(paragraph 9)" in answers.cite(store, ("organisation:pmi",)).text
    nothing = answers.cite(store, ())
    assert store.title in nothing.text and "own words" in nothing.text


def test_source_paragraphs_in_order_without_repeats(store: FactStore) -> None:
    sources = ("product_bachelor", "product_masters_optional", "salary:product_manager", "nope", "salary:x")
    assert answers.source_paragraphs(store, sources) == (9, 15)


def test_uncovered_topics_say_the_article_does_not_cover_them(store: FactStore) -> None:
    topic = store.uncovered_topic("will product managers have a good job outlook")
    assert topic is not None and topic.key == "job_outlook"
    reply = answers.not_covered(store, topic, PRODUCT)
    assert "doesn't say" in reply.text and "product managers" in reply.text
    assert "$" not in reply.text and reply.sources == ()
    assert "that" in answers.not_covered(store, None, None).text


def test_out_of_scope_names_the_careers_as_typed(store: FactStore) -> None:
    reply = answers.out_of_scope(["Scrum Masters"])
    assert "I only cover product managers and production managers" in reply.text
    assert "Scrum Masters" in reply.text and "$" not in reply.text
    assert "outside what I know" in answers.out_of_scope().text
    assert answers.not_our_careers(["nurses", "nurses", "vets"]).endswith("about nurses or vets.")


def test_did_not_understand_asks_to_rephrase() -> None:
    reply = answers.did_not_understand()
    assert "didn't catch" in reply.text and len(reply.buttons) == 3


def test_pay_per_period_is_derived_and_says_so(store: FactStore) -> None:
    monthly = answers.salary_per_period(store, PRODUCTION, "month", 12, None)
    assert "$6,149 a month" in monthly.text and "derived" in monthly.text
    assert "only yearly averages" in monthly.text
    weekly = answers.salary_per_period(store, BOTH, "week", 52, None)
    assert "$1,893 a week" in weekly.text and "$1,419 a week" in weekly.text


def test_pay_per_hour_reads_well(store: FactStore) -> None:
    hourly = answers.salary_per_period(store, PRODUCT, "hour", 2080, "40 hours a week for 52 weeks")
    assert "$47 an hour" in hourly.text


def test_pay_factors_name_what_pay_depends_on(store: FactStore) -> None:
    reply = answers.salary_factors(store, PRODUCT)
    assert "industry" in reply.text and "size of the employer" in reply.text
    assert reply.sources == ("salary:depends_on",) and "$" not in reply.text


@pytest.mark.parametrize(("higher", "winner"), [(True, PRODUCT), (False, PRODUCTION)])
def test_pay_comparison_lead(store: FactStore, higher: bool, winner: str) -> None:
    role, text = answers.pay_comparison_lead(store, higher)
    assert role == winner and "$24,653" in text and "derived" in text


def test_organisation_reply(store: FactStore) -> None:
    reply = answers.organisation_reply(store, ["asq"], yes_no=False)
    assert reply.text.startswith("The American Society for Quality (ASQ)")
    assert "production managers" in reply.text
    assert reply.sources[0] == "organisation:asq"
    same = answers.organisation_reply(store, ["pics", "pics"], yes_no=True, mentions=2)
    assert same.text.startswith("Yes") and "APICS" in same.text
    different = answers.organisation_reply(store, ["pmi", "ama"], yes_no=True, mentions=2)
    assert different.text.startswith("No")


@pytest.mark.parametrize("role", [PRODUCT, PRODUCTION])
def test_profile_is_short_and_crosses_topics(store: FactStore, role: str) -> None:
    reply = answers.profile(store, role)
    topics = {store.claim(s).topic for s in reply.sources if not s.startswith("salary:")}
    assert len(topics) >= 4
    assert f"${store.salary(role).average_usd_per_year:,}" in reply.text
    assert reply.text.count(". ") <= 8


def test_profile_of_both(store: FactStore) -> None:
    text = answers.profile(store, BOTH).text
    assert "$98,439" in text and "$73,786" in text


def test_parts_reply_says_one_or_two_sentences_per_topic(store: FactStore) -> None:
    reply = answers.parts_reply(store, PRODUCT, ["skills", "salary"])
    assert reply.sources[:2] == tuple(c.id for c in store.claims(PRODUCT, "skills")[:2])
    assert "$98,439" in reply.text and "Pay varies" not in reply.text


def test_part_reply_says_the_claims_asked_and_leads_a_yes_no(store: FactStore) -> None:
    demos = store.claim("product_demos_training")
    part = Part((PRODUCT,), ("duties",), (demos,))
    reply = answers.part_reply(store, PRODUCT, part, [], lead=True)
    assert reply.text.startswith("Yes: product managers") and reply.sources == (demos.id,)
    assert answers.part_reply(store, PRODUCT, part, [demos.id]).text == "", "said already"


def test_standalone_names_who_they_are(store: FactStore) -> None:
    claim = store.claim("product_demos_training")
    assert claim.text.startswith("They ")
    assert answers.standalone(store, claim).startswith("Product managers may")
    assert answers.standalone(store, store.claim("production_promoted_from_floor")).startswith(
        "Many production managers"
    )


def test_leads() -> None:
    assert answers.lead_with("Yes", "A production manager plans.") == "Yes: a production manager plans."
    assert answers.lead_with("No", "PMI serves product managers.") == "No: PMI serves product managers."
    reply = answers.with_note(Reply("First.", sources=("x",)), "Second.")
    assert reply.text == "First. Second." and reply.sources == ("x",)
    assert answers.with_lead(Reply("They travel."), "Yes").text == "Yes: they travel."


def test_a_reply_can_be_a_domain_response() -> None:
    reply = Reply("", response="utter_greet")
    assert reply.response == "utter_greet" and reply.button_dicts() == []
