"""Real services for the scaled-out tests, started once per session and stopped by pid
(tests/fixtures.py).

PostgreSQL, Redis and nginx are Debian's (scripts/install_services.sh, which
`make test` calls); each runs on a free loopback port with its data in a
temporary folder.
"""

from __future__ import annotations

# pytest finds a suite's fixtures by name in its conftest.
from tests.fixtures import actions, installed, postgres, redis_server, scaled_workdir

__all__ = ["actions", "installed", "postgres", "redis_server", "scaled_workdir"]
