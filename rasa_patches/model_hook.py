"""A pipeline component that installs rasa_patches wherever Rasa loads the model.

Rasa builds every component of config.yml's pipeline whenever it loads a
model: `rasa run`, `rasa shell`, `rasa test`, `rasa interactive`, a model
swapped in by `PUT /model`. Being one of them is the one hook every mode has,
including those that build no tracker store (`rasa test`). It changes no
message: `process` hands them on as they are.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

import rasa_patches


# Registered as a featurizer, the one kind of untrained component that both
# the training and the prediction graph run; it adds no features.
@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class InstallRasaPatches(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> InstallRasaPatches:
        rasa_patches.install()
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
