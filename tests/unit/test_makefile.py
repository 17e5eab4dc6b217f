"""The Makefile documents itself: `make help` prints each target's `## ` text, so it cannot drift."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from local_stack.processes import ROOT

MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def phony_targets() -> list[str]:
    found = re.search(r"^\.PHONY:(.*)$", MAKEFILE, re.MULTILINE)
    assert found, "the Makefile has a .PHONY line"
    return found.group(1).split()


def test_every_phony_target_has_a_rule_with_a_description() -> None:
    for target in phony_targets():
        assert re.search(rf"^{re.escape(target)}:[^=\n]*## \S", MAKEFILE, re.MULTILINE), (
            f"`{target}:` has no `## description` on its line"
        )


def test_every_named_rule_is_phony() -> None:
    # Rules named by a word (not a file such as $(MODEL)) are the commands a developer runs.
    rules = set(re.findall(r"^([a-z][a-z_-]*):(?!=)", MAKEFILE, re.MULTILINE))
    assert rules == set(phony_targets())


@pytest.mark.skipif(shutil.which("make") is None, reason="no make here")
def test_make_help_lists_every_target() -> None:
    result = subprocess.run(
        ["make", "--no-print-directory", "help"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    listed = re.findall(r"^  make (\S+) ", result.stdout, re.MULTILINE)
    assert listed == [t for t in re.findall(r"^([a-z][a-z_-]*):(?!=)", MAKEFILE, re.MULTILINE)]
    assert sorted(listed) == sorted(phony_targets())


def test_the_python_paths_are_written_once() -> None:
    paths = re.search(r"^PY_PATHS := (.*)$", MAKEFILE, re.MULTILINE)
    assert paths, "the Makefile defines PY_PATHS"
    for path in paths.group(1).split():
        assert (ROOT / path).is_dir(), path
    assert MAKEFILE.count(paths.group(1)) == 1
    for script in sorted((ROOT / "scripts").glob("*.sh")):
        assert paths.group(1) not in script.read_text(encoding="utf-8"), script
