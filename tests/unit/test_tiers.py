"""The test tiers of tests/conftest.py: the fast tier (`make check`) starts no server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from local_stack.processes import ROOT
from local_stack.servers import ActionServer
from tests.conftest import TESTS, TIERS_BY_DIRECTORY, TIERS_BY_FILE, tiers_of

FAST_TIER = "not servers and not browser and not services and not containers"
# What starts a server, a service or a browser: only the tiers' directories and files may.
STARTS_SOMETHING = re.compile(
    r"\b(ActionServer|RasaServer|WebServer|Postgres|Redis|Nginx|LocalDeployment)\(|channel_stack(_fixture)?\("
    r"|sync_playwright|\bpodman\(\"(run|kube)\""
    r"|\"rasa\", \"(run|shell)\"|\b(run|shell)\.sh\b|\"make\", \"(run|shell|cluster|test|load|bench)\""
)


def test_every_directory_and_file_of_the_tiers_exists() -> None:
    for directory in TIERS_BY_DIRECTORY:
        assert (TESTS / directory / "conftest.py").is_file(), directory
    for file in TIERS_BY_FILE:
        assert (TESTS / file).is_file(), file


def other_test_files() -> list[Path]:
    """Every test file but this one (which names what it looks for)."""
    return [path for path in sorted(TESTS.rglob("test_*.py")) if path != Path(__file__).resolve()]


def test_only_the_tiers_files_start_servers_services_or_a_browser() -> None:
    for path in other_test_files():
        if not tiers_of(path):
            found = STARTS_SOMETHING.search(path.read_text(encoding="utf-8"))
            what = found.group() if found else ""
            assert found is None, f"{path.relative_to(ROOT)} starts something ({what}): give it a tier"


def test_the_browser_tests_are_marked_browser() -> None:
    for path in other_test_files():
        if "sync_playwright" in path.read_text(encoding="utf-8"):
            assert "browser" in tiers_of(path), path


def test_the_fast_tier_selects_no_test_that_starts_a_server() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", FAST_TIER, "tests"],
        cwd=ROOT,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    selected = [line.split("::")[0] for line in result.stdout.splitlines() if "::" in line]
    assert any(path.startswith("tests/unit/") for path in selected)
    assert any(path.startswith("tests/nlu/") for path in selected)
    for path in selected:
        assert not tiers_of(ROOT / path), f"{path} has a tier but the fast tier selects it"
        assert path.split("/")[1] not in TIERS_BY_DIRECTORY, path


def test_a_fast_test_that_starts_a_server_fails(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="fast tier"):
        ActionServer(tmp_path).start()
