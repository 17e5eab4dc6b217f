"""The independent question set (tests/e2e/questions.yml) through the real REST stack.

The threshold sits a little below what was measured (docs/evaluation.md), so
a real regression fails while a retrain's noise does not. The full report,
failures included, is printed (pytest -s, or on failure).
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.question_set import Summary, ask_all, load_items, nlu_examples, overlaps, report
from tests.stack import RasaServer

# Measured on 2026-11-25: 139/148 (93.9%) with the model of 13:43, 147/148
# (99.3%) with the retrained model of 14:33 (docs/evaluation.md).
MIN_RIGHT = 0.93


@pytest.fixture(scope="module")
def summary(rasa_server: RasaServer) -> Summary:
    result = ask_all(rasa_server.base, load_items(), workers=2, timeout=30, budget=600)
    print(report(result))
    return result


def test_the_set_is_independent_of_the_nlu_data() -> None:
    found = overlaps(load_items(), nlu_examples())
    assert not found, (
        "question-set items copied (or nearly) into the NLU data; keep the set independent "
        f"and reword the training example instead: {found}"
    )


def test_share_of_right_answers(summary: Summary) -> None:
    assert summary.rate >= MIN_RIGHT, report(summary)


def test_no_wrong_figure_is_ever_given(summary: Summary) -> None:
    """Missing an answer is a weakness; the other role's pay, or pay for another career, is a bug."""
    wrong = [o for o in summary.outcomes if any(re.search(r"forbidden '\$", p) for p in o.problems)]
    assert not wrong, "\n".join(f"#{o.item.number} {o.item.label()}: {o.answer}" for o in wrong)
