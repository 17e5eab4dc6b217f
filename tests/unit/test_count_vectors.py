"""LookupCountVectorsFeaturizer gives Rasa's CountVectorsFeaturizer's features, index for index.

Both are trained on data/nlu.yml with the configurations config.yml uses (and
a few more), then featurize every training and held-out message and some odd
ones; the sparse matrices must be equal in shape, dtype, order and value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.count_vectors import LookupCountVectorsFeaturizer

ROOT = Path(__file__).resolve().parents[2]
ODD_TEXTS = [
    "?",
    "ok",
    "PRODUCT MANAGER",
    "é ñ 中文 🙂",
    "prodct manger pay",
    "product " * 60,
    "a-b_c 12 3.5%",
]

CONFIGS: list[dict[str, Any]] = [
    {},  # words, as in config.yml
    {"analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4},  # as in config.yml
    {"analyzer": "char", "min_ngram": 2, "max_ngram": 3},
    {"min_ngram": 1, "max_ngram": 2, "use_shared_vocab": True},
    {"binary": True, "max_features": 50},
    {"OOV_token": "oov", "min_df": 3},
]


@pytest.fixture(scope="module")
def tokenized() -> tuple[TrainingData, list[Message]]:
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    training = load_data(str(ROOT / "data" / "nlu.yml"))
    tokenizer.process_training_data(training)
    texts = [m.get(TEXT) for m in load_data(str(ROOT / "tests" / "nlu_holdout.yml")).intent_examples]
    others = [Message(data={TEXT: text}) for text in texts + ODD_TEXTS]
    tokenizer.process(others)
    return training, others


def featurizer(
    cls: type[CountVectorsFeaturizer], config: dict[str, Any], path: Path
) -> CountVectorsFeaturizer:
    path.mkdir(exist_ok=True)
    context = ExecutionContext(GraphSchema({}), node_name=f"{cls.__name__}_node")
    return cls.create(
        {**cls.get_default_config(), **config}, LocalModelStorage(path), Resource(cls.__name__), context
    )


def assert_same(ours: scipy.sparse.spmatrix | None, rasas: scipy.sparse.spmatrix | None, what: str) -> None:
    if rasas is None:
        assert ours is None, what
        return
    assert ours is not None, what
    ours_coo, rasas_coo = ours.tocoo(), rasas.tocoo()
    assert ours_coo.shape == rasas_coo.shape, what
    assert ours_coo.dtype == rasas_coo.dtype, what
    for field in ("row", "col", "data"):
        np.testing.assert_array_equal(getattr(ours_coo, field), getattr(rasas_coo, field), err_msg=what)


@pytest.mark.parametrize(
    "config", CONFIGS, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()) or "words"
)
def test_same_features_as_rasa(
    config: dict[str, Any], tokenized: tuple[TrainingData, list[Message]], tmp_path: Path
) -> None:
    training, others = tokenized
    rasas = featurizer(CountVectorsFeaturizer, config, tmp_path / "rasa")
    rasas.train(training)
    ours = featurizer(LookupCountVectorsFeaturizer, config, tmp_path / "ours")
    ours.train(training)
    assert ours.vectorizers.keys() == rasas.vectorizers.keys()
    checked = 0
    for message in training.training_examples + others:
        for attribute in rasas._attributes:
            tokens = rasas._get_processed_message_tokens_by_attribute(message, attribute)
            assert ours._get_processed_message_tokens_by_attribute(message, attribute) == tokens
            (rasa_sequence,), (rasa_sentence,) = rasas._create_features(attribute, [tokens])
            (our_sequence,), (our_sentence,) = ours._create_features(attribute, [tokens])
            what = f"{attribute} of {message.get(TEXT)!r}"
            assert_same(our_sequence, rasa_sequence, what)
            assert_same(our_sentence, rasa_sentence, what)
            checked += tokens != []
    assert checked > 1000


def test_a_loaded_featurizer_gives_the_same_features(
    tokenized: tuple[TrainingData, list[Message]], tmp_path: Path
) -> None:
    training, others = tokenized
    config = {**LookupCountVectorsFeaturizer.get_default_config(), **CONFIGS[1]}
    trained = featurizer(LookupCountVectorsFeaturizer, CONFIGS[1], tmp_path)
    trained.train(training)
    context = ExecutionContext(GraphSchema({}), node_name="loaded")
    loaded = LookupCountVectorsFeaturizer.load(
        config, LocalModelStorage(tmp_path), Resource(LookupCountVectorsFeaturizer.__name__), context
    )
    for message in others:
        tokens = trained._get_processed_message_tokens_by_attribute(message, TEXT)
        for before, after in zip(
            trained._create_features(TEXT, [tokens]), loaded._create_features(TEXT, [tokens]), strict=True
        ):
            assert_same(after[0], before[0], str(message.get(TEXT)))
