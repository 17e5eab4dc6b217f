from __future__ import annotations

import random
import time

import pytest

from evaluation.overlap import (
    char_distance_at_most_one,
    limit,
    normalize,
    same_token,
    token_distance,
    tokens,
    twins,
)


def test_normalize_drops_annotations_case_and_punctuation() -> None:
    text = 'What\u2019s a [PM]{"entity": "role", "value": "product manager"}, in a [both](role) sense??'
    assert normalize(text) == "what's a pm in a both sense"
    assert tokens("pay: $98,439!") == ["pay", "$98", "439"]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("manager", "manager", True),
        ("manger", "manager", True),  # deletion
        ("prodct", "product", True),
        ("salry", "salary", True),
        ("product", "producT".lower(), True),
        ("manager", "menager", True),  # substitution
        ("product", "production", False),  # three letters apart
        ("form", "from", False),  # a transposition is two edits
        ("duties", "skills", False),
    ],
)
def test_char_distance_at_most_one(a: str, b: str, expected: bool) -> None:
    assert char_distance_at_most_one(a, b) is expected
    assert char_distance_at_most_one(b, a) is expected


def test_typos_only_count_between_words_of_four_letters_or_more() -> None:
    assert same_token("manger", "manager")
    assert not same_token("pm", "pms")  # short words: a letter is a different word
    assert not same_token("pay", "day")
    assert not same_token("for", "fro")


def test_token_distance() -> None:
    assert token_distance("a b c".split(), "a b c".split()) == 0
    assert token_distance("a b c".split(), "a x c".split()) == 1
    assert token_distance("a b c".split(), "a c".split()) == 1
    assert token_distance("a b c d".split(), "d c b a".split()) == 4
    assert token_distance([], "a b".split()) == 2
    assert (
        token_distance(
            tokens("responsibilities of a production manger"),
            tokens("responsibilities of a production manager"),
        )
        == 0
    )


def test_limit_depends_on_length() -> None:
    assert limit(6, 6) == 1
    assert limit(8, 7) == 1
    assert limit(9, 9) == 2
    assert limit(3, 3) == 1
    assert limit(2, 2) == 0  # one word of two is half the sentence
    assert limit(1, 1) == 0


TRAINING = [
    "responsibilities of a [production manager](role)",
    "what is a [product manager](role)",
    "how much does a [production manager](role) earn a year",
    "hi",
    "bye now",
    "what certifications are there for production managers who work in large factories",
]


def test_catches_a_typo_edit() -> None:
    found = twins(["responsibilities of a production manger"], TRAINING)
    assert [(t.example, t.distance) for t in found] == [
        ("responsibilities of a [production manager](role)", 0)
    ]


def test_catches_a_one_word_insertion() -> None:
    found = twins(["what even is a product manager", "ok bye now"], TRAINING)
    assert [(t.example, t.distance) for t in found] == [
        ("what is a [product manager](role)", 1),
        ("bye now", 1),
    ]


def test_catches_exact_copies_and_two_edits_in_long_sentences() -> None:
    found = twins(
        [
            "How much does a production manager earn a year?",
            "which certifications are there for production managers who work in big factories",
        ],
        TRAINING,
    )
    assert [t.distance for t in found] == [0, 2]


def test_does_not_flag_genuinely_different_sentences() -> None:
    candidates = [
        "what would my day look like running a production line",
        "if i became a product manager, what would my day look like",
        "a production manager's main duties, please",
        "is a product manager paid more than a production manager",
        "hello",  # a different one-word greeting is not a twin of "hi"
        "bye then",  # one of two words changed is not a twin either
        "what exactly is the product manager job",  # three edits
        "what is the role of a product manager",  # two insertions, 8 tokens
    ]
    assert twins(candidates, TRAINING) == []


def test_reports_each_candidate_once_with_its_nearest_twin() -> None:
    found = twins(["what is a product manager"], [*TRAINING, "what is a product manager?"])
    assert len(found) == 1
    assert found[0].distance == 0


def test_fast_enough_for_a_thousand_by_a_thousand() -> None:
    rng = random.Random(7)
    words = [f"w{i}" for i in range(60)] + ["manager", "manger", "product", "prodct", "production"]
    training = [" ".join(rng.choices(words, k=rng.randint(2, 14))) for _ in range(1000)]
    candidates = [" ".join(rng.choices(words, k=rng.randint(2, 14))) for _ in range(900)]
    candidates += [s + " extra" for s in training[:50]]
    start = time.perf_counter()
    found = twins(candidates, training)
    assert time.perf_counter() - start < 5.0
    assert len(found) >= 50
