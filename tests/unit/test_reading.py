"""The reader on its own: one message in, one `Reading` out (actions/reading.py)."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from typing import Any

import pytest

from actions.fact_store import FactStore
from actions.reading import (
    DEFINITION,
    PROFILE,
    WH,
    WHICH_ROLE,
    YES_NO,
    Message,
    Reading,
    load_vocabulary,
    match_claims,
    read,
    role_of_description,
)
from actions.roles import PRODUCT, PRODUCTION
from local_stack.processes import ROOT


def reading(store: FactStore, text: str, *entities: dict[str, Any], intent: str = "ask_question") -> Reading:
    return read(Message(text, intent, entities=tuple(entities)), store)


# ------------------------------------------------------------------ roles


@pytest.mark.parametrize(
    ("text", "roles"),
    [
        ("what do production managers earn?", (PRODUCTION,)),
        ("how much does a product manager take home?", (PRODUCT,)),
        ("how much does a prodct manger make", (PRODUCT,)),
        ("what do prodcution mngrs study?", (PRODUCTION,)),
        ("where do producton managers work?", (PRODUCTION,)),
        ("and the PMs?", (PRODUCT,)),
        ("and production?", (PRODUCTION,)),
        ("product vs production managers: who travels more?", (PRODUCT, PRODUCTION)),
        ("is a production manager paid less than a product manager?", (PRODUCTION, PRODUCT)),
        ("what's the salary?", ()),
        ("how much does a project manager make?", ()),
    ],
)
def test_roles_named_in_the_text(store: FactStore, text: str, roles: tuple[str, ...]) -> None:
    assert reading(store, text).roles == roles


def test_a_role_entity_counts_like_a_role_named(store: FactStore) -> None:
    found = reading(store, "what do they earn?", {"entity": "role", "value": "production manager"})
    assert found.roles == (PRODUCTION,)
    misspelt = reading(store, "prodcution mngr skills", {"entity": "role", "value": "prodcution mngr"})
    assert misspelt.roles == (PRODUCTION,)


def test_a_role_entity_inside_another_career_is_not_ours(store: FactStore) -> None:
    text = "what does a product owner do?"
    start = text.index("product")
    entity = {"entity": "role", "value": "product", "start": start, "end": start + 7}
    found = reading(store, text, entity)
    assert found.roles == () and found.other_careers == ("product owner",)


def test_each_year_is_not_both_roles(store: FactStore) -> None:
    text = "how much do product managers make each year?"
    start = text.index("each")
    found = reading(store, text, {"entity": "role", "value": "each", "start": start, "end": start + 4})
    assert found.both is False and found.roles == (PRODUCT,)
    assert reading(store, "what does each of them earn?").both is True


@pytest.mark.parametrize(
    ("text", "roles", "negated"),
    [
        ("not production, product: what do they study?", (PRODUCT,), (PRODUCTION,)),
        ("I don't mean production managers, what do product managers earn?", (PRODUCT,), (PRODUCTION,)),
        ("forget product managers, where do production managers work?", (PRODUCTION,), (PRODUCT,)),
    ],
)
def test_negated_roles_are_set_aside(
    store: FactStore, text: str, roles: tuple[str, ...], negated: tuple[str, ...]
) -> None:
    found = reading(store, text)
    assert (found.roles, found.negated_roles) == (roles, negated)


def test_a_role_described_and_excluded(store: FactStore) -> None:
    found = reading(store, "not the factory guy, the other one: where do they work?")
    assert found.negated_roles == (PRODUCTION,) and PRODUCTION not in found.roles


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("what do the people who plan factory schedules earn?", PRODUCTION),
        ("where does the one who writes the product roadmap work?", PRODUCT),
        ("someone who gives demos to customers, what did they study?", PRODUCT),
        ("what skills does the person who troubleshoots the production line need?", PRODUCTION),
    ],
)
def test_roles_described_by_what_they_do(store: FactStore, text: str, role: str) -> None:
    assert reading(store, text).described_role == role


def test_description_words_are_matched_against_the_claims(store: FactStore) -> None:
    vocab = load_vocabulary()
    assert role_of_description(store, ["plan", "factory", "schedules"], vocab) == PRODUCTION
    assert role_of_description(store, ["research", "the", "market"], vocab) == PRODUCT
    assert role_of_description(store, ["weather"], vocab) is None


def test_the_other_one_and_both(store: FactStore) -> None:
    assert reading(store, "and what about the other one?").other_role is True
    assert reading(store, "compare both on skills").both is True
    assert reading(store, "what do product managers do?").both is False


# ------------------------------------------------------------------ topics


@pytest.mark.parametrize(
    ("text", "topics"),
    [
        ("what skills and degree does a PM need?", ("skills", "education")),
        ("salary and certifications for production managers", ("salary", "certifications")),
        ("where do production managers work?", ("work_environment",)),
        ("how much do they make?", ("salary",)),
        ("what would a production manager do every morning?", ("duties",)),
        ("what is a product manager?", ("overview",)),
    ],
)
def test_topics_in_order_of_mention(store: FactStore, text: str, topics: tuple[str, ...]) -> None:
    found = reading(store, text).topics
    assert found[: len(topics)] == topics


@pytest.mark.parametrize(
    ("text", "asked", "negated"),
    [
        ("skip the salary, what do product managers do?", "duties", "salary"),
        ("not the pay, what education do production managers need?", "education", "salary"),
    ],
)
def test_negated_topics_are_set_aside(store: FactStore, text: str, asked: str, negated: str) -> None:
    found = reading(store, text)
    assert asked in found.topics
    assert negated in found.negated_topics and negated not in found.topics


# ------------------------------------------------------------------ the question's form


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("do product managers travel?", YES_NO),
        ("is a degree required for production managers?", YES_NO),
        ("can a production manager get certified?", YES_NO),
        ("hi there, could you tell me: do product managers give demos?", YES_NO),
        ("who earns more?", WHICH_ROLE),
        ("which pays more?", WHICH_ROLE),
        ("which one needs an engineering background?", WHICH_ROLE),
        ("who's in charge of the production schedules?", WHICH_ROLE),
        ("which certifications do production managers get?", WH),
        ("which skills does a product manager need?", WH),
        ("where do product managers work?", WH),
        ("how much does a production manager make?", WH),
        ("what is a production manager?", DEFINITION),
        ("define product manager", DEFINITION),
        ("tell me everything about product managers", PROFILE),
        ("give me the rundown on production managers", PROFILE),
    ],
)
def test_question_form(store: FactStore, text: str, form: str) -> None:
    assert reading(store, text).form == form


def test_curly_apostrophes_read_as_straight_ones(store: FactStore) -> None:
    assert reading(store, "what\u2019s a production manager, exactly?").form == DEFINITION


# ------------------------------------------------------------------ other careers


@pytest.mark.parametrize(
    ("text", "careers"),
    [
        ("how much do nurses earn?", ("nurses",)),
        ("what does a nurse study?", ("nurse",)),
        ("what does a Product Owner do?", ("product owner",)),
        ("what do product marketing managers earn?", ("product marketing managers",)),
        ("do project managers need a degree?", ("project managers",)),
        ("how much does a project manger make?", ("project manger",)),
        ("what does a production assistant do?", ("production assistant",)),
        ("what do production managers earn?", ()),
    ],
)
def test_other_careers_as_typed_and_never_doubled(
    store: FactStore, text: str, careers: tuple[str, ...]
) -> None:
    found = reading(store, text)
    assert found.other_careers == careers
    if careers:
        assert found.roles == (), "a near career's words are not our role"


def test_one_of_ours_and_another_career(store: FactStore) -> None:
    found = reading(store, "what do production managers and scrum masters study?")
    assert found.roles == (PRODUCTION,) and found.other_careers == ("scrum masters",)


# ------------------------------------------------------------------ padding and self-description


def test_self_description_is_not_the_question(store: FactStore) -> None:
    found = reading(store, "I have an MBA, what would a product manager job pay me?")
    assert found.topics == ("salary",) and found.roles == (PRODUCT,)


def test_a_role_in_a_self_description_gives_way_to_the_asked_one(store: FactStore) -> None:
    found = reading(store, "I'm a production manager, what do product managers earn?")
    assert found.roles == (PRODUCT,) and found.topics == ("salary",)


def test_a_role_named_only_in_a_self_description_is_kept(store: FactStore) -> None:
    assert reading(store, "I'm thinking about production management").roles == (PRODUCTION,)


def test_the_question_after_a_scene_is_the_asking_clause(store: FactStore) -> None:
    found = reading(store, "I love talking to customers and working out what they want. what does a PM do?")
    assert found.roles == (PRODUCT,) and found.topics[:1] == ("duties",)


def test_politeness_is_dropped_before_the_form_is_read(store: FactStore) -> None:
    assert reading(store, "hello! could you tell me who earns more?").form == WHICH_ROLE
    assert reading(store, "thanks, and do they travel?").form == YES_NO


# ------------------------------------------------------------------ pay follow-ups


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("and per month?", "month"),
        ("what is that monthly?", "month"),
        ("weekly pay for a PM?", "week"),
        ("and what's that hourly?", "hour"),
        ("what do they earn?", None),
    ],
)
def test_periods(store: FactStore, text: str, period: str | None) -> None:
    assert reading(store, text).period == period


@pytest.mark.parametrize(
    ("text", "factors"),
    [
        ("what drives that?", True),
        ("does it vary by industry?", True),
        ("what does it depend on?", True),
        ("what do they earn?", False),
    ],
)
def test_pay_factors(store: FactStore, text: str, factors: bool) -> None:
    assert reading(store, text).pay_factors is factors


def test_higher_lower_same_and_required(store: FactStore) -> None:
    less = reading(store, "which of them earns less?")
    assert less.lower_pay and not less.higher_pay and less.comparative
    assert reading(store, "who tends to get paid more?").higher_pay
    assert reading(store, "is the pay the same everywhere?").same
    assert reading(store, "do they need a degree?").requirement
    assert not reading(store, "do they have a degree?").requirement


# ------------------------------------------------------------------ organisations


def test_one_body_named_twice(store: FactStore) -> None:
    found = reading(store, "is APICS the same as PICS?")
    assert found.organisations == ("pics",) and found.organisation_mentions == 2
    assert found.form == YES_NO and found.same


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("what is PMI?", ("pmi",)),
        ("what does AMA stand for?", ("ama",)),
        ("tell me about the American Society for Quality", ("asq",)),
        ("is the Production and Inventory Control Society any good?", ("pics",)),
        ("PMI or ASQ?", ("pmi", "asq")),
        ("not PMI, what about ASQ?", ("asq",)),
    ],
)
def test_organisations_by_name_and_abbreviation(store: FactStore, text: str, keys: tuple[str, ...]) -> None:
    assert reading(store, text).organisations == keys


# ------------------------------------------------------------------ claims, uncovered topics, parts


def test_claims_found_by_their_cues(store: FactStore) -> None:
    found = reading(store, "do product managers give demos?")
    assert found.claims[0].claim.id == "product_demos_training"
    assert found.specific_claims()[0].claim.id == "product_demos_training"
    schedules = match_claims(store, ["plan", "schedules"])
    assert schedules[0].claim.owner == PRODUCTION and schedules[0].specific


def test_a_topic_word_alone_is_not_a_specific_claim(store: FactStore) -> None:
    found = reading(store, "what skills does a product manager need?")
    assert found.specific_claims() == ()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("is that before tax?", "tax"),
        ("can product managers work from home?", "remote_work"),
        ("what's the job outlook for production managers?", "job_outlook"),
        ("what do production managers earn?", None),
    ],
)
def test_uncovered_topics(store: FactStore, text: str, key: str | None) -> None:
    assert reading(store, text).uncovered == key


def test_parts_of_a_compound_question(store: FactStore) -> None:
    found = reading(store, "where do PMs work and what do production managers earn?")
    assert [(p.roles, p.topics) for p in found.parts] == [
        ((PRODUCT,), ("work_environment",)),
        ((PRODUCTION,), ("salary",)),
    ]


def test_a_simple_question_has_one_part(store: FactStore) -> None:
    assert len(reading(store, "what do production managers earn?").parts) == 1


# ------------------------------------------------------------------ content, sources, payloads


@pytest.mark.parametrize(
    ("text", "content"),
    [
        ("blorp", False),
        ("hello", False),
        ("cheers, much appreciated", False),
        ("what about pay?", True),
        ("and production?", True),
        ("what do nurses learn at school?", True),
    ],
)
def test_content(store: FactStore, text: str, content: bool) -> None:
    assert reading(store, text).content is content


def test_source_requests(store: FactStore) -> None:
    assert reading(store, "where did you get that?").source
    assert reading(store, "which paragraph says so?").source
    assert not reading(store, "what do they earn?").source


def test_a_button_payload_is_read_from_its_entities(store: FactStore) -> None:
    found = reading(
        store,
        '/ask_question{"role": "both", "topic": "salary"}',
        {"entity": "role", "value": "both"},
        {"entity": "topic", "value": "salary"},
    )
    assert found.both and found.topics == ("salary",)
    assert found.other_careers == () and found.organisations == ()


def test_words_are_lower_case(store: FactStore) -> None:
    assert {"what", "pmi"} <= reading(store, "What is PMI?").words


def test_vocabulary_phrases_are_longest_first() -> None:
    vocab = load_vocabulary()
    assert vocab.padding.words.index("hi there") < vocab.padding.words.index("hi")
    words = vocab.negation.words
    assert all(len(a) >= len(b) for a, b in itertools.pairwise(words))
    # One compiled pattern per list, matching whole words only.
    assert vocab.padding.at_start("hi there, what do PMs earn") == "hi there"
    assert vocab.padding.at_start("hippo facts") is None
    assert vocab.negation.at_end("forget about") and not vocab.negation.at_end("knot")


# A claim's score sums the weights of the words it found, a set whose order
# follows Python's string hashing, which is random per process: summed in that
# order, equal scores differed in their last bit from one action server start
# to the next, and "which role might have a business administration degree"
# was answered "Both" by some and "Production managers" by others.
SCORES_OF_A_TIE = """
from actions.fact_store import load_fact_store
from actions.reading import match_claims
words = "which role might have a business administration degree".split()
print([(m.claim.id, repr(m.score)) for m in match_claims(load_fact_store(), words)])
"""


def test_scores_do_not_depend_on_the_processs_hash_seed() -> None:
    outputs = set()
    for seed in range(8):
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        command = [sys.executable, "-c", SCORES_OF_A_TIE]
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        outputs.add(done.stdout)
    assert len(outputs) == 1, outputs


def test_a_tie_between_both_roles_and_one_is_answered_both(store: FactStore) -> None:
    from actions.conversation import _role_scores

    found = reading(store, "which role might have a business administration degree")
    scores = _role_scores(found.claims)
    assert scores[PRODUCT][0] == scores[PRODUCTION][0] == scores["both"][0]
