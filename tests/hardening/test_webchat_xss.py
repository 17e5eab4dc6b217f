"""HTML and JavaScript typed into the web chat are shown as text and never run.

web/index.html with rasa-webchat in Debian's headless Chromium (as
tests/channels/test_webchat.py drives it), against the hardened stack. Each
payload, if it ran, would set `window.__xss` or open a dialog; the test types
them all, waits for every answer, and checks that nothing ran, that no element
came from them, and that each is shown literally in its bubble.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Dialog, Page, expect

from local_stack.chromium import CHROMIUM, INSTALL_HINT, chromium, loopback_only
from tests.channels.test_webchat import BOT, INPUT, TIMEOUT_MS, USER
from tests.hardening.conftest import Stack

PAYLOADS = [
    "<script>window.__xss = 'script'</script>",
    "<img src=x onerror=\"window.__xss='img'\"> how much does a product manager make",
    "<svg onload=\"window.__xss='svg'\"></svg>",
    "<iframe src=\"javascript:parent.__xss='iframe'\"></iframe>",
    "[click](javascript:window.__xss='link') which pays more?",
    "<a href=\"javascript:window.__xss='a'\">x</a> what do production managers earn",
    "\"><script>alert('xss')</script>",
]


@pytest.fixture(scope="module")
def page(stack: Stack) -> Iterator[Page]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: {INSTALL_HINT}")
    with chromium(loopback_only) as (context, _):
        yield context.new_page()


def test_markup_in_messages_is_shown_as_text_and_never_runs(stack: Stack, page: Page) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(stack.page_url)
    expect(page.locator(BOT).first).to_contain_text("Hi!", timeout=TIMEOUT_MS)

    for number, payload in enumerate(PAYLOADS, start=1):
        page.locator(INPUT).fill(payload)
        page.locator(INPUT).press("Enter")
        expect(page.locator(USER)).to_have_count(number, timeout=TIMEOUT_MS)
        # Each message gets its answer: the bot's bubbles grow by at least one.
        page.wait_for_function(
            "([selector, count]) => document.querySelectorAll(selector).length >= count",
            arg=[BOT, number + 1],
            timeout=TIMEOUT_MS,
        )

    page.wait_for_timeout(1000)  # let any onerror/onload fire
    assert page.evaluate("() => window.__xss === undefined && window.parent.__xss === undefined")
    assert dialogs == []
    messages = page.locator(".rw-messages-container")
    for tag in ("script", "img[src='x']", "svg", "iframe", "a[href^='javascript']"):
        assert messages.locator(tag).count() == 0, tag
    shown = [text.strip() for text in page.locator(USER).all_inner_texts()]
    for payload in PAYLOADS:
        # The widget renders user text as Markdown: a link's label may be all that
        # is left of "[label](javascript:...)", but never a live link.
        assert payload in shown or payload.startswith("["), payload
