"""On the trained model, SequentialGraphRunner parses and predicts exactly as DaskGraphRunner.

Both runners share the model's loaded components; each message is parsed and
each dialogue turn predicted by both, and the results must be equal.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.runner.interface import GraphRunner
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.loading import load_data

import rasa_patches
from evaluation.holdout import HOLDOUT
from evaluation.question_set import load_items
from local_stack.servers import MODEL
from rasa_patches.graph_runner import SequentialGraphRunner

# Inputs the channels let through to NLU, beyond ordinary questions.
ODD_TEXTS = ["?", "!!!", "ok", "PRODUCT MANAGER", "product manager " * 40, "é ñ 中文 🙂", "/greet"]


@pytest.fixture(scope="module")
def processor() -> Iterator[MessageProcessor]:
    """The model as Rasa alone loads it: its hook (rasa_patches/model_hook.py) installs nothing."""
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rasa_patches, "install", lambda: None)
        agent = Agent.load(str(MODEL))
    assert agent.processor is not None
    assert isinstance(agent.processor.graph_runner, DaskGraphRunner)
    yield agent.processor


def parse(processor: MessageProcessor, runner: GraphRunner, text: str, sender: str = "runner-test") -> dict:
    processor.graph_runner = runner
    return processor._parse_message_with_graph(
        UserMessage(text, sender_id=sender), DialogueStateTracker.from_events(sender, [])
    )


def test_every_held_out_message_parses_the_same(processor: MessageProcessor) -> None:
    dask = processor.graph_runner
    sequential = SequentialGraphRunner.replacing(dask)
    texts = [example.get("text") for example in load_data(str(HOLDOUT)).intent_examples] + ODD_TEXTS
    try:
        for text in texts:
            assert parse(processor, sequential, text) == parse(processor, dask, text), text
    finally:
        processor.graph_runner = dask


FORM = "career_fit_form"


def test_every_dialogue_turn_is_predicted_the_same(processor: MessageProcessor) -> None:
    dask = processor.graph_runner
    sequential = SequentialGraphRunner.replacing(dask)
    conversations = [[t for t in item.turns if isinstance(t, str)] for item in load_items()]
    turns = 0
    try:
        for number, texts in enumerate(conversations):
            sender = f"conversation-{number}"
            tracker = DialogueStateTracker.from_events(
                sender, [ActionExecuted("action_listen")], processor.domain.slots
            )
            for text in texts:
                data = parse(processor, dask, text, sender)
                tracker.update(UserUttered(text, data["intent"], data["entities"], data))
                # The action for the message, then action_listen after it; a request for
                # the advisor has career_fit_form between them (data/rules.yml).
                for _ in range(3):
                    processor.graph_runner = dask
                    expected = processor._predict_next_with_tracker(tracker.copy())
                    processor.graph_runner = sequential
                    predicted = processor._predict_next_with_tracker(tracker.copy())
                    assert predicted == expected, (text, tracker.events)
                    action = processor.domain.action_names_or_texts[predicted.max_confidence_index]
                    tracker.update(ActionExecuted(action, predicted.policy_name, predicted.max_confidence))
                    turns += 1
                    if action in ("action_listen", FORM):
                        break
                if action == FORM:
                    break  # the form's own events are not played here: the next conversation
                assert action == "action_listen", text
    finally:
        processor.graph_runner = dask
    assert turns > 200


def test_loading_the_model_puts_the_sequential_runner_under_it() -> None:
    agent = Agent.load(str(MODEL))
    assert agent.processor is not None
    assert isinstance(agent.processor.graph_runner, SequentialGraphRunner)
    parsed = parse(agent.processor, agent.processor.graph_runner, "what do production managers earn")
    assert parsed["intent"]["name"] == "ask_question"
    assert [e["value"] for e in parsed["entities"] if e["entity"] == "role"] == ["production manager"]
