"""rasa_patches/model_gc.py: a loaded model is frozen out of full collections, a replaced one reclaimed."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator

import pytest
from rasa.core.agent import Agent

from rasa_patches import model_gc


class Processor:
    """Stands in for a MessageProcessor: the patch only keeps a weak reference to it."""

    def __init__(self) -> None:
        self.model = [{"weights": [0.5] * 10}]
        # A reference cycle, as a loaded model has many: only the collector frees it.
        self.cycle: list[object] = [self]


def tracked(obj: object) -> bool:
    """Whether a collection would look at `obj` (frozen objects are in no generation)."""
    return any(candidate is obj for candidate in gc.get_objects())


@pytest.fixture(autouse=True)
def _unfrozen() -> Iterator[None]:
    """Each test starts and leaves with nothing frozen (a model loaded earlier froze its own)."""
    gc.unfreeze()
    model_gc._frozen_for = None
    yield
    gc.unfreeze()
    model_gc._frozen_for = None


def test_the_processor_is_kept_and_what_is_alive_then_is_frozen() -> None:
    model_gc.install()
    processor = Processor()
    assert tracked(processor.model)
    agent = Agent()
    agent.processor = processor
    assert agent.processor is processor
    assert not tracked(processor.model) and not tracked(processor)
    assert gc.get_freeze_count() > 0
    assert model_gc.is_installed()


def test_objects_made_after_the_freeze_are_collected_as_usual() -> None:
    model_gc.frozen_after_load(Processor())
    later = Processor()
    assert tracked(later)
    gone = weakref.ref(later)
    del later
    gc.collect()
    assert gone() is None


def test_the_same_processor_again_does_not_collect_again(monkeypatch: pytest.MonkeyPatch) -> None:
    processor = Processor()
    model_gc.frozen_after_load(processor)
    calls: list[str] = []

    def counted() -> int:
        calls.append("refreeze")
        return 0

    monkeypatch.setattr(model_gc, "refreeze", counted)
    model_gc.frozen_after_load(processor)
    model_gc.frozen_after_load(None)
    assert calls == []


def test_rasas_own_assignment_without_the_patch_freezes_nothing() -> None:
    agent = Agent()
    agent.processor = Processor()
    assert gc.get_freeze_count() == 0 and tracked(agent.processor)


def test_a_replaced_model_is_reclaimed_after_the_swap(monkeypatch: pytest.MonkeyPatch) -> None:
    """As `PUT /model`: the new processor is assigned while the old agent is still referenced."""
    monkeypatch.setattr(model_gc, "MODEL_SWAP_REFREEZE_SECONDS", 0.05)
    model_gc.install()

    async def swap() -> weakref.ReferenceType[Processor]:
        old_agent = Agent()
        old_agent.processor = Processor()
        old = weakref.ref(old_agent.processor)
        new_agent = Agent()
        new_agent.processor = Processor()
        del old_agent  # the server drops the old agent once the new one is in place
        # Frozen with the new model, and only a cycle keeps it: not collected yet.
        gc.collect()
        assert old() is not None
        await asyncio.sleep(0.2)
        assert tracked(new_agent.processor.model) is False
        return old

    old = asyncio.run(swap())
    assert old() is None
