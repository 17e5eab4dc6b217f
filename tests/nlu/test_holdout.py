"""The trained model on the held-out NLU file (tests/nlu_holdout.yml, never trained on).

Thresholds are the recorded figures less a noise margin (evaluation/floors.py), so a
real regression fails while seed-level noise does not.
"""

from __future__ import annotations

import pytest
import yaml

from actions import conversation
from actions.fact_store import load_fact_store
from actions.reading import Context, Message
from actions.roles import PRODUCT
from evaluation import floors
from evaluation.holdout import HOLDOUT, INTENTS, QUESTION_INTENT, Score, report, score_model
from local_stack.servers import MODEL

# Recorded 2026-12-01 with evaluation/holdout.py's scoring: intent accuracy
# 237/256 = 0.926 (`rasa test nlu` counts it as 0.949), recall ask_question
# 154/161 and 3-14 of 3-15 for the others, role entity F1 0.986, roles resolved
# 127/128. Floors: three examples below for accuracy (the spread of three
# trainings), one per small intent, three for ask_question; evaluation/floors.py.
MIN_INTENT_ACCURACY = floors.HOLDOUT_INTENT_ACCURACY.value
MIN_ROLE_ENTITY_F1 = floors.HOLDOUT_ROLE_ENTITY_F1.value
MIN_ROLE_RESOLVED = floors.HOLDOUT_ROLE_RESOLVED.value
MIN_INTENT_RECALL: dict[str, float] = {i: f.value for i, f in floors.HOLDOUT_INTENT_RECALL.items()}


@pytest.fixture(scope="module")
def score() -> Score:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first")
    result = score_model(MODEL)
    print(report(result))
    return result


def test_the_held_out_file_is_labelled_with_the_current_intents() -> None:
    """Every intent of the new set has examples, and no old intent name is left."""
    blocks = yaml.safe_load(HOLDOUT.read_text(encoding="utf-8"))["nlu"]
    labelled = {b["intent"] for b in blocks if "intent" in b}
    assert labelled == set(INTENTS)
    assert set(MIN_INTENT_RECALL) <= set(INTENTS)


def test_intent_accuracy(score: Score) -> None:
    assert score.intent_accuracy >= MIN_INTENT_ACCURACY, report(score)


def test_intent_recall(score: Score) -> None:
    recall = score.intent_recall()
    low = {i: recall.get(i, 0.0) for i, floor in MIN_INTENT_RECALL.items() if recall.get(i, 0.0) < floor}
    assert not low, report(score)


def test_role_entity_f1(score: Score) -> None:
    assert score.entity_f1 >= MIN_ROLE_ENTITY_F1, report(score)


def test_product_and_production_are_never_mixed_up(score: Score) -> None:
    assert score.role_mixups == [], report(score)
    assert score.role_accuracy >= MIN_ROLE_RESOLVED, report(score)


def test_out_of_scope_questions_never_get_a_role_fact(score: Score) -> None:
    """What the assistant would say, not just the intent: no product/production fact.

    Asked as the follow-up of a product manager pay question, the worst place
    for a figure to leak into.
    """
    store = load_fact_store()
    context = Context(role=PRODUCT, topic="salary")
    for text, expected, parsed in score.parsed:
        if expected != "out_of_scope":
            continue
        intent = parsed["intent"]
        if intent["name"] not in ("out_of_scope", "nlu_fallback", QUESTION_INTENT):
            continue  # small talk: answered by a fixed response
        message = Message(text, intent["name"], intent["confidence"], tuple(parsed.get("entities") or ()))
        reply = conversation.respond(store, message, context).reply
        assert "$" not in reply.text, (text, intent, reply.text)
        assert store.fact(PRODUCT, "overview").text not in reply.text
