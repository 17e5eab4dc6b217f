"""`LinearIntentClassifier`: intents from a tf-idf logistic regression, without TensorFlow.

It replaces DIET for intents: as accurate on the held-out file, a parse many times
faster, and a load in milliseconds where DIET ran a training step to rebuild its
graph (most of the server's cold start); docs/pipeline.md and docs/benchmarks.md
give the figures and the commands that measure them. It reads the sentence-level features of
the featurizers before it (the count vectors' sparse features and spaCy's mean
vector), so config.yml keeps the usual featurizers.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.linear_model import LinearModel

logger = logging.getLogger(__name__)

MODEL_FILE = "linear_intent_model.npz"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    @classmethod
    def required_components(cls) -> list[type]:
        return [Featurizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Inverse regularisation strength; measured 3-100 in docs/pipeline.md.
            "C": 100.0,
            # Scale of the unit-length word vector next to the unit-length tf-idf row.
            "dense_weight": 1.0,
            "max_iter": 3000,
            "random_state": 42,
            "ranking_length": 10,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: LinearModel | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.model = model

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                model = LinearModel.load(directory / MODEL_FILE)
        except (ValueError, FileNotFoundError, OSError, KeyError) as error:
            # Trained without intent examples: classify nothing, as Rasa's own classifiers do.
            logger.debug(f"No intent model to load for {cls.__name__}: {error}")
            model = None
        return cls(config, model_storage, resource, model)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            logger.debug(f"{type(self).__name__}: no intent examples, nothing to train.")
            return self._resource
        counts, dense = self._features(examples)
        self.model = LinearModel.fit(
            counts,
            dense,
            [e.get(INTENT) for e in examples],
            C=float(self.config["C"]),
            dense_weight=float(self.config["dense_weight"]),
            max_iter=int(self.config["max_iter"]),
            random_state=int(self.config["random_state"]),
        )
        with self._model_storage.write_to(self._resource) as directory:
            self.model.save(directory / MODEL_FILE)
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        if self.model is None:
            return messages
        for message in messages:
            columns, counts, width = sentence_columns(message)
            dense = sentence_vector(message)
            if not counts.any() and (dense is None or not dense.any()):
                # Nothing the featurizers recognised (e.g. only emoji): no guess at all,
                # so the FallbackClassifier turns it into nlu_fallback.
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
                continue
            # No count featurizer ran (only a word vector): the counts are all zero.
            width = width or self.model.idf.shape[0]
            probabilities = self.model.message_probabilities(columns, counts, width, dense)
            order = np.argsort(-probabilities)
            ranking = [
                {"name": str(self.model.labels[i]), "confidence": float(probabilities[i])} for i in order
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            length = int(self.config["ranking_length"])
            message.set(INTENT_RANKING_KEY, ranking[:length] if length > 0 else ranking, add_to_output=True)
        return messages

    def _features(self, messages: list[Message]) -> tuple[sp.csr_matrix, np.ndarray | None]:
        counts = sp.vstack([sentence_counts(m) for m in messages], format="csr")
        dense_rows = [sentence_vector(m) for m in messages]
        if any(row is None for row in dense_rows):
            return counts, None
        return counts, np.vstack([row for row in dense_rows if row is not None])


def sentence_columns(message: Message) -> tuple[np.ndarray, np.ndarray, int]:
    """The sparse sentence features of the text, side by side in pipeline order.

    Returned as (columns, counts, total width): what `Message.get_sparse_features`
    holds, without its general-purpose sparse-matrix concatenation (a millisecond
    per message, most of this classifier's time).
    """
    columns, values, width = [], [], 0
    for feature in message.features:
        if feature.attribute == TEXT and feature.type == FEATURE_TYPE_SENTENCE and feature.is_sparse():
            matrix = feature.features.tocoo()
            columns.append(matrix.col + width)
            values.append(matrix.data)
            width += matrix.shape[1]
    if not columns:
        return np.zeros(0, dtype=np.int64), np.zeros(0), 0
    return np.concatenate(columns), np.concatenate(values).astype(np.float64), width


def sentence_counts(message: Message) -> sp.csr_matrix:
    """`sentence_columns` as a one-row matrix, for training."""
    columns, data, width = sentence_columns(message)
    if width == 0:
        return sp.csr_matrix((1, 0))
    return sp.csr_matrix((data, (np.zeros(len(data), dtype=np.int32), columns)), shape=(1, width))


def sentence_vector(message: Message) -> np.ndarray | None:
    """The dense sentence features of the text (spaCy's mean vector), if any."""
    rows = [
        np.asarray(feature.features).reshape(1, -1)
        for feature in message.features
        if feature.attribute == TEXT and feature.type == FEATURE_TYPE_SENTENCE and feature.is_dense()
    ]
    return np.hstack(rows) if rows else None
