"""The test tiers, set here by directory and file rather than in each test.

servers   starts the Rasa server and/or the action server (or `rasa shell`, `make run`)
browser   drives Debian's Chromium through Playwright (the web chat)
services  starts PostgreSQL, Redis and/or nginx (scripts/install_services.sh)
containers runs the container image with podman (scripts/image.sh builds it)

The markers are registered in pyproject.toml. `pytest -m "not servers and not
browser and not services and not containers"` is the fast tier that `make check` runs; a test in a
directory of TIERS_BY_DIRECTORY belongs to its tiers whether or not that one test
needs them (each of these directories starts its stack in its conftest), and
tests/unit/test_tiers.py checks that nothing outside them starts a server.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

TIERS_BY_DIRECTORY: dict[str, tuple[str, ...]] = {
    "e2e": ("servers",),
    "channels": ("servers",),
    "hardening": ("servers",),
    "scaled": ("servers", "services"),
    "container": ("containers", "services"),
}
TIERS_BY_FILE: dict[str, tuple[str, ...]] = {
    "channels/test_webchat.py": ("browser",),
    "e2e/test_review.py": ("browser",),
    "hardening/test_webchat_xss.py": ("browser",),
    "hardening/test_tracker_store.py": ("services",),
}
TIERS = ("servers", "browser", "services", "containers")


def tiers_of(path: Path) -> set[str]:
    """The tiers of the tests in the file at `path` (none: the fast tier)."""
    try:
        relative = path.resolve().relative_to(TESTS)
    except ValueError:
        return set()
    tiers = set(TIERS_BY_DIRECTORY.get(relative.parts[0], ())) if len(relative.parts) > 1 else set()
    tiers.update(TIERS_BY_FILE.get(relative.as_posix(), ()))
    return tiers


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for tier in sorted(tiers_of(item.path)):
            item.add_marker(getattr(pytest.mark, tier))


RasaClasses = list[tuple[type, dict[str, object]]]


@pytest.fixture(scope="session", autouse=True)
def _rasa_before_any_patch() -> RasaClasses:
    """Rasa's classes as the session found them, before any fixture loaded the model."""
    import rasa_patches

    return [(cls, dict(vars(cls))) for cls in rasa_patches.patched_classes()]


@pytest.fixture(autouse=True)
def _rasa_as_it_was_after_each_test(_rasa_before_any_patch: RasaClasses) -> Iterator[None]:
    """What a test (or a fixture of its) installed of rasa_patches is taken off Rasa's classes after it.

    Loading the model installs every patch in the process (rasa_patches/model_hook.py),
    and so does building deploy/stores.py's tracker store; without this, whether a
    later test compares with Rasa's own behaviour or with ours would depend on the order.
    An object built while the patches were on keeps the parts they gave it.
    """
    yield
    for cls, attributes in _rasa_before_any_patch:
        for name in [name for name in vars(cls) if name not in attributes]:
            delattr(cls, name)
        for name, value in attributes.items():
            if vars(cls).get(name) is not value:
                setattr(cls, name, value)


@pytest.fixture(autouse=True)
def _fast_tier_starts_no_server(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a test of the fast tier, starting a server or a service is an error, not a slow test."""
    if any(request.node.get_closest_marker(tier) for tier in TIERS):
        return
    from local_stack import kube_local, servers, services

    def refuse(self: object, *args: object, **kwargs: object) -> None:
        raise AssertionError(
            f"{type(self).__name__}.start() in a test of the fast tier: put the test in a directory "
            "of tests/conftest.py's TIERS_BY_DIRECTORY (or a file of TIERS_BY_FILE)"
        )

    for server in (
        servers.ActionServer,
        servers.RasaServer,
        servers.WebServer,
        services.Postgres,
        services.Redis,
        services.Nginx,
        kube_local.LocalDeployment,
    ):
        monkeypatch.setattr(server, "start", refuse)
    # What start() runs first for the assistant's servers, also called alone to start several at once.
    for server in (servers.ActionServer, servers.RasaServer, servers.WebServer):
        monkeypatch.setattr(server, "launch", refuse)
