"""Every evaluation file is apart from the training data: no twin of a data/nlu.yml example.

A twin (evaluation/overlap.py) is a sentence one token edit away from a
training example (two for sentences longer than eight tokens), a typo
counting as no edit. A twin measures memory, not understanding: reword it
into a genuinely different sentence of the same meaning, or drop it.
Needs no model.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.overlap import nlu_file_examples, question_file_messages, twins

ROOT = Path(__file__).resolve().parents[2]
TRAINING = ROOT / "data" / "nlu.yml"
EVALUATION = {
    "tests/nlu_holdout.yml": nlu_file_examples,
    "tests/e2e/questions.yml": question_file_messages,
    "tests/e2e/challenge.yml": question_file_messages,
    "tests/e2e/blind.yml": question_file_messages,
    "tests/e2e/final.yml": question_file_messages,
    "tests/e2e/final2.yml": question_file_messages,
}


@pytest.mark.parametrize("name", sorted(EVALUATION))
def test_no_evaluation_sentence_is_a_twin_of_a_training_example(name: str) -> None:
    path = ROOT / name
    if not path.exists():
        pytest.skip(f"{name} does not exist (yet)")
    found = twins(EVALUATION[name](path), nlu_file_examples(TRAINING))
    assert not found, f"{len(found)} twins of data/nlu.yml examples in {name}:\n" + "\n".join(
        f"  {t.candidate!r} ~ {t.example!r} (distance {t.distance})" for t in found
    )
