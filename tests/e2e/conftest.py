"""One stack per session: the real action server and a Rasa server with the project's
own credentials.yml and endpoints.yml, conversations in an SQLite file in the
session's temporary folder (tests/fixtures.py)."""

from __future__ import annotations

# pytest finds a suite's fixtures by name in its conftest.
from tests.fixtures import action_server, rasa_server, workdir

__all__ = ["action_server", "rasa_server", "workdir"]
