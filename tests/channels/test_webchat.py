"""The web chat widget end to end: web/index.html with rasa-webchat 1.0.1 in
Debian's headless Chromium (never a downloaded browser), talking to the real
Rasa server's socket.io channel and the real action server.

Every request that is not to loopback is blocked, the widget's web font included.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from local_stack.chromium import CHROMIUM, INSTALL_HINT, LOOPBACK, chromium, loopback_only
from local_stack.processes import ROOT
from tests.channels.conftest import Channels

RESULTS = ROOT / "results"
DESKTOP = {"width": 1000, "height": 760}
PHONE = {"width": 390, "height": 844}

BOT = ".rw-from-response .rw-message-text"
USER = ".rw-from-client .rw-message-text"
INPUT = "textarea.rw-new-message"
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def browser() -> Iterator[tuple[BrowserContext, list[str]]]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: {INSTALL_HINT}")
    with chromium(loopback_only, DESKTOP) as browser_and_refused:
        yield browser_and_refused


def _ask(page: Page, question: str) -> None:
    page.locator(INPUT).fill(question)
    page.locator(INPUT).press("Enter")
    expect(page.locator(USER).last).to_have_text(question, timeout=TIMEOUT_MS)


def test_webchat_answers_clarifies_and_survives_a_reload(
    channels: Channels, browser: tuple[BrowserContext, list[str]]
) -> None:
    context, blocked = browser
    RESULTS.mkdir(exist_ok=True)
    page = context.new_page()
    page.goto(channels.page_url)

    expect(page.locator("#hint")).to_contain_text("product manager")
    # The init payload (/greet) opens the conversation; with session_persistence on,
    # this first bot message only arrives if the socket joined its session's room.
    expect(page.locator(BOT).first).to_contain_text("Hi!", timeout=TIMEOUT_MS)

    # The clarification step comes first: once a role is known, follow-ups keep it.
    _ask(page, "what's the salary?")
    replies = page.locator(".rw-replies .rw-reply")
    expect(replies).to_have_text(
        ["Product manager", "Production manager", "Compare both", "Not helpful"], timeout=TIMEOUT_MS
    )
    replies.filter(has_text="Production manager").click()
    answer = page.locator(BOT).filter(has_text="$73,786")
    expect(answer).to_have_count(1, timeout=TIMEOUT_MS)
    assert "$98,439" not in answer.inner_text()

    _ask(page, "How much does a product manager make?")
    answer = page.locator(BOT).filter(has_text="$98,439")
    expect(answer).to_have_count(1, timeout=TIMEOUT_MS)
    assert "$73,786" not in answer.inner_text()
    page.screenshot(path=str(RESULTS / "webchat.png"))

    session = page.evaluate("() => window.localStorage.getItem('chat_session')")
    page.reload()
    # The history comes back from the browser's storage ...
    expect(page.locator(BOT).filter(has_text="$98,439")).to_have_count(1, timeout=TIMEOUT_MS)
    expect(page.locator(BOT).filter(has_text="$73,786")).to_have_count(1)
    expect(page.locator(USER).filter(has_text="How much does a product manager make?")).to_have_count(1)
    # ... and the context from the server: the follow-up keeps the last role (product).
    _ask(page, "what about their education?")
    follow_up = page.locator(BOT).filter(has_text="business administration")
    expect(follow_up).to_have_count(1, timeout=TIMEOUT_MS)
    assert "product manager" in follow_up.inner_text().lower()
    # The greeting was not sent again: one conversation, not a new one.
    expect(page.locator(BOT).filter(has_text="Hi!")).to_have_count(1)
    assert _session_id(page) == _session_id_from(session)

    assert blocked, "the widget's web font should have been requested, and blocked"
    assert all(urlsplit(url).hostname not in LOOPBACK for url in blocked)
    page.close()


def test_webchat_not_helpful_quick_reply_is_apologised_for_and_stored(
    channels: Channels, browser: tuple[BrowserContext, list[str]]
) -> None:
    context, _ = browser
    page = context.new_page()
    page.goto(channels.page_url)
    expect(page.locator(BOT).first).to_contain_text("Hi!", timeout=TIMEOUT_MS)
    _ask(page, "zxqv blorp")
    expect(page.locator(BOT).last).to_contain_text("I didn't catch that", timeout=TIMEOUT_MS)
    page.locator(".rw-replies .rw-reply").filter(has_text="Not helpful").click()
    expect(page.locator(BOT).filter(has_text="Sorry that didn't help.")).to_have_count(1, timeout=TIMEOUT_MS)
    records = [
        e["value"]
        for e in channels.rasa.stored(_session_id(page))
        if e.get("event") == "slot" and e.get("name") == "feedback"
    ]
    assert [r["rating"] for r in records] == ["negative"]
    assert records[0]["answer"].startswith("Sorry, I didn't catch that.")
    page.close()


def test_webchat_fits_a_phone_screen(channels: Channels, browser: tuple[BrowserContext, list[str]]) -> None:
    context, _ = browser
    page = context.new_page()
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    page.goto(channels.page_url)
    expect(page.locator(BOT).first).to_be_visible(timeout=TIMEOUT_MS)

    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    for selector in ("#hint", INPUT, BOT):
        box = page.locator(selector).last.bounding_box()
        assert box is not None, selector
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], selector
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], selector
    _ask(page, "which pays more?")
    expect(page.locator(BOT).filter(has_text="$24,653")).to_have_count(1, timeout=TIMEOUT_MS)
    page.screenshot(path=str(RESULTS / "webchat-phone.png"))
    page.close()


def test_webchat_advisor_clicked_through(
    channels: Channels, browser: tuple[BrowserContext, list[str]]
) -> None:
    """The career-fit form in the widget: every question's buttons are quick replies."""
    context, _ = browser
    page = context.new_page()
    # A new conversation, not the earlier tests': the stored session is cleared
    # before the widget's script runs. Clearing it after the page loaded raced
    # with the widget, which writes its session back while the page unloads.
    page.add_init_script("window.localStorage.clear()")
    page.goto(channels.page_url)
    replies = page.locator(".rw-replies .rw-reply")
    expect(replies.filter(has_text="Help me choose")).to_have_count(1, timeout=TIMEOUT_MS)
    replies.filter(has_text="Help me choose").click()
    for question, answer in (
        ("what do you enjoy more", "Running how it gets made"),
        ("degree or background", "Engineering"),
        ("Where would you rather work", "Plant floor, some travel"),
        ("how much does the average pay matter", "Not much"),
    ):
        expect(page.locator(BOT).last).to_contain_text(question, timeout=TIMEOUT_MS)
        expect(replies.filter(has_text=answer)).to_have_count(1, timeout=TIMEOUT_MS)
        replies.filter(has_text=answer).click()
    result = page.locator(BOT).filter(has_text="Production manager looks like the better fit")
    expect(result).to_have_count(1, timeout=TIMEOUT_MS)
    assert "job outlook" in result.inner_text()
    expect(replies.filter(has_text="Why?")).to_have_count(1, timeout=TIMEOUT_MS)
    page.screenshot(path=str(RESULTS / "webchat-advisor.png"))
    page.close()


def _session_id(page: Page) -> str:
    return _session_id_from(page.evaluate("() => window.localStorage.getItem('chat_session')"))


def _session_id_from(stored: str | None) -> str:
    assert stored, "the widget stored no session"
    return str(json.loads(stored)["session_id"])
