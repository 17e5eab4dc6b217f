"""Everything the review found in one window, gathered once, then written and summarised.

The page (html_report), the file to label (to_label) and the printed summary
are three views of one `Review`, so their counts cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from review import chart, html_report, to_label
from review.conversations import Conversation
from review.findings import (
    GROUPS,
    DayCounts,
    DuplicateGroup,
    Finding,
    TopicCount,
    by_group,
    fallback_threshold,
    findings,
    near_duplicates,
    other_careers,
    per_day,
    topic_labels,
    totals,
    uncovered_topics,
)

ROOT = Path(__file__).resolve().parent.parent
INDEX = "index.html"
TO_LABEL = "to_label.yml"


@dataclass
class Review:
    window_start: datetime
    window_end: datetime
    store: str
    threshold: float
    conversations: list[Conversation]
    findings: list[Finding]
    groups: dict[str, list[DuplicateGroup]]
    days: list[DayCounts]
    topics: list[TopicCount]
    other_careers: list[tuple[str, int]]
    candidates: list[to_label.Candidate]

    @property
    def messages(self) -> int:
        return sum(len(conversation.exchanges) for conversation in self.conversations)

    def count(self, group: str) -> int:
        """Messages of a group, near-duplicates included."""
        return sum(duplicates.count for duplicates in self.groups.get(group, []))


def gather(
    read: list[Conversation],
    window_start: datetime,
    window_end: datetime,
    store: str,
    root: Path = ROOT,
) -> Review:
    """The review of conversations `read`, with root's config.yml, facts/facts.yml and data/."""
    threshold = fallback_threshold(root / "config.yml")
    found = findings(read, threshold)
    return Review(
        window_start=window_start,
        window_end=window_end,
        store=store,
        threshold=threshold,
        conversations=read,
        findings=found,
        groups={name: near_duplicates(items) for name, items in by_group(found).items()},
        days=per_day(read),
        topics=uncovered_topics(read, topic_labels(root / "facts" / "facts.yml")),
        other_careers=other_careers(read),
        candidates=to_label.candidates(found, to_label.training_texts(root / "data")),
    )


def write(review: Review, out: Path) -> tuple[Path, Path]:
    """index.html and to_label.yml into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    index, labels = out / INDEX, out / TO_LABEL
    to_label.write(labels, review.candidates)
    chart_uri = chart.rates_data_uri(review.days) if review.days else None
    index.write_text(html_report.render(review, chart_uri), encoding="utf-8")
    return index, labels


def summary(review: Review, since: str, written: tuple[Path, Path]) -> list[str]:
    counts = totals(review.days)
    lines = [
        f"review: {review.window_start:%Y-%m-%d %H:%M} to {review.window_end:%Y-%m-%d %H:%M} UTC"
        f" ({since}), {review.store}",
        f"  {len(review.conversations)} conversations, {review.messages} messages,"
        f" {counts.get('fallbacks', 0)} fallbacks, {counts.get('negative_feedback', 0)} negative feedback",
        "  to look at: "
        + ", ".join(f"{title.lower()} {review.count(name)}" for name, title in GROUPS.items()),
    ]
    if review.topics:
        lines.append("  not in the article: " + ", ".join(f"{t.label} {t.count}" for t in review.topics[:5]))
    index, labels = written
    lines.append(f"  wrote {shown(index)} and {shown(labels)} ({len(review.candidates)} to label)")
    return lines


def shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)
