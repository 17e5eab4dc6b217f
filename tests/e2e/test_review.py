"""`make review` on conversations held through the REST channel with the real servers.

A Rasa server of its own (the project's credentials.yml and endpoints.yml, an
SQLite file in a temporary folder), so the summary's counts are this file's
conversations alone: a misunderstood question, a fallback, negative feedback
typed and by button, an uncovered topic, an out-of-scope question, an abandoned
clarification and a message with markup. Then scripts/review.py as a
subprocess on that file, as `make review --store` runs it; the page read as
HTML and opened in headless Chromium; to_label.yml loaded with Rasa's reader
and validated with `rasa data validate` beside data/.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from rasa.shared.nlu.training_data.loading import load_data

from local_stack.chromium import CHROMIUM, INSTALL_HINT, chromium, local_files_only
from local_stack.processes import ROOT
from local_stack.servers import RasaServer
from tests.unit.review.conftest import Page

MISUNDERSTOOD = "which one vibes more"
MARKUP = "<b>bold</b> salary?"
CONVERSATIONS: dict[str, list[str]] = {
    "misunderstood": [MISUNDERSTOOD],
    "fallback": ["asdfgh"],
    "typed_feedback": ["how much do they earn?", "that's not what I asked"],
    "button_feedback": ["what do production managers do?", "/feedback_negative"],
    "uncovered": ["what is the job outlook for production managers?"],
    "out_of_scope": ["how do I become a nurse?"],
    "abandoned": ["what's the salary?"],
    "markup": [MARKUP],
}
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}


@dataclass
class Reviewed:
    server: RasaServer
    senders: dict[str, str]
    out: Path
    summary: str
    page: str
    sections: dict[str, str]

    def stored(self, name: str) -> list[dict[str, Any]]:
        return self.server.stored(self.senders[name])


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reviewed]:
    workdir = tmp_path_factory.mktemp("review")
    server = RasaServer(workdir).start()
    try:
        senders = {name: f"review-{name}-{uuid.uuid4().hex[:8]}" for name in CONVERSATIONS}
        for name, messages in CONVERSATIONS.items():
            for message in messages:
                assert server.send(senders[name], message), (name, message)
        out = workdir / "review"
        result = subprocess.run(
            [sys.executable, "-m", "scripts.review", "--store", server.tracker_store_url, "--out", str(out)],
            cwd=ROOT,
            env=ENV,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        page = (out / "index.html").read_text(encoding="utf-8")
        parsed = Page()
        parsed.feed(page)
        yield Reviewed(server, senders, out, result.stdout, page, parsed.sections)
    finally:
        server.stop()


def kinds(events: list[dict[str, Any]]) -> list[str]:
    return [
        ((e.get("metadata") or {}).get("answer") or {}).get("kind", "other")
        for e in events
        if e.get("event") == "bot"
    ]


def test_each_message_is_in_its_group(reviewed: Reviewed) -> None:
    sections = reviewed.sections
    assert MISUNDERSTOOD in sections["below_threshold"]
    assert "asdfgh" in sections["fallback"]
    assert "what is the job outlook for production managers?" in sections["uncovered"]
    assert "job outlook and demand" in sections["topics"]
    assert "how do I become a nurse?" in sections["out_of_scope"]
    assert "what's the salary?" in sections["abandoned_clarification"]
    negative = sections["negative_feedback"]
    # Each with the question and the answer it was about.
    typed = next(e for e in reviewed.stored("typed_feedback") if e.get("event") == "bot")["text"]
    button = next(e for e in reviewed.stored("button_feedback") if e.get("event") == "bot")["text"]
    for text in ("how much do they earn?", "that's not what I asked", "what do production managers do?"):
        assert text in negative
    assert typed.split("\n")[0] in negative and button.split("\n")[0] in negative
    # No sender id, only its hash.
    assert not any(sender in reviewed.page for sender in reviewed.senders.values())


def test_the_summary_counts_the_conversations(reviewed: Reviewed) -> None:
    stored = {name: reviewed.stored(name) for name in CONVERSATIONS}
    fallbacks = sum("fallback" in kinds(events[i:j]) for events in stored.values() for i, j in _turns(events))
    messages = sum(len(messages) for messages in CONVERSATIONS.values())
    expected = (
        f"{len(CONVERSATIONS)} conversations, {messages} messages, {fallbacks} fallbacks, 2 negative feedback"
    )
    assert expected in reviewed.summary, reviewed.summary
    assert re.search(r"to look at: below the confidence threshold [1-9]", reviewed.summary)
    assert re.search(r"negative feedback 2, clarification abandoned [1-9]", reviewed.summary)
    assert "not in the article: job outlook and demand 1" in reviewed.summary


def _turns(events: list[dict[str, Any]]) -> list[tuple[int, int]]:
    starts = [i for i, e in enumerate(events) if e.get("event") == "user"]
    return list(zip(starts, [*starts[1:], len(events)], strict=True))


def test_to_label_loads_with_rasas_reader_under_the_predicted_intent(reviewed: Reviewed) -> None:
    loaded = load_data(str(reviewed.out / "to_label.yml"))
    examples = {m.get("text"): m.get("intent") for m in loaded.intent_examples}
    [message] = [e for e in reviewed.stored("misunderstood") if e.get("event") == "user"]
    ranking = [r["name"] for r in message["parse_data"]["intent_ranking"] if r["name"] != "nlu_fallback"]
    assert examples[MISUNDERSTOOD] == ranking[0]
    assert not any(text.startswith("/") for text in examples)
    assert "nlu_fallback" not in examples.values()
    assert re.search(
        rf"- {re.escape(MISUNDERSTOOD)}\n  # confidence 0\.\d\d ", (reviewed.out / "to_label.yml").read_text()
    )


def test_to_label_validates_beside_the_training_data(reviewed: Reviewed, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    shutil.copy(reviewed.out / "to_label.yml", data / "to_label.yml")
    result = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "rasa"),
            "data",
            "validate",
            "--fail-on-warnings",
            "--config",
            str(ROOT / "config.yml"),
            "--domain",
            str(ROOT / "domain.yml"),
            "--data",
            str(data),
        ],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]


def test_the_page_in_chromium(reviewed: Reviewed) -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: {INSTALL_HINT}")
    with chromium(local_files_only) as (context, fetched):
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto((reviewed.out / "index.html").as_uri())
        expect(page.locator("h1")).to_have_text("What the assistant misunderstood")
        assert page.locator("script").count() == 0
        # The tables hold the messages.
        fallback = page.locator("#fallback table.messages td.message")
        expect(fallback.filter(has_text="asdfgh")).to_have_count(1)
        expect(page.locator("#below_threshold td.message").filter(has_text=MISUNDERSTOOD)).to_have_count(1)
        expect(page.locator("#uncovered td.message")).to_contain_text(["job outlook"])
        # A row a day: one, or two when the conversations crossed midnight UTC.
        assert page.locator("table.days tbody tr").count() in (1, 2)
        # The chart rendered: an image with a size.
        assert page.locator("img.chart").evaluate("img => img.naturalWidth") > 0
        # The message with markup is shown as its text, not as bold.
        shown = page.locator("td.message").filter(has_text=MARKUP)
        assert shown.count() >= 1
        assert page.locator("td.message b").count() == 0
        assert errors == [] and fetched == []
