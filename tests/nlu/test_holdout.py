"""The trained model on the held-out NLU file (tests/nlu_holdout.yml, never trained on).

Thresholds sit a little below what was measured (docs/pipeline.md), so a real
regression fails while seed-level noise does not.
"""

from __future__ import annotations

import pytest

from tests.nlu.holdout import Score, report, score_model
from tests.stack import MODEL

MIN_INTENT_ACCURACY = 0.88
MIN_ROLE_ENTITY_F1 = 0.95
MIN_ROLE_RESOLVED = 0.98


@pytest.fixture(scope="module")
def score() -> Score:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first")
    result = score_model(MODEL)
    print(report(result))
    return result


def test_intent_accuracy(score: Score) -> None:
    assert score.intent_accuracy >= MIN_INTENT_ACCURACY, report(score)


def test_role_entity_f1(score: Score) -> None:
    assert score.entity_f1 >= MIN_ROLE_ENTITY_F1, report(score)


def test_product_and_production_are_never_mixed_up(score: Score) -> None:
    assert score.role_mixups == [], report(score)
    assert score.role_accuracy >= MIN_ROLE_RESOLVED, report(score)


def test_other_careers_are_not_taken_for_ours(score: Score) -> None:
    taken = [e for e in score.intent_errors if e[1] == "out_of_scope" and e[2].startswith("ask_")]
    assert len(taken) <= 1, taken
