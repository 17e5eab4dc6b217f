"""review/html_report.py: the page holds each group's messages, escaped, and no script."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from review import report, store
from review.conversations import conversations, hashed
from tests.unit.review.conftest import HOUR, Page, Talk, save


def written(tmp_path: Path, talks: list[Talk]) -> tuple[str, Page]:
    database = save(tmp_path / "conversations.db", talks)
    end = datetime.now(timezone.utc)
    start = end - timedelta(days=7)
    read = conversations(store.read_events(f"sqlite:///{database}", start))
    index, _ = report.write(report.gather(read, start, end, "sqlite:///test.db"), tmp_path / "review")
    page = index.read_text(encoding="utf-8")
    parsed = Page()
    parsed.feed(page)
    return page, parsed


def test_each_message_is_in_its_section(tmp_path: Path, now: float) -> None:
    talk = (
        Talk("someone@example.com", now - HOUR)
        .user("asdfgh", "nlu_fallback", 0.4)
        .bot("Sorry, I didn't catch that.", "fallback")
        .user("what is the job outlook?")
        .bot("The article doesn't say anything about job outlook.", "uncovered", uncovered="job_outlook")
        .user("how much do they earn?")
        .bot("Product managers earn about $100k.")
        .user("that's not what I asked", "feedback_negative")
        .feedback("negative")
    )
    page, parsed = written(tmp_path, [talk])
    assert "asdfgh" in parsed.sections["fallback"] and "asdfgh" in parsed.sections["below_threshold"]
    assert "what is the job outlook?" in parsed.sections["uncovered"]
    assert "job outlook and demand" in parsed.sections["topics"]
    negative = parsed.sections["negative_feedback"]
    assert "how much do they earn?" in negative and "Product managers earn about $100k." in negative
    assert "that's not what I asked" in negative
    # The conversation's id only hashed.
    assert "someone@example.com" not in page and hashed("someone@example.com") in page
    # The chart, inline.
    assert any(
        tag == "img" and (a.get("src") or "").startswith("data:image/png;base64,") for tag, a in parsed.tags
    )


def test_markup_in_a_message_is_text_and_the_page_has_no_script(tmp_path: Path, now: float) -> None:
    typed = '<b>bold</b> salary? <script>alert(1)</script> <img src=x onerror="alert(2)">'
    talk = Talk("a", now).user(typed, "nlu_fallback", 0.4).bot("Sorry <i>?</i>", "fallback")
    page, parsed = written(tmp_path, [talk])
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "&lt;i&gt;?&lt;/i&gt;" in page
    assert [tag for tag, _ in parsed.tags if tag in ("script", "b", "i", "iframe")] == ["b"] * page.count(
        "<b>"
    )
    assert not any(tag == "img" and a.get("onerror") for tag, a in parsed.tags)
    assert not any(name.startswith("on") for _, attrs in parsed.tags for name in attrs)
    assert "<b>bold</b> salary?" in parsed.sections["fallback"]


def test_an_empty_window(tmp_path: Path, now: float) -> None:
    page, parsed = written(tmp_path, [Talk("old", now - 30 * 24 * HOUR).user("hi", "greet")])
    assert "0 conversations" in page and "No messages in this window." in page
    assert "None in this window." in parsed.sections["fallback"]


def test_the_chart_is_a_png_for_one_day_or_many(tmp_path: Path, now: float) -> None:
    from review import chart
    from review.findings import per_day

    talks = [
        Talk(f"c{day}", now - day * 24 * HOUR).user("asdfgh").bot("Sorry?", "fallback") for day in range(3)
    ]
    database = save(tmp_path / "c.db", talks)
    days = per_day(conversations(store.read_events(f"sqlite:///{database}")))
    for shown in (days[:1], days):
        assert chart.rates_png(shown).startswith(b"\x89PNG\r\n\x1a\n")


def test_a_long_group_shows_its_most_frequent_rows(tmp_path: Path, now: float) -> None:
    from review import html_report
    from review.findings import findings, near_duplicates

    talk = Talk("a", now)
    for text in ["say the same thing", "Say the same thing!", "one", "two", "three"]:
        talk.user(text, "nlu_fallback", 0.4)
    database = save(tmp_path / "c.db", [talk])
    groups = near_duplicates(findings(conversations(store.read_events(f"sqlite:///{database}")), 0.4))
    table = html_report.group_table("below_threshold", groups, max_rows=2)
    assert table.count("<tr>") == 3  # the head and two rows
    assert "say the same thing" in table and "one" in table and "three" not in table
    assert "2 more rows (2 messages" in table
