"""`rasa`, with the third-party DeprecationWarnings that scripts/lib/quiet_warnings.sh names silenced.

The start scripts (`make run`, `make shell`, `make train`, ...) pass those
filters in PYTHONWARNINGS, one `ignore::DeprecationWarning:<module>` each.
Python installs them at start-up, but Sanic 21.12 calls
`filterwarnings("once", category=DeprecationWarning)` when it is imported
(sanic/app.py), which puts every DeprecationWarning ahead of them, so the
pinned packages' import-time notices (pkg_resources, distutils, click, ...)
printed a screen of warnings before the prompt. Rasa 3.6.21 then adds
`filterwarnings("once", category=UserWarning)` when a command starts
(`rasa.utils.common._filter_warnings`), and pyparsing's deprecation
warnings are UserWarnings too. Here Sanic is imported first and the same
filters are put back in front, and again each time after Rasa's own; every
other warning, ours included, shows as before.

Usage: python -m rasa_patches.rasa_command <rasa arguments>, e.g. `run actions`.
"""

from __future__ import annotations

import os
import re
import sys
import warnings
from typing import Any

PREFIX = "ignore::DeprecationWarning:"


def silenced_modules(environ: dict[str, str] | os._Environ[str] = os.environ) -> list[str]:
    """The modules PYTHONWARNINGS silences DeprecationWarnings of, in its order."""
    options = environ.get("PYTHONWARNINGS", "").split(",")
    return [option[len(PREFIX) :].strip() for option in options if option.startswith(PREFIX)]


def refilter(modules: list[str]) -> None:
    """Put an ignore filter for each module's DeprecationWarnings in front of every other filter."""
    for module in reversed(modules):
        # As Python reads a -W / PYTHONWARNINGS module: the whole name, literally.
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=re.escape(module) + r"\Z")


def main() -> None:
    import rasa.utils.common
    import sanic  # noqa: F401  (its own filter first, ours after it)

    modules = silenced_modules()
    refilter(modules)
    rasa_filters = rasa.utils.common._filter_warnings

    def rasa_filters_then_ours(*args: Any, **kwargs: Any) -> None:
        rasa_filters(*args, **kwargs)
        refilter(modules)

    rasa.utils.common._filter_warnings = rasa_filters_then_ours
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
