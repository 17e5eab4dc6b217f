"""`LookupCountVectorsFeaturizer`: Rasa's CountVectorsFeaturizer, counting by dictionary lookup.

The same component as Rasa's (same config, training, vocabulary, persisted
files and features, to the last index, count and dtype), with one change: a
message's counts come from the fitted vectorizer's analyzer and vocabulary
directly. Rasa calls scikit-learn's `CountVectorizer.transform` twice a message
(once per token, once for the whole text); each call builds, sorts and checks
sparse matrices around a few dozen lookups, and Rasa converts them again: the
largest share of our NLU time before this (docs/benchmarks.md).

Here each token's vocabulary columns are worked out once and remembered
(people reuse words), a message's counts are a `numpy.unique` over them, and the
sentence row is the sum of the token rows wherever that is exactly what
scikit-learn computes from the joined text: character n-grams within words
(`char_wb`) and single words. Other settings analyse the joined text as
scikit-learn does.

tests/unit/test_count_vectors.py holds its features against Rasa's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from sklearn.feature_extraction.text import CountVectorizer

# Distinct tokens remembered per attribute; past that the memory starts afresh.
MAX_REMEMBERED_TOKENS = 50_000

Features = list[scipy.sparse.spmatrix | None]


@dataclass
class Lookup:
    """A fitted vectorizer's analyzer and vocabulary, and the columns of tokens seen so far."""

    vectorizer: CountVectorizer
    vocabulary: dict[str, int]
    analyze: Callable[[str], list[str]]
    binary: bool
    dtype: Any
    # The sentence row is the sum of the token rows (see the module docstring).
    sentence_is_sum: bool
    columns: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def width(self) -> int:
        return len(self.vocabulary)

    def token_columns(self, token: str) -> tuple[int, ...]:
        known = self.columns.get(token)
        if known is None:
            if len(self.columns) >= MAX_REMEMBERED_TOKENS:
                self.columns.clear()
            known = self.columns[token] = self.text_columns(token)
        return known

    def text_columns(self, text: str) -> tuple[int, ...]:
        vocabulary = self.vocabulary
        return tuple(vocabulary[f] for f in self.analyze(text) if f in vocabulary)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class LookupCountVectorsFeaturizer(CountVectorsFeaturizer):
    """CountVectorsFeaturizer with the same features, computed without `CountVectorizer.transform`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lookups: dict[str, Lookup] = {}

    def _lookup(self, attribute: str, vectorizer: CountVectorizer) -> Lookup:
        if not hasattr(vectorizer, "vocabulary_"):
            # A vectorizer given a vocabulary sets it on first use, as `transform` does.
            vectorizer._validate_vocabulary()
        lookup = self._lookups.get(attribute)
        # Training fits new vectorizers (and vocabularies): never reuse a stale lookup.
        if (
            lookup is None
            or lookup.vectorizer is not vectorizer
            or lookup.vocabulary is not vectorizer.vocabulary_
        ):
            words = vectorizer.analyzer == "word" and vectorizer.ngram_range[1] == 1
            lookup = self._lookups[attribute] = Lookup(
                vectorizer=vectorizer,
                vocabulary=vectorizer.vocabulary_,
                analyze=vectorizer.build_analyzer(),
                binary=bool(vectorizer.binary),
                dtype=vectorizer.dtype,
                sentence_is_sum=vectorizer.analyzer == "char_wb" or words,
            )
        return lookup

    def _create_features(self, attribute: str, all_tokens: list[list[str]]) -> tuple[Features, Features]:
        vectorizer = self.vectorizers.get(attribute)
        if not vectorizer:
            return [None], [None]
        sequence_features: Features = []
        sentence_features: Features = []
        for tokens in all_tokens:
            if not tokens:
                sequence_features.append(None)
                sentence_features.append(None)
                continue
            # Looked up only now: an attribute without tokens needs no fitted vocabulary.
            lookup = self._lookup(attribute, vectorizer)
            per_token = [lookup.token_columns(token) for token in tokens]
            sequence_features.append(_matrix(per_token, lookup))
            if attribute not in DENSE_FEATURIZABLE_ATTRIBUTES:
                sentence_features.append(None)
            elif lookup.sentence_is_sum and all(len(t.split()) == 1 for t in tokens):
                sentence_features.append(_matrix([tuple(chain.from_iterable(per_token))], lookup))
            else:
                sentence_features.append(_matrix([lookup.text_columns(" ".join(tokens))], lookup))
        return sequence_features, sentence_features


def _matrix(rows: list[tuple[int, ...]], lookup: Lookup) -> scipy.sparse.coo_matrix:
    """Counts of each row's columns: what `CountVectorizer.transform` gives, as Rasa stores it.

    That is a COO matrix in row-major order with sorted columns, of the
    vectorizer's dtype, with scikit-learn's index dtype.
    """
    width = lookup.width
    lengths = [len(columns) for columns in rows]
    index_dtype = scipy.sparse._sputils.get_index_dtype(maxval=max(width, len(rows)))
    all_columns = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=sum(lengths))
    keys = np.repeat(np.arange(len(rows), dtype=np.int64), lengths) * width + all_columns
    cells, counts = np.unique(keys, return_counts=True)
    values = np.ones(len(cells), dtype=lookup.dtype) if lookup.binary else counts.astype(lookup.dtype)
    row_index, column_index = np.divmod(cells, width) if width else (cells, cells)
    return scipy.sparse.coo_matrix(
        (values, (row_index.astype(index_dtype), column_index.astype(index_dtype))),
        shape=(len(rows), width),
    )
