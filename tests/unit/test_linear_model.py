"""The intent model's maths: tf-idf as scikit-learn computes it, probabilities as its regression's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression

from nlu_components.linear_model import LinearModel, inverse_document_frequency, tfidf_rows

TEXTS = [
    "what does a product manager earn",
    "salary of a production manager",
    "how much do they make",
    "what degree do i need",
    "which degree fits production",
    "education for a product manager",
    "hello there",
    "hi bot",
    "hey hello",
]
LABELS = ["salary"] * 3 + ["education"] * 3 + ["greet"] * 3


def counts_and_vectors() -> tuple[sp.csr_matrix, np.ndarray]:
    counts = sp.csr_matrix(CountVectorizer(analyzer="char_wb", ngram_range=(1, 3)).fit_transform(TEXTS))
    vectors = np.random.default_rng(0).normal(size=(len(TEXTS), 5))
    return counts, vectors


def fit(counts: sp.csr_matrix, vectors: np.ndarray | None, labels: list[str] = LABELS) -> LinearModel:
    return LinearModel.fit(counts, vectors, labels, C=10.0, dense_weight=0.5, max_iter=2000, random_state=0)


def test_tfidf_matches_scikit_learn() -> None:
    counts, _ = counts_and_vectors()
    ours = tfidf_rows(counts, inverse_document_frequency(counts))
    theirs = TfidfTransformer(sublinear_tf=True).fit_transform(counts)
    np.testing.assert_allclose(ours.toarray(), theirs.toarray(), atol=1e-12)


def test_an_empty_row_stays_empty() -> None:
    counts = sp.csr_matrix(np.array([[0, 0, 0], [1, 0, 2]]))
    rows = tfidf_rows(counts, np.ones(3)).toarray()
    assert not rows[0].any() and np.isclose(np.linalg.norm(rows[1]), 1.0)


def test_probabilities_are_the_regressions_own() -> None:
    counts, vectors = counts_and_vectors()
    model = fit(counts, vectors)
    features = model.features(counts, vectors)
    reference = LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced", random_state=0)
    reference.fit(features, LABELS)
    np.testing.assert_allclose(
        model.probabilities(counts, vectors), reference.predict_proba(features), atol=1e-6
    )
    assert list(model.labels) == ["education", "greet", "salary"]


def test_it_learns_the_training_labels() -> None:
    counts, vectors = counts_and_vectors()
    model = fit(counts, vectors)
    predicted = model.labels[model.probabilities(counts, vectors).argmax(axis=1)]
    assert list(predicted) == LABELS
    np.testing.assert_allclose(model.probabilities(counts, vectors).sum(axis=1), 1.0)


def test_two_labels_give_two_columns_like_scikit_learn() -> None:
    counts, vectors = counts_and_vectors()
    labels = ["greet" if label == "greet" else "question" for label in LABELS]
    model = fit(counts, vectors, labels)
    reference = LogisticRegression(
        C=10.0, max_iter=2000, class_weight="balanced", random_state=0, multi_class="multinomial"
    )
    reference.fit(model.features(counts, vectors), labels)
    expected = reference.predict_proba(model.features(counts, vectors))
    np.testing.assert_allclose(model.probabilities(counts, vectors), expected, atol=1e-6)


def test_without_word_vectors() -> None:
    counts, _ = counts_and_vectors()
    model = fit(counts, None)
    assert model.probabilities(counts, None).shape == (len(TEXTS), 3)


def test_one_label_is_refused() -> None:
    counts, vectors = counts_and_vectors()
    with pytest.raises(ValueError, match="two intents"):
        fit(counts, vectors, ["greet"] * len(TEXTS))


def test_a_row_of_the_wrong_width_is_refused() -> None:
    counts, vectors = counts_and_vectors()
    model = fit(counts, vectors)
    with pytest.raises(ValueError, match="count features"):
        model.probabilities(sp.csr_matrix((1, counts.shape[1] + 1)), vectors[:1])


def test_saved_and_loaded_without_pickle(tmp_path: Path) -> None:
    counts, vectors = counts_and_vectors()
    model = fit(counts, vectors)
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = LinearModel.load(path)
    np.testing.assert_array_equal(loaded.probabilities(counts, vectors), model.probabilities(counts, vectors))
    assert list(loaded.labels) == list(model.labels) and loaded.dense_weight == 0.5


def test_one_message_gets_the_regressions_own_probabilities() -> None:
    counts, vectors = counts_and_vectors()
    model = fit(counts, vectors)
    features = model.features(counts, vectors)
    reference = LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced", random_state=0)
    expected = reference.fit(features, LABELS).predict_proba(features)
    for row in range(counts.shape[0]):
        one = counts[row].tocoo()
        got = model.message_probabilities(one.col, one.data, counts.shape[1], vectors[row])
        np.testing.assert_allclose(got, expected[row], atol=1e-6)


def test_one_message_with_repeated_columns_is_summed_first() -> None:
    counts, vectors = counts_and_vectors()
    model = fit(counts, vectors)
    one = counts[0].tocoo()
    halves = np.concatenate([one.data / 2, one.data / 2])
    got = model.message_probabilities(np.concatenate([one.col, one.col]), halves, counts.shape[1], vectors[0])
    np.testing.assert_allclose(got, model.probabilities(counts[0], vectors[:1])[0], atol=1e-12)


def test_one_message_of_the_wrong_width_is_refused() -> None:
    counts, vectors = counts_and_vectors()
    model = fit(counts, vectors)
    with pytest.raises(ValueError, match="count features"):
        model.message_probabilities(np.array([0]), np.array([1.0]), counts.shape[1] + 1, vectors[0])
