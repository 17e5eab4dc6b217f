"""The docs name files and tests that exist: a move or a rename that forgets a doc fails here.

In README.md and docs/*.md, every `path/with/slashes.ext` in backquotes is a
tracked file (or one a command writes: results/, var/, models/, ...), every
`test_file.py` is a test file of tests/, and every `test_name` a test that is
defined. CHANGELOG.md is history and may name what is gone.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from local_stack.processes import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Written by a command or installed, never tracked.
GENERATED = ("results/", "var/", ".venv/", "models/", ".spacy/", "web/node_modules/", "docs/images/", "../")
FILE = re.compile(r"`([A-Za-z0-9_./-]+\.(?:py|yml|yaml|sh|md|json|txt|toml|lock|png|html|js|conf))`")
TEST_NAME = re.compile(r"`(test_[a-z0-9_]+)`")


def _tracked() -> set[str]:
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(listed.stdout.split())


TRACKED = _tracked()
TEST_FILES = {Path(path).name for path in TRACKED if path.startswith("tests/")}
TEST_SOURCE = "\n".join(
    (ROOT / path).read_text(encoding="utf-8")
    for path in TRACKED
    if path.startswith("tests/") and path.endswith(".py")
)


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.name)
def test_every_file_a_doc_names_exists(doc: Path) -> None:
    named = set(FILE.findall(doc.read_text(encoding="utf-8")))
    paths = {name for name in named if "/" in name and not name.startswith(GENERATED)}
    test_files = {name for name in named if "/" not in name and name.startswith("test_")}
    missing = sorted((paths - TRACKED) | (test_files - TEST_FILES))
    assert missing == []


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.name)
def test_every_test_a_doc_names_is_defined(doc: Path) -> None:
    names = set(TEST_NAME.findall(doc.read_text(encoding="utf-8")))
    assert [name for name in sorted(names) if f"def {name}(" not in TEST_SOURCE] == []


def test_the_check_sees_the_docs_names() -> None:
    # Without names to check, the two tests above would pass on anything.
    robustness = (ROOT / "docs" / "robustness.md").read_text(encoding="utf-8")
    assert len(TEST_NAME.findall(robustness)) >= 20
    assert len(FILE.findall((ROOT / "README.md").read_text(encoding="utf-8"))) >= 40
