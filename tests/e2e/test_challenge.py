"""The challenge set (tests/e2e/challenge.yml) through the real REST stack, per class.

The set was written apart from data/ by someone who had not seen the
assistant's failures (its header says how). Each class has its own floor,
the recorded figure of `make evaluate` less one message (evaluation/floors.py), so a
class that breaks fails here even when the overall share still looks fine.
The full report, failures included, is printed (pytest -s, or on failure).
"""

from __future__ import annotations

import re

import pytest

from evaluation.floors import CHALLENGE_CLASS, CHALLENGE_DIALOGUE, CHALLENGE_SINGLE
from evaluation.question_set import CHALLENGE, DIALOGUE, SINGLE, Summary, ask_all, load_items, report
from local_stack.servers import RasaServer

# Recorded 2026-12-01 (docs/evaluation.md): 391/394. Each class one message below
# its recorded count (e.g. self_description 16/18, compound 17/18), single questions
# and dialogues two below theirs (282/287, 105/107); evaluation/floors.py says why.
MIN_CLASS = {name: floor.value for name, floor in CHALLENGE_CLASS.items()}
MIN_SINGLE = CHALLENGE_SINGLE.value
MIN_DIALOGUE = CHALLENGE_DIALOGUE.value


@pytest.fixture(scope="module")
def summary(rasa_server: RasaServer) -> Summary:
    result = ask_all(rasa_server.base, load_items(CHALLENGE), workers=2, timeout=30, budget=600)
    print(report(result))
    return result


@pytest.mark.parametrize("name", sorted(MIN_CLASS))
def test_each_class_holds_its_floor(summary: Summary, name: str) -> None:
    right, total = summary.by_class()[name]
    assert right / total >= MIN_CLASS[name], report(summary)


def test_single_questions_and_dialogues_hold_their_floors(summary: Summary) -> None:
    lengths = summary.by_length()
    right, total = lengths[SINGLE]
    assert right / total >= MIN_SINGLE, report(summary)
    right, total = lengths[DIALOGUE]
    assert right / total >= MIN_DIALOGUE, report(summary)


def test_every_class_of_the_set_has_a_floor(summary: Summary) -> None:
    assert set(summary.by_class()) == set(MIN_CLASS)


def test_no_other_career_is_answered_with_our_facts(summary: Summary) -> None:
    """A redirect may miss its wording; giving a figure or a body for another career is a bug."""
    leaks = [
        o
        for o in summary.outcomes
        if o.item.category == "near_career"
        and any(re.search(r"forbidden '(\$|PMI|AMA|ASQ|PICS|APICS)", p) for p in o.problems)
    ]
    assert not leaks, "\n".join(f"#{o.item.number} {o.item.label()}: {o.answer}" for o in leaks)
