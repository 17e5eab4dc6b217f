"""What may import what: scripts and the non-test packages never import from tests/,
and deploy/ (what runs in production) nothing of the local stack's."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from local_stack.processes import ROOT

NOT_TESTS = (
    "scripts",
    "local_stack",
    "evaluation",
    "benchmarks",
    "deploy",
    "actions",
    "connectors",
    "rasa_patches",
    "nlu_components",
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("folder", NOT_TESTS)
def test_nothing_outside_tests_imports_from_tests(folder: str) -> None:
    for path in python_files(folder):
        bad = {m for m in imported_modules(path) if m == "tests" or m.startswith("tests.")}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_production_code_does_not_import_the_local_stack() -> None:
    for folder in ("deploy", "actions", "connectors", "rasa_patches", "nlu_components"):
        for path in python_files(folder):
            bad = {m for m in imported_modules(path) if m.split(".")[0] in ("local_stack", "benchmarks")}
            assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_no_script_edits_sys_path() -> None:
    for path in python_files("scripts"):
        assert "sys.path" not in path.read_text(encoding="utf-8"), path.relative_to(ROOT)
