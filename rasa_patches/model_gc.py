"""The loaded model kept out of the cyclic garbage collector's way.

Python's collector walks every container object it tracks in a full
(generation 2) collection. Once Rasa has loaded this model, that is about
530,000 objects (Rasa, spaCy and its vectors, scikit-learn, TensorFlow's
Python side) that live as long as the server does, so each full collection
took 150-340 ms, and on `make run`'s SQLite store one came about every 300
messages: the message it landed on waited that long (docs/benchmarks.md,
"Garbage collection").

`gc.freeze()` moves every object alive at that moment into a permanent
generation that collections skip; objects still die as soon as nothing
refers to them. `install` makes every message processor Rasa assigns to an
agent (the first model, and each one `PUT /model` loads; rasa_patches/
assignment.py) go through `frozen_after_load`, which collects once and
freezes what is left, the new model included.

A processor that replaces another is assigned while the old agent is still
in use (Rasa's `PUT /model` swaps agents after loading the new one), so the
old model would be frozen with the new one. Objects of it that only a
reference cycle keeps alive would then never be collected: one more full
collection and freeze, MODEL_SWAP_REFREEZE_SECONDS later, reclaims them.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
import weakref
from typing import Any

from rasa.core.agent import Agent

from rasa_patches.assignment import convert_on_assignment, converts

logger = logging.getLogger(__name__)

# The classes `install` changes (tests/conftest.py puts them back after each test).
PATCHED_CLASSES: tuple[type, ...] = (Agent,)
# Long enough for Rasa's `PUT /model` to put the new agent in place and for the
# requests still on the old one to finish.
MODEL_SWAP_REFREEZE_SECONDS = 10.0

# The processor the objects were last frozen for (a weak reference: freezing must
# not keep a replaced model alive).
_frozen_for: weakref.ReferenceType[Any] | None = None


def refreeze() -> int:
    """Everything frozen before back in the collector's care, one full collection, then freeze.

    Returns how many objects are frozen now.
    """
    started = time.perf_counter()
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    seconds = time.perf_counter() - started
    logger.debug(f"{frozen} objects frozen out of garbage collection in {seconds:.2f} s.")
    return frozen


def frozen_after_load(processor: Any) -> Any:
    """`processor`, unchanged, with every object alive now (its model too) frozen."""
    global _frozen_for
    if processor is None:
        return processor
    previous = _frozen_for() if _frozen_for is not None else None
    if previous is processor:
        return processor  # the same processor assigned again (rasa_patches.apply_to)
    refreeze()
    _frozen_for = weakref.ref(processor)
    if previous is not None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            pass  # no server running: nothing outlives this call for long
        else:
            loop.call_later(MODEL_SWAP_REFREEZE_SECONDS, refreeze)
    return processor


def install() -> None:
    convert_on_assignment(Agent, "processor", frozen_after_load)


def is_installed() -> bool:
    return converts(Agent, "processor", frozen_after_load)
