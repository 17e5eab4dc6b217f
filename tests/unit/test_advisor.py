"""The career-fit advisor without Rasa: answers read from text, the scoring, the replies."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
import yaml
from rasa.core.nlg.interpolator import interpolate_text

from actions import advisor
from actions.advisor import CLOSE, SKIPPED, Advisor, load_advisor
from actions.answers import source_paragraphs
from actions.fact_store import FactStore, FactStoreError
from actions.reading import Message, read
from actions.roles import PRODUCT, PRODUCTION


@pytest.fixture(scope="module")
def adv(store: FactStore) -> Advisor:
    return load_advisor(store)


def _every_combination(adv: Advisor) -> list[dict[str, str]]:
    choices = [[*(o.value for o in q.options), SKIPPED] for q in adv.questions]
    return [dict(zip(adv.slots, combo, strict=True)) for combo in itertools.product(*choices)]


def test_the_form_asks_four_questions_in_order(adv: Advisor) -> None:
    assert adv.slots == ("fit_likes", "fit_background", "fit_workplace", "fit_pay_matters")


def test_every_combination_gives_a_role_or_close_with_two_to_four_reasons(
    store: FactStore, adv: Advisor
) -> None:
    combos = _every_combination(adv)
    assert len(combos) == 4 * 5 * 4 * 3
    verdicts = set()
    for given in combos:
        reply, result = advisor.recommend(store, adv, given)
        verdicts.add(result.verdict)
        assert result.verdict in (PRODUCT, PRODUCTION, CLOSE), given
        claims = [s for s in reply.sources if not s.startswith("salary:")]
        pay = any(s.startswith("salary:") for s in reply.sources)
        assert 2 <= len(claims) + pay <= 4, (given, reply.sources)
        for source in claims:
            store.claim(source)  # every reason is a claim of the fact store
        # ... so "where does that come from?" has paragraphs to cite.
        assert source_paragraphs(store, reply.sources), given
        assert "can't tell you" in reply.text and "job outlook" in reply.text, given
        assert result.verdict == CLOSE or reply.text.startswith(
            store.roles[result.verdict].label.capitalize()
        )
    assert verdicts == {PRODUCT, PRODUCTION, CLOSE}


def test_scores_follow_the_weights_in_the_file(adv: Advisor) -> None:
    all_product = {"fit_likes": "product", "fit_background": "business", "fit_workplace": "office"}
    result = advisor.score(adv, {**all_product, "fit_pay_matters": "yes"})
    assert result.points == {PRODUCT: 6, PRODUCTION: 0} and result.verdict == PRODUCT
    production = {"fit_likes": "production", "fit_background": "engineering", "fit_workplace": "plant"}
    assert advisor.score(adv, {**production, "fit_pay_matters": "no"}).verdict == PRODUCTION
    # One point apart is close (close_within: 1).
    mixed = {"fit_likes": "product", "fit_background": "engineering", "fit_pay_matters": "yes"}
    assert advisor.score(adv, {**mixed, "fit_workplace": "any"}).verdict == CLOSE
    assert advisor.score(adv, dict.fromkeys(adv.slots, SKIPPED)).verdict == CLOSE


def test_the_figures_said_are_the_articles(store: FactStore, adv: Advisor) -> None:
    reply, _ = advisor.recommend(store, adv, {"fit_pay_matters": "yes", "fit_likes": "product"})
    figures = set(re.findall(r"\$\d[\d,]*\d", reply.text))
    assert figures <= {"$98,439", "$73,786", "$24,653"}
    assert "derived" in reply.text  # the gap is computed, and says so


@pytest.mark.parametrize(
    ("text", "requested", "expected"),
    [
        ("Shaping what gets built", "fit_likes", {"fit_likes": "product"}),
        ("I prefer the processes and schedules side", "fit_likes", {"fit_likes": "production"}),
        ("both", "fit_likes", {"fit_likes": "both"}),
        ("marketing", "fit_background", {"fit_background": "business"}),
        ("I did a degree in mechanical engineering", "fit_background", {"fit_background": "engineering"}),
        ("psychology", "fit_background", {"fit_background": "other"}),
        ("none yet", "fit_background", {"fit_background": "none"}),
        ("the factory floor, I think", "fit_workplace", {"fit_workplace": "plant"}),
        ("definitely not an office", "fit_workplace", {"fit_workplace": "plant"}),
        ("doesn't matter", "fit_workplace", {"fit_workplace": "any"}),
        ("yes", "fit_pay_matters", {"fit_pay_matters": "yes"}),
        ("not really", "fit_pay_matters", {"fit_pay_matters": "no"}),
        ("purple", "fit_likes", {}),
        ("asdf", "fit_workplace", {}),
    ],
)
def test_answers_in_free_text(adv: Advisor, text: str, requested: str, expected: dict[str, str]) -> None:
    assert advisor.extract(adv, text, requested) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm an engineer", {"fit_background": "engineering"}),
        ("I hate offices", {"fit_workplace": "plant"}),
        (
            "I have an MBA and I love talking to customers",
            {"fit_background": "business", "fit_likes": "product"},
        ),
        ("I'm not an engineer", {}),
        # A question is not a self-description: "office" here is asked about.
        ("do product managers work in an office?", {}),
    ],
)
def test_what_people_say_about_themselves_fills_slots(
    store: FactStore, adv: Advisor, text: str, expected: dict[str, str]
) -> None:
    reading = read(Message(text), store)
    assert advisor.extract(adv, text, None, reading.about_person) == expected


def _step(store: FactStore, adv: Advisor, text: str, intent: str = "answer_fit", **kw) -> advisor.Step:
    reading = read(Message(text, intent), store)
    return advisor.validate_answer(
        adv, reading, kw.get("entities", ()), kw.get("requested", "fit_likes"), kw.get("reasked", False)
    )


def test_a_button_payload_fills_its_slot(store: FactStore, adv: Advisor) -> None:
    entities = ({"entity": "fit_workplace", "value": "plant"},)
    step = _step(store, adv, "/answer_fit", entities=entities, requested="fit_workplace")
    assert step.values == {"fit_workplace": "plant"} and not step.say


def test_a_question_in_the_middle_rejects_the_form(store: FactStore, adv: Advisor) -> None:
    assert _step(store, adv, "wait, what do production managers earn?", "ask_question").rejects
    assert _step(store, adv, "where does that come from?", "ask_source").rejects
    assert _step(
        store, adv, "do product managers work in offices?", "ask_question", requested="fit_workplace"
    ).rejects


def test_stop_rejects_the_form_so_the_rule_leaves_it(store: FactStore, adv: Advisor) -> None:
    assert _step(store, adv, "stop", "stop").rejects
    assert _step(store, adv, "never mind", "out_of_scope").rejects


def test_an_unusable_answer_is_asked_again_once_then_skipped(store: FactStore, adv: Advisor) -> None:
    first = _step(store, adv, "purple", "nlu_fallback")
    assert first.reask and not first.values and "buttons" in first.say
    second = _step(store, adv, "purple", "nlu_fallback", reasked=True)
    assert second.values == {"fit_likes": SKIPPED} and second.say


def test_skip_skips_the_question_asked(store: FactStore, adv: Advisor) -> None:
    step = _step(store, adv, "skip", "stop", requested="fit_pay_matters")
    assert step.values == {"fit_pay_matters": SKIPPED}


def test_why_explains_the_points(store: FactStore, adv: Advisor) -> None:
    given = {"fit_likes": "product", "fit_background": "engineering", "fit_workplace": "office"}
    text = advisor.explain(store, adv, {**given, "fit_pay_matters": SKIPPED}).text
    assert "product manager 4 and production manager 2" in text
    assert "not figures from" in text


def test_what_if_changes_that_one_answer(store: FactStore, adv: Advisor) -> None:
    given = {
        "fit_likes": "both",
        "fit_background": "business",
        "fit_workplace": "any",
        "fit_pay_matters": "no",
    }
    assert advisor.score(adv, given).verdict == CLOSE
    found = advisor.what_if(store, adv, given, "what if I had an engineering degree?")
    assert found is not None
    reply, slot, value, result = found
    assert (slot, value) == ("fit_background", "engineering")
    assert result.verdict == PRODUCTION
    assert reply.text.startswith("With engineering instead of business or marketing")
    assert advisor.what_if(store, adv, given, "what if it rains?") is None


def test_a_reason_that_is_not_a_claim_is_refused(store: FactStore, tmp_path: Path) -> None:
    raw = yaml.safe_load(advisor.ADVISOR_PATH.read_text(encoding="utf-8"))
    raw["questions"]["fit_likes"]["options"]["product"]["reasons"] = ["made_up_claim"]
    path = tmp_path / "advisor.yml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(
        FactStoreError, match=r"questions\.fit_likes\.options\.product\.reasons.*made_up_claim"
    ):
        load_advisor(store, path)


def test_the_domains_buttons_are_the_answers_of_the_file(adv: Advisor) -> None:
    """domain.yml's utter_ask_<slot> buttons and facts/advisor.yml's answers say the same."""
    domain = yaml.safe_load((advisor.ADVISOR_PATH.parents[1] / "domain.yml").read_text(encoding="utf-8"))
    assert domain["forms"]["career_fit_form"]["required_slots"] == list(adv.slots)
    for question in adv.questions:
        buttons = domain["responses"][f"utter_ask_{question.slot}"][0]["buttons"]
        given = {}
        for button in buttons:
            # As Rasa sends it: domain.yml doubles a payload's braces, which Rasa's
            # response interpolation would otherwise take for a slot name.
            intent, _, entities = interpolate_text(button["payload"], {}).partition("{")
            assert intent == f"/{advisor.ANSWER_INTENT}"
            given[json.loads("{" + entities)[question.slot]] = button["title"]
        options = {o.value: o.title for o in question.options}
        assert {v: t for v, t in given.items() if v != SKIPPED} == options
