"""One stack per session: a Rasa server with the project's own credentials.yml and
endpoints.yml (the actions in its process, as `make run` runs them), conversations in
an SQLite file in the session's temporary folder (tests/fixtures.py)."""

from __future__ import annotations

# pytest finds a suite's fixtures by name in its conftest.
from tests.fixtures import rasa_server, workdir

__all__ = ["rasa_server", "workdir"]
