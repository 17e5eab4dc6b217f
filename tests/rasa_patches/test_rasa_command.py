"""rasa_patches/rasa_command.py: the start scripts' warning filters, put back after Sanic's."""

from __future__ import annotations

import warnings

from rasa_patches.rasa_command import refilter, silenced_modules


def test_silenced_modules_are_read_from_pythonwarnings_in_order() -> None:
    env = {
        "PYTHONWARNINGS": "ignore::DeprecationWarning:pkg_resources,default,ignore::DeprecationWarning:typer"
    }
    assert silenced_modules(env) == ["pkg_resources", "typer"]
    assert silenced_modules({}) == []


def test_refilter_silences_the_named_module_only_and_wins_over_a_later_once() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.resetwarnings()
        warnings.filterwarnings("once", category=DeprecationWarning)  # what Sanic does on import
        refilter(["quiet.module"])
        warnings.warn_explicit("old API", DeprecationWarning, "q.py", 1, module="quiet.module")
        warnings.warn_explicit("old API", DeprecationWarning, "q.py", 1, module="quiet.module.sub")
        warnings.warn_explicit("ours", DeprecationWarning, "a.py", 1, module="actions.answers")
    assert [(str(w.message), w.filename) for w in caught] == [("old API", "q.py"), ("ours", "a.py")]
