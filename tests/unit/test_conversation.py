"""Whole turns (actions/conversation.py): resolving a reading against the context, and every rule.

Each rule of `conversation.RULES` has tests named `test_<rule>_...`: what it
answers, and a message it leaves to the rules after it.
"""

from __future__ import annotations

import re

import pytest

from actions import answers, conversation, reply_kinds
from actions.conversation import RULES, Question, Turn, resolve, respond
from actions.fact_store import FactStore
from actions.reading import Context, Message, read
from actions.roles import BOTH, PRODUCT, PRODUCTION

PAY_PRODUCTION = Context(PRODUCTION, "salary", ("salary:production_manager", "salary:depends_on"))
PAY_PRODUCT = Context(PRODUCT, "salary", ("salary:product_manager", "salary:depends_on"))


def question(
    store: FactStore, text: str, intent: str = "ask_question", context: Context | None = None
) -> Question:
    return resolve(read(Message(text, intent), store), context or Context())


def ask(
    store: FactStore,
    text: str,
    intent: str = "ask_question",
    after: Turn | Context | None = None,
) -> Turn:
    context = Context(after.role, after.topic, after.sources) if isinstance(after, Turn) else after
    return respond(store, Message(text, intent), context)


def rule_for(
    store: FactStore, text: str, intent: str = "ask_question", context: Context | None = None
) -> str:
    q = question(store, text, intent, context)
    return next(rule.__name__ for rule in RULES if rule(store, q) is not None)


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def test_every_rule_has_its_tests() -> None:
    tested = {name for name in globals() if name.startswith("test_")}
    for rule in RULES:
        assert any(name.startswith(f"test_{rule.__name__}_") for name in tested), rule.__name__
    assert RULES[-1] is conversation.topics, "the last rule always answers"


# ------------------------------------------------------------------ resolve


def test_resolve_fills_the_role_from_the_context(store: FactStore) -> None:
    q = question(store, "what about their education?", context=PAY_PRODUCTION)
    assert (q.role, q.topics, q.follow_up) == (PRODUCTION, ("education",), False)


def test_resolve_keeps_the_topic_when_only_the_role_changes(store: FactStore) -> None:
    q = question(store, "and product managers?", context=PAY_PRODUCTION)
    assert (q.role, q.topics, q.follow_up) == (PRODUCT, ("salary",), True)


def test_resolve_the_other_one(store: FactStore) -> None:
    q = question(store, "how does that compare with the other one?", context=PAY_PRODUCTION)
    assert (q.role, q.topics) == (BOTH, ("salary",))


def test_resolve_a_difference_in_one_topic_compares_that_topic(store: FactStore) -> None:
    q = question(store, "what's the difference in pay between them?")
    assert (q.role, q.topics) == (BOTH, ("salary",))


def test_resolve_a_negated_role_means_the_other(store: FactStore) -> None:
    q = question(store, "not product managers: where do they work?")
    assert q.role == PRODUCTION


def test_resolve_a_negated_role_named_loosely_means_the_other(store: FactStore) -> None:
    q = question(store, "not the production one, where does the other work?")
    assert q.role == PRODUCT


def test_resolve_ignores_slot_values_it_cannot_answer_from(store: FactStore) -> None:
    turn = respond(
        store, Message("what's the pay like?", "ask_question"), Context("project_manager", "hobbies")
    )
    assert turn.role is None and turn.reply.buttons[-1].title == "Compare both"


# ------------------------------------------------------------------ feedback


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("that's not what I asked", "feedback_negative"),
        ("not helpful", "out_of_scope"),
        ("\U0001f44e", "nlu_fallback"),  # the classifier cannot read a thumbs down
        ("/feedback_negative", "feedback_negative"),  # the Not helpful button
    ],
)
def test_feedback_negative_apologises_asks_again_and_keeps_the_context(
    store: FactStore, text: str, intent: str
) -> None:
    turn = ask(store, text, intent, PAY_PRODUCTION)
    assert turn.reply.text.startswith("Sorry that didn't help.")
    assert "What were you looking for?" in turn.reply.text
    assert (turn.feedback, turn.kind, turn.rule) == ("negative", reply_kinds.FEEDBACK, "feedback")
    assert (turn.role, turn.topic, turn.sources) == (PRODUCTION, "salary", PAY_PRODUCTION.claims)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("thanks, that helped", "thank"),
        ("\U0001f44d", "nlu_fallback"),
        ("that answers my question", "feedback_positive"),
    ],
)
def test_feedback_positive_is_thanked_for(store: FactStore, text: str, intent: str) -> None:
    turn = ask(store, text, intent, PAY_PRODUCTION)
    assert turn.reply.text.startswith("Glad that helped!")
    assert turn.feedback == "positive"


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("i meant something else", "negative"),
        ("ah, that clears it up", "positive"),
        ("good reply", "positive"),
    ],
)
def test_feedback_in_other_words(store: FactStore, text: str, rating: str) -> None:
    assert ask(store, text, "out_of_scope", PAY_PRODUCTION).feedback == rating


def test_feedback_a_self_description_wanting_something_different_is_no_feedback(store: FactStore) -> None:
    turn = ask(store, "i want something different from a desk job, which fits me?", "request_career_fit")
    assert turn.feedback is None


def test_feedback_positive_intent_without_words_about_the_answer_is_thanks(store: FactStore) -> None:
    turn = ask(store, "really kind of you, thank you", "feedback_positive", PAY_PRODUCTION)
    assert (turn.feedback, turn.reply.response) == (None, "utter_thank")
    assert ask(store, "/feedback_positive", "feedback_positive", PAY_PRODUCTION).feedback == "positive"


def test_feedback_not_helpful_is_never_read_as_helpful(store: FactStore) -> None:
    assert ask(store, "that wasn't helpful", "thank", PAY_PRODUCTION).feedback == "negative"


def test_feedback_does_not_apply_to_plain_thanks(store: FactStore) -> None:
    turn = ask(store, "thanks", "thank", PAY_PRODUCTION)
    assert (turn.feedback, turn.reply.response, turn.kind) == (None, "utter_thank", reply_kinds.SMALL_TALK)


@pytest.mark.parametrize(
    "text",
    [
        "what can go wrong for a production manager on the plant floor?",
        "is an MBA helpful for product managers?",
        "would a PMP be useful for a product manager?",
    ],
)
def test_feedback_does_not_apply_to_a_question_with_those_words(store: FactStore, text: str) -> None:
    turn = ask(store, text, "ask_question", PAY_PRODUCTION)
    assert turn.feedback is None and turn.kind == reply_kinds.ANSWER
    assert not turn.reply.text.startswith(("Sorry that didn't help", "Glad that helped"))


def test_feedback_a_correction_is_answered_and_recorded_as_a_miss(store: FactStore) -> None:
    turn = ask(store, "wrong, I meant what production managers earn", "feedback_negative", PAY_PRODUCT)
    assert "$73,786" in turn.reply.text
    assert (turn.feedback, turn.kind) == ("negative", reply_kinds.ANSWER)


# ------------------------------------------------------------------ reply kinds


@pytest.mark.parametrize(
    ("text", "intent", "kind", "rule"),
    [
        ("what do product managers earn?", "ask_question", reply_kinds.ANSWER, "topics"),
        ("what's the salary?", "ask_question", reply_kinds.CLARIFY, "clarify"),
        ("asdfgh qwerty", "nlu_fallback", reply_kinds.FALLBACK, "nothing_recognised"),
        ("what is the best pizza in town?", "out_of_scope", reply_kinds.OUT_OF_SCOPE, "nothing_recognised"),
        ("what does a nurse earn?", "out_of_scope", reply_kinds.OUT_OF_SCOPE, "other_careers_only"),
        (
            "what's the job outlook for production managers?",
            "ask_question",
            reply_kinds.UNCOVERED,
            "uncovered",
        ),
        ("hi", "greet", reply_kinds.SMALL_TALK, "small_talk"),
        ("which one is right for me?", "request_career_fit", reply_kinds.ADVISOR, "fit"),
    ],
)
def test_every_turn_says_its_kind_and_rule(
    store: FactStore, text: str, intent: str, kind: str, rule: str
) -> None:
    turn = ask(store, text, intent)
    assert (turn.kind, turn.rule) == (kind, rule)


def test_an_uncovered_topic_and_another_career_are_named_for_the_review(store: FactStore) -> None:
    assert ask(store, "what's the job outlook for production managers?").uncovered == "job_outlook"
    assert ask(store, "what does a nurse earn?", "out_of_scope").other_careers == ("nurse",)


def test_rule_kinds_name_rules_that_exist() -> None:
    names = {rule.__name__ for rule in RULES}
    assert set(conversation.RULE_KINDS) <= names
    assert set(conversation.RULE_KINDS.values()) <= set(reply_kinds.KINDS)


# ------------------------------------------------------------------ small_talk


@pytest.mark.parametrize(
    ("intent", "response"),
    [("greet", "utter_greet"), ("goodbye", "utter_goodbye"), ("bot_challenge", "utter_iamabot")],
)
def test_small_talk_gets_the_domain_response_and_keeps_the_context(
    store: FactStore, intent: str, response: str
) -> None:
    turn = ask(store, "hey", intent, PAY_PRODUCTION)
    assert turn.reply.response == response
    assert (turn.role, turn.topic, turn.sources) == (PRODUCTION, "salary", PAY_PRODUCTION.claims)


def test_small_talk_does_not_apply_when_a_question_rides_along(store: FactStore) -> None:
    assert (
        conversation.small_talk(store, question(store, "hi, what do product managers earn?", "greet")) is None
    )
    assert "$98,439" in ask(store, "hi, what do product managers earn?", "greet").reply.text


# ------------------------------------------------------------------ cite


def test_cite_names_the_paragraphs_of_the_last_answer(store: FactStore) -> None:
    first = ask(store, "what do production managers study?")
    turn = ask(store, "where did you get that?", "ask_source", first)
    assert "paragraph 10" in turn.reply.text and store.title in turn.reply.text
    assert (turn.role, turn.topic, turn.sources) == (first.role, first.topic, first.sources)


def test_cite_a_named_answer(store: FactStore) -> None:
    turn = ask(store, "what's your source for the product manager salary?", "ask_source")
    assert "paragraph 15" in turn.reply.text


def test_cite_of_what_an_answer_is_based_on_names_that_answer(store: FactStore) -> None:
    """ "based on" asks for the source; its "based" is not the work-environment topic."""
    first = ask(store, "what do production managers earn?")
    for text in ("what is that based on?", "what's that based on"):
        turn = ask(store, text, "ask_source", first)
        assert turn.sources == first.sources
        assert turn.reply.text == answers.cite(store, first.sources).text
    assert question(store, "where are production managers based?").reading.topics == ("work_environment",)


def test_cite_without_an_earlier_answer_names_the_article(store: FactStore) -> None:
    assert store.title in ask(store, "where does your information come from?", "ask_source").reply.text


def test_cite_does_not_apply_to_a_question_read_as_a_citation_request(store: FactStore) -> None:
    q = question(store, "does that vary by location?", "ask_source", PAY_PRODUCTION)
    assert conversation.cite(store, q) is None
    assert conversation.cite(store, question(store, "where does PMI get its data?", "ask_source")) is None


# ------------------------------------------------------------------ other_careers_only


@pytest.mark.parametrize(
    ("text", "career"),
    [
        ("what does a product owner do?", "product owner"),
        ("how much do production assistants make?", "production assistants"),
        ("do project managers need certifications?", "project managers"),
        ("what's the salary of a program manager?", "program manager"),
        ("how much do nurses earn?", "nurses"),
        ("what does a scrum master study?", "scrum master"),
        ("do product designers work in offices?", "product designers"),
    ],
)
def test_other_careers_only_redirect_naming_the_career_as_typed(
    store: FactStore, text: str, career: str
) -> None:
    turn = ask(store, text, after=PAY_PRODUCT)
    assert turn.reply.text.startswith("I only cover product managers and production managers")
    assert career in turn.reply.text
    assert "$" not in turn.reply.text and turn.reply.sources == ()
    assert turn.role == PRODUCT, "the context survives the detour"


def test_other_careers_only_keeps_what_was_asked_for_the_next_turn(store: FactStore) -> None:
    other = ask(store, "what do project managers earn?")
    assert other.topic == "salary" and "$" not in other.reply.text
    assert "$73,786" in ask(store, "and a production manager?", after=other).reply.text


def test_other_careers_only_does_not_apply_when_one_of_ours_is_named(store: FactStore) -> None:
    q = question(store, "what do product managers and project managers earn?")
    assert conversation.other_careers_only(store, q) is None
    turn = ask(store, "what do product managers and project managers earn?")
    assert "$98,439" in turn.reply.text
    assert turn.reply.text.endswith("I can't tell you about project managers.")


def test_other_careers_only_ours_first_then_the_other_said_not_covered(store: FactStore) -> None:
    turn = ask(store, "what do production managers and scrum masters study?")
    assert "engineering" in turn.reply.text and "can't tell you about scrum masters" in turn.reply.text


def test_other_careers_only_a_career_the_user_has_is_not_asked_about(store: FactStore) -> None:
    turn = ask(store, "as a mechanical engineer, what would production managers earn?")
    assert "$73,786" in turn.reply.text and "can't tell you" not in turn.reply.text


# ------------------------------------------------------------------ organisation


@pytest.mark.parametrize(
    ("text", "name", "plural"),
    [
        ("what is PMI?", "Project Management Institute", "product managers"),
        ("what does AMA stand for?", "American Marketing Association", "product managers"),
        ("tell me about APICS", "Production and Inventory Control Society", "production managers"),
        ("what's the American Society for Quality?", "(ASQ)", "production managers"),
    ],
)
def test_organisation_says_what_the_body_is_and_whom_it_serves(
    store: FactStore, text: str, name: str, plural: str
) -> None:
    turn = ask(store, text)
    assert name in turn.reply.text and plural in turn.reply.text
    assert turn.topic == "certifications"
    assert any(s.startswith("organisation:") for s in turn.sources)


def test_organisation_one_body_under_two_names(store: FactStore) -> None:
    turn = ask(store, "is APICS the same as PICS?")
    assert turn.reply.text.startswith("Yes") and "better known" in turn.reply.text
    later = ask(store, "is that the same as APICS?", after=ask(store, "what is PICS?"))
    assert later.reply.text.startswith("Yes")


def test_organisation_two_different_bodies(store: FactStore) -> None:
    assert ask(store, "is PMI the same as AMA?").reply.text.startswith("No")


def test_organisation_who_asks_for_the_role_first(store: FactStore) -> None:
    turn = ask(store, "who certifies with ASQ?")
    assert turn.reply.text.startswith("Production managers") and turn.role == PRODUCTION


def test_organisation_for_the_wrong_role(store: FactStore) -> None:
    turn = ask(store, "is PMI for production managers?")
    assert turn.reply.text.startswith("No") and "ASQ" in turn.reply.text
    right = ask(store, "is there an APICS certificate for production managers?")
    assert right.reply.text.startswith("Yes") and right.role == PRODUCTION


def test_organisation_which_role_uses_it_follows_up(store: FactStore) -> None:
    turn = ask(store, "and which role uses it?", after=ask(store, "what is AMA?"))
    assert turn.reply.text.startswith("Product managers")


def test_organisation_does_not_apply_without_a_body(store: FactStore) -> None:
    assert conversation.organisation(store, question(store, "what certifications do PMs get?")) is None


# ------------------------------------------------------------------ uncovered


def test_uncovered_says_the_article_does_not_say(store: FactStore) -> None:
    turn = ask(store, "what's the job outlook for production managers?")
    assert "doesn't say" in turn.reply.text and "job outlook" in turn.reply.text
    assert turn.role == PRODUCTION and "$" not in turn.reply.text


def test_uncovered_is_that_before_tax(store: FactStore) -> None:
    turn = ask(store, "is that before tax?", after=PAY_PRODUCTION)
    assert "doesn't say" in turn.reply.text and "tax" in turn.reply.text
    assert (turn.role, turn.topic) == (PRODUCTION, "salary")


def test_uncovered_does_not_apply_to_a_covered_topic(store: FactStore) -> None:
    assert conversation.uncovered(store, question(store, "what do production managers earn?")) is None


# ------------------------------------------------------------------ nothing_recognised


def test_nothing_recognised_keyboard_noise_asks_to_rephrase(store: FactStore) -> None:
    turn = ask(store, "qwxz", "nlu_fallback")
    assert "didn't catch" in turn.reply.text and turn.reply.sources == ()


def test_nothing_recognised_a_sentence_about_something_else_is_redirected(store: FactStore) -> None:
    turn = ask(store, "who won the world cup?", "out_of_scope")
    assert "only cover product managers and production managers" in turn.reply.text
    assert "$" not in turn.reply.text


def test_nothing_recognised_keyboard_noise_after_an_answer(store: FactStore) -> None:
    turn = ask(store, "qwxz", "nlu_fallback", PAY_PRODUCT)
    assert "didn't catch" in turn.reply.text and (turn.role, turn.topic) == (PRODUCT, "salary")


def test_nothing_recognised_something_else_after_an_answer(store: FactStore) -> None:
    turn = ask(store, "who won the world cup?", "out_of_scope", PAY_PRODUCT)
    assert "only cover product managers and production managers" in turn.reply.text
    assert "$" not in turn.reply.text and turn.role == PRODUCT


def test_nothing_recognised_does_not_apply_to_a_pay_follow_up(store: FactStore) -> None:
    assert (
        conversation.nothing_recognised(store, question(store, "what drives that?", context=PAY_PRODUCT))
        is None
    )
    assert conversation.nothing_recognised(store, question(store, "and production?")) is None


# ------------------------------------------------------------------ pay_follow_up


def test_pay_follow_up_per_month_is_derived(store: FactStore) -> None:
    turn = ask(store, "and per month?", after=PAY_PRODUCTION)
    assert "$6,149 a month" in turn.reply.text and "derived" in turn.reply.text
    assert (turn.role, turn.topic) == (PRODUCTION, "salary")


def test_pay_follow_up_per_week_for_both(store: FactStore) -> None:
    turn = ask(store, "how much is that weekly?", after=ask(store, "compare their pay"))
    assert "$1,893 a week" in turn.reply.text and "$1,419 a week" in turn.reply.text


def test_pay_follow_up_what_drives_that(store: FactStore) -> None:
    turn = ask(store, "what drives that?", after=PAY_PRODUCTION)
    assert "industry" in turn.reply.text and "size of the employer" in turn.reply.text
    assert turn.sources == ("salary:depends_on",)


def test_pay_follow_up_is_it_the_same_everywhere(store: FactStore) -> None:
    assert ask(store, "is the pay the same everywhere?", after=PAY_PRODUCT).reply.text.startswith("No")


def test_pay_follow_up_keeps_the_role_it_follows(store: FactStore) -> None:
    turn = ask(store, "does the pay depend on location?", after=PAY_PRODUCT)
    assert turn.reply.text.startswith("Yes") and turn.role == PRODUCT


def test_pay_follow_up_does_not_apply_to_a_plain_pay_question(store: FactStore) -> None:
    assert conversation.pay_follow_up(store, question(store, "what do product managers earn?")) is None
    assert conversation.pay_follow_up(store, question(store, "and per month?")) is None, "no role known"


# ------------------------------------------------------------------ compound


def test_compound_answers_every_part_for_its_own_role(store: FactStore) -> None:
    turn = ask(store, "where do PMs work and what do production managers earn?")
    assert "office" in turn.reply.text and "$73,786" in turn.reply.text
    assert "$98,439" not in turn.reply.text
    assert len(sentences(turn.reply.text)) <= 4, "one or two sentences per part"


@pytest.mark.parametrize(
    ("text", "role", "topics"),
    [
        ("what skills and education does a production manager need?", PRODUCTION, ("skills", "education")),
        (
            "what do product managers study, and what certifications do they get?",
            PRODUCT,
            ("education", "certifications"),
        ),
        (
            "where do product managers work and how much do they earn?",
            PRODUCT,
            ("work_environment", "salary"),
        ),
    ],
)
def test_compound_one_or_two_sentences_per_part(
    store: FactStore, text: str, role: str, topics: tuple[str, ...]
) -> None:
    turn = ask(store, text)
    assert turn.role == role
    said = [s for s in turn.sources if not s.startswith("salary:")]
    for topic in topics:
        if topic == "salary":
            assert f"${store.salary(role).average_usd_per_year:,}" in turn.reply.text
            continue
        of_topic = [s for s in said if store.claim(s).topic == topic]
        assert 1 <= len(of_topic) <= 2, (topic, of_topic)
    assert len(sentences(turn.reply.text)) <= 2 * len(topics)


def test_compound_yes_no_parts_lead_with_the_answer(store: FactStore) -> None:
    turn = ask(store, "do production managers travel and do they need a degree?")
    assert turn.reply.text.startswith("Yes: production managers may travel")
    assert "bachelor's degree" in turn.reply.text


def test_compound_does_not_apply_to_one_question(store: FactStore) -> None:
    assert conversation.compound(store, question(store, "what skills does a product manager need?")) is None
    assert conversation.compound(store, question(store, "tell me everything about product managers")) is None


# ------------------------------------------------------------------ fit


def test_fit_names_the_role_the_person_describes(store: FactStore) -> None:
    turn = ask(store, "i love digging into what customers want and planning features. which job is for me?")
    assert turn.reply.text.startswith("Product managers sound closer")
    assert turn.role == PRODUCT and "can't tell you which suits you" in turn.reply.text
    plant = ask(
        store, "give me shop floors, schedules and fixing breakdowns on the line: which one suits me?"
    )
    assert plant.reply.text.startswith("Production managers") and plant.role == PRODUCTION


def test_fit_reads_a_negated_wish_as_excluded(store: FactStore) -> None:
    turn = ask(
        store, "I'm into strategy and customer research, definitely not running a factory. what fits me?"
    )
    assert turn.reply.text.startswith("Product managers")


def test_fit_without_a_description_starts_the_advisor(store: FactStore) -> None:
    turn = ask(store, "which career is right for me?")
    assert turn.start_advisor and not turn.reply.text
    # "I'm an engineer" rides along into the form's slots.
    turn = ask(store, "I'm an engineer and I can't decide")
    assert turn.start_advisor and dict(turn.fit) == {"fit_background": "engineering"}


def test_fit_with_a_description_offers_the_advisor(store: FactStore) -> None:
    turn = ask(store, "i love digging into what customers want and planning features. which job is for me?")
    assert turn.offered and turn.reply.buttons[0].payload == "/request_career_fit"


# ------------------------------------------------------------------ advisor_start


def test_advisor_start_on_the_intent_when_nothing_else_is_asked(store: FactStore) -> None:
    turn = ask(store, "quiz me", "request_career_fit")
    assert turn.start_advisor and not turn.reply.text
    # The intent on a question about the roles, or on a follow-up: answered instead.
    pay = ask(store, "which one pays more?", "request_career_fit")
    assert not pay.start_advisor and "$98,439" in pay.reply.text
    certs = Context(role=PRODUCT, topic="certifications", claims=("product_certifying_bodies",))
    assert not ask(store, "which ones?", "request_career_fit", after=certs).start_advisor


def test_advisor_start_says_what_the_answers_so_far_lean_to(store: FactStore) -> None:
    known = Context(fit=(("fit_background", "engineering"),))
    turn = ask(store, "quiz me", "request_career_fit", after=known)
    assert turn.start_advisor
    assert turn.reply.text.startswith("From what you've told me so far, production manager leans ahead")
    assert turn.sources == ("production_bachelor",)


def test_a_self_description_alone_leans_and_starts_the_advisor(store: FactStore) -> None:
    text = "I'm into strategy and working out what customers need, definitely not running a factory"
    turn = ask(store, text, "answer_fit")
    assert turn.start_advisor and dict(turn.fit) == {"fit_likes": "product"}
    assert turn.reply.text.startswith("From what you've told me so far, product manager leans ahead")


# ------------------------------------------------------------------ advisor_follow_up

DONE = (
    ("fit_likes", "product"),
    ("fit_background", "engineering"),
    ("fit_workplace", "any"),
    ("fit_pay_matters", "no"),
)


def test_advisor_follow_up_explains_why_right_after_the_recommendation(store: FactStore) -> None:
    after = Context(role=BOTH, claims=("product_owns_success",), fit=DONE, fit_result="close")
    turn = ask(store, "why?", after=after)
    assert "how I weighed your answers" in turn.reply.text
    assert turn.sources == ("product_owns_success",) and turn.fit_result == "close"
    # Later, "why?" is a follow-up like any other.
    assert "weighed" not in ask(store, "why?", after=Context(role=PRODUCT, fit=DONE)).reply.text


def test_advisor_follow_up_scores_a_what_if_with_one_change(store: FactStore) -> None:
    turn = ask(store, "what if I studied business?", after=Context(fit=DONE, fit_result="close"))
    assert dict(turn.fit) == {"fit_background": "business"}
    assert turn.reply.text.startswith("With business or marketing instead of engineering")
    assert turn.fit_result == PRODUCT and "product_bachelor" in turn.sources
    # Before the advisor has its answers, a what-if is not scored.
    assert ask(store, "what if I studied business?").fit_result is None


def test_the_advisor_is_offered_once_after_both_roles(store: FactStore) -> None:
    first = ask(store, "what do product managers earn?")
    assert not first.offered
    second = ask(store, "and production managers?", after=Context(role=PRODUCT, topic="salary"))
    assert second.offered and second.reply.buttons[-1].title == "Help me choose"
    again = ask(
        store, "and production managers?", after=Context(role=PRODUCT, topic="salary", fit_offered=True)
    )
    assert not again.offered and "Help me choose" not in [b.title for b in again.reply.buttons]


def test_fit_does_not_apply_to_a_plain_summary(store: FactStore) -> None:
    assert conversation.fit(store, question(store, "summarize both roles for me")) is None


# ------------------------------------------------------------------ which_role


@pytest.mark.parametrize(
    ("text", "lead"),
    [
        ("who works in a factory?", "Production managers"),
        ("which one needs quality control knowledge?", "Production managers"),
        ("which of them earns less?", "Production managers"),
        ("which pays more?", "Product managers"),
        ("who needs communication skills?", "Both"),
    ],
)
def test_which_role_names_the_role_first(store: FactStore, text: str, lead: str) -> None:
    turn = ask(store, text)
    assert turn.reply.text.startswith(lead)
    assert rule_for(store, text) == "which_role"


def test_which_role_pay_gives_the_gap(store: FactStore) -> None:
    turn = ask(store, "who makes more money?")
    assert "$24,653" in turn.reply.text and (turn.role, turn.topic) == (BOTH, "salary")


def test_which_role_does_not_apply_to_which_certifications(store: FactStore) -> None:
    q = question(store, "which certifications do production managers get?")
    assert conversation.which_role(store, q) is None
    assert "ASQ" in ask(store, "which certifications do production managers get?").reply.text


def test_which_role_does_not_apply_when_the_role_is_named(store: FactStore) -> None:
    assert conversation.which_role(store, question(store, "who do production managers report to?")) is None
    # "production schedules" names a thing, not the role: the question still asks for one.
    assert ask(store, "who plans the production schedules?").reply.text.startswith("Production managers")


# ------------------------------------------------------------------ clarify


def test_clarify_asks_which_role_with_three_buttons(store: FactStore) -> None:
    turn = ask(store, "what's the salary?")
    assert turn.role is None and turn.topic == "salary"
    assert [b.title for b in turn.reply.buttons] == ["Product manager", "Production manager", "Compare both"]
    both = respond(
        store,
        Message(
            '/ask_question{"role": "both"}', "ask_question", entities=({"entity": "role", "value": "both"},)
        ),
        Context(turn.role, turn.topic, turn.sources),
    )
    assert both.role == BOTH and "$98,439" in both.reply.text and "$73,786" in both.reply.text


def test_clarify_does_not_apply_when_the_role_is_known(store: FactStore) -> None:
    assert conversation.clarify(store, question(store, "what's the salary?", context=PAY_PRODUCT)) is None


# ------------------------------------------------------------------ yes_no


@pytest.mark.parametrize(
    ("text", "lead", "claim"),
    [
        ("do product managers give demos?", "Yes", "product_demos_training"),
        ("do production managers travel?", "Yes", "production_travel"),
        ("do product managers visit factories?", "Yes, at times", "product_site_visits"),
        ("do product managers need an MBA?", "Not necessarily", "product_masters_optional"),
        ("do production managers need an engineering degree?", "Not necessarily", "production_bachelor"),
        ("do product managers travel between sites?", "Not usually", "production_travel"),
    ],
)
def test_yes_no_answers_first_then_the_fact(store: FactStore, text: str, lead: str, claim: str) -> None:
    turn = ask(store, text)
    assert turn.reply.text.startswith(lead + (":" if lead != "Not usually" else "."))
    assert claim in turn.sources
    paragraph = store.claim(claim).paragraphs[0]
    assert f"paragraph {paragraph}" in ask(store, "where is that from?", "ask_source", turn).reply.text


def test_yes_no_the_article_does_not_say(store: FactStore) -> None:
    turn = ask(store, "do product managers wear suits?")
    assert turn.reply.text.startswith("The article doesn't say")
    assert turn.sources, "what it does say rests on claims"
    coding = ask(store, "do product managers write code?")
    assert coding.reply.text.startswith("The article doesn't say anything about coding")


@pytest.mark.parametrize(
    ("text", "other_claim"),
    [
        ("do production managers give demos?", "product_demos_training"),
        ("do production managers work in offices?", "product_office"),
        ("do product managers troubleshoot the production line?", "production_troubleshooting"),
    ],
)
def test_yes_no_a_fact_of_the_other_role_is_not_usually(
    store: FactStore, text: str, other_claim: str
) -> None:
    turn = ask(store, text)
    assert turn.reply.text.startswith("Not usually") and other_claim in turn.sources


def test_yes_no_comparisons(store: FactStore) -> None:
    same = ask(store, "is a product manager the same as a production manager?")
    assert same.reply.text.startswith("No") and same.role == BOTH
    more = ask(store, "do product managers earn more than production managers?")
    assert more.reply.text.startswith("Yes") and "$24,653" in more.reply.text
    less = ask(store, "do product managers earn less than production managers?")
    assert less.reply.text.startswith("No")


def test_yes_no_does_not_apply_to_a_wh_question(store: FactStore) -> None:
    assert conversation.yes_no(store, question(store, "where do production managers work?")) is None


# ------------------------------------------------------------------ profile


@pytest.mark.parametrize(
    "text", ["tell me everything about production managers", "give me the rundown on prod mgrs"]
)
def test_profile_is_a_short_profile_across_topics(store: FactStore, text: str) -> None:
    turn = ask(store, text)
    assert (turn.role, turn.topic) == (PRODUCTION, "overview")
    topics = {store.claim(s).topic for s in turn.sources if not s.startswith("salary:")}
    assert {"overview", "duties", "education"} <= topics
    assert "$73,786" in turn.reply.text and "product manager" not in turn.reply.text.lower()


def test_profile_of_both_roles(store: FactStore) -> None:
    turn = ask(store, "summarize both roles for me")
    assert turn.role == BOTH and "$98,439" in turn.reply.text and "$73,786" in turn.reply.text


def test_profile_does_not_apply_without_a_role(store: FactStore) -> None:
    assert conversation.profile(store, question(store, "tell me everything")) is None
    assert conversation.profile(store, question(store, "what do production managers do?")) is None


# ------------------------------------------------------------------ specific_claims


@pytest.mark.parametrize(
    ("text", "claim"),
    [
        ("what departments do production managers work with?", "production_supplies"),
        ("what kind of research do product managers do?", "product_research"),
        ("who do product managers give presentations to?", "product_demos_training"),
    ],
)
def test_specific_claims_answer_what_was_asked(store: FactStore, text: str, claim: str) -> None:
    turn = ask(store, text)
    assert claim in turn.sources
    assert len(turn.sources) <= 2, "the claims asked for, not the whole topic"


def test_specific_claims_does_not_apply_to_a_broad_question(store: FactStore) -> None:
    assert conversation.specific_claims(store, question(store, "what do production managers do?")) is None
    q = question(
        store, "and product managers?", context=Context(PRODUCTION, "duties", ("production_supplies",))
    )
    assert conversation.specific_claims(store, q) is None, "a follow-up repeats the topic"


# ------------------------------------------------------------------ topics


@pytest.mark.parametrize("role", [PRODUCT, PRODUCTION])
@pytest.mark.parametrize("topic", answers.TOPIC_ORDER)
def test_topics_gives_the_whole_topic(store: FactStore, role: str, topic: str) -> None:
    q = Question(read(Message("", "ask_question"), store), Context(), role, (topic,), False)
    turn = conversation.topics(store, q)
    assert turn is not None and turn.reply == answers.answer(store, role, topic)
    assert (turn.role, turn.topic) == (role, topic)


def test_topics_difference_always_compares(store: FactStore) -> None:
    turn = ask(store, "how is a production manager different?")
    assert turn.role == BOTH and "strategic" in turn.reply.text.lower()


def test_topics_answers_a_role_without_a_topic_with_what_it_is(store: FactStore) -> None:
    turn = ask(store, "production managers")
    assert (turn.role, turn.topic) == (PRODUCTION, "overview")


# ------------------------------------------------------------------ follow-ups, across rules


def test_follow_up_with_another_role_keeps_the_topic(store: FactStore) -> None:
    first = ask(store, "What skills does a production manager need?")
    assert (first.role, first.topic) == (PRODUCTION, "skills")
    second = ask(store, "and the prodct mngrs?", after=first)
    assert (second.role, second.topic) == (PRODUCT, "skills")
    assert "marketing" in second.reply.text


def test_follow_up_with_another_topic_keeps_the_role(store: FactStore) -> None:
    first = ask(store, "How much does a production manager earn?")
    assert "$73,786" in first.reply.text
    second = ask(store, "what about their education?", after=first)
    assert (second.role, second.topic) == (PRODUCTION, "education")
    assert "engineering" in second.reply.text


def test_follow_up_compare_with_the_other_one(store: FactStore) -> None:
    turn = ask(store, "how does that compare with the other one?", after=ask(store, "what do PMs earn?"))
    assert (turn.role, turn.topic) == (BOTH, "salary")
    assert "$98,439" in turn.reply.text and "$73,786" in turn.reply.text


def test_follow_up_compare_the_same_topic(store: FactStore) -> None:
    first = ask(store, "where do production managers work?")
    turn = ask(store, "how does that compare with the other one?", after=first)
    assert (turn.role, turn.topic) == (BOTH, "work_environment")
    assert "office" in turn.reply.text and "manufacturing" in turn.reply.text


# ------------------------------------------------------------------ classes of question, across rules


def test_self_description_and_padding(store: FactStore) -> None:
    turn = ask(store, "I have an MBA, what would a product manager job pay me?")
    assert "$98,439" in turn.reply.text and turn.topic == "salary"
    padded = ask(store, "hi there! quick question: could you tell me where production managers work?")
    assert padded.topic == "work_environment" and "manufacturing facility" in padded.reply.text


def test_roles_described_by_what_they_do(store: FactStore) -> None:
    turn = ask(store, "what do the people who plan factory schedules earn?")
    assert turn.role == PRODUCTION and "$73,786" in turn.reply.text
    other = ask(store, "where does the one who writes the product roadmap work?")
    assert other.role == PRODUCT and "office" in other.reply.text


def test_negation_and_contrast(store: FactStore) -> None:
    turn = ask(store, "not production, product: what do they study?")
    assert turn.role == PRODUCT and "marketing" in turn.reply.text
    skipped = ask(store, "skip the salary, what do product managers do?")
    assert skipped.topic == "duties" and "$" not in skipped.reply.text
    described = ask(store, "not the factory guy, the other one: where do they work?")
    assert described.role == PRODUCT and "office" in described.reply.text


def test_yes_no_an_amount_is_held_against_the_average(store: FactStore) -> None:
    over = ask(store, "does a product manager earn over 100k?")
    assert over.reply.text.startswith("No") and "$98,439" in over.reply.text
    above = ask(store, "do production managers make more than $70,000 a year?")
    assert above.reply.text.startswith("Yes") and "$73,786" in above.reply.text
