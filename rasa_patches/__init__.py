"""Every replacement of a Rasa internal in this project, written for Rasa 3.6.21 only.

Each module, what it replaces, and its test in tests/rasa_patches/ (beside
those, the suites that run the whole server hold the behaviour):

- graph_runner: the `DaskGraphRunner` of every `MessageProcessor`
  (test_graph_runner.py; on the trained model, tests/nlu/test_graph_runner_model.py);
- action_response: `RemoteAction._validate_action_result` (test_action_response.py);
- event_types: `Event.resolve_by_type` (test_event_types.py);
- domain_checks: `Domain.is_empty` (test_domain_checks.py);
- action_endpoint: the action endpoint of the agent and of every processor,
  with its HTTP client in action_client (test_action_endpoint.py,
  test_action_client.py; tests/hardening/test_failing_parts.py);
- store_errors: the error callback of their `FailSafeTrackerStore`
  (test_store_errors.py; tests/hardening/test_tracker_store.py);
- model_gc: the agent's message processor, with the loaded model frozen out
  of the garbage collector's full collections (test_model_gc.py);
- rasa_command: `rasa.utils.common._filter_warnings`, for the start scripts'
  warning filters (test_rasa_command.py).

Each patch module says what Rasa does, what it does instead and why, and has
an `install()` and an `is_installed()`; assignment and action_client serve
them, and rasa_command is the start scripts' way into `rasa`.

`install()` puts them all in place, once per process, and refuses to on any
Rasa but RASA_VERSION: each patch leans on the inside of that version. Rasa
calls it, in every mode, from two parts it loads by name:

- the tracker store of endpoints.yml (deploy/stores.py), which `rasa run` and
  `rasa shell` build before the agent and its model, so every part of the
  agent is patched from the start;
- `rasa_patches.model_hook.InstallRasaPatches`, the first component of
  config.yml's pipeline, which every command that loads the model runs
  (`rasa test` too, which builds no tracker store): from the model's load
  on, so under `rasa test` the first agent keeps Rasa's own action endpoint
  and tracker store wrapper, which `rasa test` does not use.

The hardened REST channel calls `apply_to(agent)` once the server has
started, for an agent Rasa built before either hook ran.

It logs one line naming what is in place (`installed()`), the same in every
mode: tests/e2e/test_shipped.py checks it in `rasa run`'s log,
tests/channels/test_shell.py in `rasa shell`'s and scripts/test.sh in
`rasa test core`'s.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

logger = logging.getLogger(__name__)

RASA_VERSION = "3.6.21"


class UnsupportedRasaVersion(RuntimeError):
    """The installed Rasa is not the version these patches were written for."""


def check_rasa_version(installed: str) -> None:
    if installed != RASA_VERSION:
        raise UnsupportedRasaVersion(
            f"This assistant's rasa_patches replace internals of Rasa {RASA_VERSION}, "
            f"but Rasa {installed} is installed. Install the pinned packages "
            "(`make setup`, requirements.lock), or check every module of rasa_patches/ "
            "against the new Rasa with its test before changing RASA_VERSION."
        )


# Their order in the log line; each is a module of this package.
PATCHES = (
    "graph_runner",
    "action_response",
    "event_types",
    "domain_checks",
    "action_endpoint",
    "store_errors",
    "model_gc",
)


def _patches() -> dict[str, Any]:
    # Imported here, not at the top: `python -m rasa_patches.rasa_command run actions`
    # starts the action server, which must not load Rasa's core.
    return {name: importlib.import_module(f"{__name__}.{name}") for name in PATCHES}


def patched_classes() -> list[type]:
    """Every Rasa class some patch changes."""
    classes: list[type] = []
    for patch in _patches().values():
        classes.extend(cls for cls in patch.PATCHED_CLASSES if cls not in classes)
    return classes


def installed() -> list[str]:
    """The patches in place in this process, read from Rasa's classes."""
    return [name for name, patch in _patches().items() if patch.is_installed()]


def install() -> None:
    """Every patch, once; refuses a Rasa other than RASA_VERSION."""
    import rasa

    check_rasa_version(rasa.__version__)
    patches = _patches()
    if all(patch.is_installed() for patch in patches.values()):
        return
    for patch in patches.values():
        patch.install()
    logger.info(f"Rasa {RASA_VERSION} patched (rasa_patches): {', '.join(installed())}.")


def apply_to(agent: Any) -> None:
    """`install()`, and `agent`'s parts put through the patches if it was built before them.

    For a server whose agent Rasa built before either hook ran (an endpoints
    file without deploy/stores.py's tracker store): the hardened REST channel
    calls it once the server has started (connectors/rest.py).
    """
    install()
    for owner in (agent, getattr(agent, "processor", None)):
        if owner is None:
            continue
        for part in ("tracker_store", "action_endpoint", "graph_runner", "processor"):
            # Assigning a part to itself sends it through its patch's conversion.
            if part in vars(owner):
                setattr(owner, part, vars(owner)[part])
