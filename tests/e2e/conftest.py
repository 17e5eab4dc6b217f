"""One stack per session: the real action server and a Rasa server with the project's
own credentials.yml and endpoints.yml, conversations in an SQLite file in the
session's temporary folder (tests/stack.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.stack import MODEL, ActionServer, RasaServer


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("stack")


@pytest.fixture(scope="session")
def action_server(workdir: Path) -> Iterator[ActionServer]:
    server = ActionServer(workdir).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def rasa_server(workdir: Path, action_server: ActionServer) -> Iterator[RasaServer]:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first")
    server = RasaServer(workdir, action_server.url).start()
    yield server
    server.stop()
