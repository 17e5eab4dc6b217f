"""Real services for the scaled-out tests, started once per session and stopped by pid.

PostgreSQL, Redis and nginx are Debian's (scripts/install_services.sh, which
`make test` calls); each runs on a free loopback port with its data in a
temporary folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy.local import INSTALL_HINT, Postgres, Redis, missing_services
from tests.stack import MODEL, ActionServer


@pytest.fixture(scope="session")
def installed() -> None:
    missing = missing_services()
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: {INSTALL_HINT}")
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first")


@pytest.fixture(scope="session")
def scaled_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("scaled")


@pytest.fixture(scope="session")
def actions(installed: None, scaled_workdir: Path) -> Iterator[ActionServer]:
    # One stateless action server behind every Rasa server, as in scripts/cluster.
    server = ActionServer(scaled_workdir).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres(installed: None) -> Iterator[Postgres]:
    server = Postgres().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server(installed: None) -> Iterator[Redis]:
    server = Redis().start()
    yield server
    server.stop()
