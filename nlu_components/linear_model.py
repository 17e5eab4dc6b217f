"""A multinomial logistic regression over tf-idf weighted n-gram counts and a word vector.

Plain functions and one small class, without Rasa, so the maths is tested on its own
(tests/unit/test_linear_model.py). `LinearIntentClassifier` wraps it as a Rasa component.

Why tf-idf on top of the count featurizers: raw counts let long questions and the
single characters of the char n-gram featurizer dominate; sublinear tf-idf with unit
length rows lifted held-out intent accuracy with the same features (docs/pipeline.md).
Prediction is a matrix product and a softmax in numpy, so the model is stored as plain
arrays (no pickle) and a message costs little.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression


def tfidf_rows(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear tf (1 + log count) times idf, each row scaled to length 1: the
    training matrix. `LinearModel.message_probabilities` does the same for one message."""
    weighted = sp.csr_matrix(counts, dtype=np.float64, copy=True)
    weighted.data = (1.0 + np.log(weighted.data)) * idf[weighted.indices]
    rows = np.repeat(np.arange(weighted.shape[0]), np.diff(weighted.indptr))
    norms = np.sqrt(np.bincount(rows, weights=weighted.data**2, minlength=weighted.shape[0]))
    norms[norms == 0.0] = 1.0
    weighted.data /= norms[rows]
    return weighted


def inverse_document_frequency(counts: sp.csr_matrix) -> np.ndarray:
    """Smoothed idf, as scikit-learn's TfidfTransformer computes it."""
    n_documents = counts.shape[0]
    present = sp.csr_matrix(counts)
    present.eliminate_zeros()
    document_frequency = np.bincount(present.indices, minlength=counts.shape[1])
    return np.asarray(np.log((1.0 + n_documents) / (1.0 + document_frequency)) + 1.0)


def unit_dense_rows(matrix: np.ndarray) -> np.ndarray:
    """Each row scaled to Euclidean length 1; all-zero rows stay zero."""
    matrix = np.asarray(matrix, dtype=np.float64)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0.0] = 1.0
    return matrix / norms


def softmax(scores: np.ndarray) -> np.ndarray:
    shifted = scores - scores.max(axis=1, keepdims=True)
    exps = np.exp(shifted)
    return np.asarray(exps / exps.sum(axis=1, keepdims=True))


@dataclass
class LinearModel:
    """What a trained classifier is: the idf weights, the coefficients and the labels."""

    idf: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    labels: np.ndarray
    dense_weight: float

    def _check(self, counts: sp.csr_matrix) -> None:
        if counts.shape[1] != self.idf.shape[0]:
            raise ValueError(f"expected {self.idf.shape[0]} count features, got {counts.shape[1]}")

    def features(self, counts: sp.csr_matrix, dense: np.ndarray | None) -> sp.csr_matrix:
        """The training matrix: tf-idf rows, then the weighted unit word vectors."""
        self._check(counts)
        weighted = tfidf_rows(counts, self.idf)
        if dense is None or dense.size == 0:
            return weighted
        return sp.hstack([weighted, unit_dense_rows(dense) * self.dense_weight], format="csr")

    def probabilities(self, counts: sp.csr_matrix, dense: np.ndarray | None) -> np.ndarray:
        """One row per message, one column per label, each row summing to 1."""
        self._check(counts)
        counts = sp.csr_matrix(counts)
        rows = [
            self.message_probabilities(
                counts.indices[counts.indptr[i] : counts.indptr[i + 1]],
                counts.data[counts.indptr[i] : counts.indptr[i + 1]],
                counts.shape[1],
                None if dense is None else dense[i],
            )
            for i in range(counts.shape[0])
        ]
        return np.vstack(rows) if rows else np.zeros((0, self.labels.size))

    def message_probabilities(
        self, columns: np.ndarray, counts: np.ndarray, width: int, dense: np.ndarray | None
    ) -> np.ndarray:
        """The label probabilities of one message, given as its non-zero count columns.

        Plain numpy over those few hundred columns, without building scipy matrices:
        tens of microseconds a message (scipy's sparse algebra took a millisecond).
        """
        n_sparse = self.idf.shape[0]
        if width != n_sparse:
            raise ValueError(f"expected {n_sparse} count features, got {width}")
        columns = np.asarray(columns, dtype=np.int64)
        counts = np.asarray(counts, dtype=np.float64)
        nonzero = counts != 0
        columns, counts = columns[nonzero], counts[nonzero]
        if np.unique(columns).size != columns.size:
            columns, where = np.unique(columns, return_inverse=True)
            counts = np.bincount(where, weights=counts)
        weights = (1.0 + np.log(counts)) * self.idf[columns]
        norm = np.sqrt(weights @ weights)
        if norm:
            weights = weights / norm
        scores = self.coef[:, columns] @ weights + self.intercept
        if dense is not None and dense.size and self.coef.shape[1] > n_sparse:
            vector = np.asarray(dense, dtype=np.float64).ravel()
            length = np.sqrt(vector @ vector)
            if length:
                scores = scores + self.coef[:, n_sparse:] @ (vector / length * self.dense_weight)
        return softmax(scores[np.newaxis, :])[0]

    @classmethod
    def fit(
        cls,
        counts: sp.csr_matrix,
        dense: np.ndarray | None,
        labels: list[str],
        *,
        C: float,
        dense_weight: float,
        max_iter: int,
        random_state: int,
    ) -> LinearModel:
        if len(set(labels)) < 2:
            raise ValueError("a classifier needs examples of at least two intents")
        idf = inverse_document_frequency(counts)
        untrained = cls(idf, np.zeros(0), np.zeros(0), np.array([]), dense_weight)
        regression = LogisticRegression(
            C=C,
            max_iter=max_iter,
            class_weight="balanced",
            random_state=random_state,
            solver="lbfgs",
            multi_class="multinomial",
        )
        regression.fit(untrained.features(counts, dense), labels)
        coef, intercept = regression.coef_, regression.intercept_
        if coef.shape[0] == 1:
            # scikit-learn keeps one row for two classes; its softmax runs over (-s, s).
            coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
        return cls(
            idf=idf,
            coef=coef,
            intercept=intercept,
            labels=regression.classes_.astype(str),
            dense_weight=dense_weight,
        )

    def save(self, path: Path) -> None:
        np.savez(
            path,
            idf=self.idf,
            coef=self.coef,
            intercept=self.intercept,
            labels=self.labels.astype(str),
            dense_weight=np.array(self.dense_weight),
        )

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        with np.load(path, allow_pickle=False) as arrays:
            return cls(
                idf=arrays["idf"],
                coef=arrays["coef"],
                intercept=arrays["intercept"],
                labels=arrays["labels"],
                dense_weight=float(arrays["dense_weight"]),
            )
