"""Debian's Chromium, headless through Playwright, fetching only what a filter allows.

One place for the browser the tests and `scripts/review_screenshot.py` drive:
its path, its flags, and a context in which every request is either allowed
(loopback for the web chat, `file:`/`data:` for a report opened from disk) or
aborted and recorded.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Route, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
INSTALL_HINT = "run scripts/install_chromium.sh as root (make test does)"
# Without the background-networking flags Chromium keeps trying Google's hosts,
# which this machine's closed network refuses.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def loopback_only(url: str) -> bool:
    return urlsplit(url).hostname in LOOPBACK


def local_files_only(url: str) -> bool:
    return url.startswith(("file:", "data:"))


@contextlib.contextmanager
def chromium(
    allowed: Callable[[str], bool], viewport: Mapping[str, int] | None = None
) -> Iterator[tuple[BrowserContext, list[str]]]:
    """A fresh-profile browser context, and the list of the URLs it was refused."""
    if not CHROMIUM.exists():
        raise FileNotFoundError(f"{CHROMIUM} is missing: {INSTALL_HINT}")
    refused: list[str] = []

    def route(request_route: Route) -> None:
        if allowed(request_route.request.url):
            request_route.continue_()
        else:
            refused.append(request_route.request.url)
            request_route.abort()

    with tempfile.TemporaryDirectory(prefix="chromium-") as profile, sync_playwright() as playwright:
        # A persistent context is how Playwright takes a --user-data-dir of our own.
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            args=FLAGS,
            headless=True,
            **({"viewport": dict(viewport)} if viewport else {}),  # type: ignore[arg-type]
        )
        context.route("**/*", route)
        try:
            yield context, refused
        finally:
            context.close()
