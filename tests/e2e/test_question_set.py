"""The independent question set (tests/e2e/questions.yml) through the real REST stack.

The threshold is the recorded figure less a noise margin of two items
(evaluation/floors.py says why), so a real regression fails while a retrain's noise
does not; `make evaluate` says when the recorded figure should move. The full report,
failures included, is printed (pytest -s, or on failure).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evaluation.floors import QUESTIONS
from evaluation.question_set import (
    DIALOGUE,
    SINGLE,
    Item,
    Outcome,
    QuestionSetError,
    Summary,
    ask_all,
    check,
    load_items,
    nlu_examples,
    overlaps,
    report,
)
from local_stack.servers import RasaServer

# 148/148 recorded (docs/evaluation.md, 2026-12-01) less two items: 146/148 = 0.986.
MIN_RIGHT = QUESTIONS.value


@pytest.fixture(scope="module")
def summary(rasa_server: RasaServer) -> Summary:
    result = ask_all(rasa_server.base, load_items(), workers=2, timeout=30, budget=600)
    print(report(result))
    return result


def test_the_set_is_independent_of_the_nlu_data() -> None:
    """No question is a twin (evaluation/overlap.py) of a training or held-out example."""
    found = overlaps(load_items(), nlu_examples())
    assert not found, (
        "question-set items one token edit (or a typo) away from NLU examples; keep the set "
        f"independent and reword one of them into a genuinely different sentence: {found}"
    )


CHALLENGE_FORMAT = """
items:
  - class: out_of_scope
    turns: ["how much do dentists earn"]
    expect: ["I only cover"]
  - class: yes_no
    turns: ["do product managers need an engineering degree?"]
    starts_with: ["No", "Not usually", "Not necessarily"]
    forbid: ["$"]
  - class: follow_up
    turns: ["product manager pay", "and production?"]
    expect: ["$73,786"]
"""


def test_the_challenge_format_loads_and_checks_how_a_reply_starts(tmp_path: Path) -> None:
    path = tmp_path / "challenge.yml"
    path.write_text(CHALLENGE_FORMAT, encoding="utf-8")
    third, first, second = load_items(path)
    assert third.scheme == "class"  # out_of_scope is a category too; the key decides
    assert (first.category, first.starts_with, first.length) == (
        "yes_no",
        ("No", "Not usually", "Not necessarily"),
        SINGLE,
    )
    assert (second.category, second.length, second.scheme) == ("follow_up", DIALOGUE, "class")
    assert check(first, "  Not usually: a business degree is more common.") == []
    assert check(first, "no, not usually") != []  # case-sensitive
    assert check(first, "Product managers study marketing. No.") != []
    summary = Summary([Outcome(second, "I only cover...", ["missing"]), Outcome(first, "No.")])
    assert summary.grouping == "class"
    assert list(summary.by_class().items()) == [("yes_no", (1, 1)), ("follow_up", (0, 1))]
    assert summary.by_length() == {SINGLE: (1, 1), DIALOGUE: (0, 1)}
    text = report(summary)
    assert "| class | right | of | % |" in text
    assert "| single question | 1 | 1 | 100% |" in text
    assert "| dialogue | 0 | 1 | 0% |" in text


@pytest.mark.parametrize(
    "bad",
    [
        "items:\n  - class: nonsense\n    turns: [hi]\n    expect: [x]\n",
        "items:\n  - class: fact\n    category: fact\n    turns: [hi]\n    expect: [x]\n",
        "items:\n  - class: fact\n    turns: [hi]\n    starts_with: yes\n",
        "items:\n  - class: fact\n    turns: [hi]\n",
    ],
)
def test_malformed_challenge_items_are_refused(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "challenge.yml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(QuestionSetError):
        load_items(path)


def test_the_question_file_still_loads_with_categories() -> None:
    items = load_items()
    assert all(isinstance(i, Item) and i.category for i in items)
    assert Summary([Outcome(i) for i in items]).grouping == "category"


def test_share_of_right_answers(summary: Summary) -> None:
    assert summary.rate >= MIN_RIGHT, report(summary)


def test_no_wrong_figure_is_ever_given(summary: Summary) -> None:
    """Missing an answer is a weakness; the other role's pay, or pay for another career, is a bug."""
    wrong = [o for o in summary.outcomes if any(re.search(r"forbidden '\$", p) for p in o.problems)]
    assert not wrong, "\n".join(f"#{o.item.number} {o.item.label()}: {o.answer}" for o in wrong)
