"""`make review`: what the assistant misunderstood, from the tracker store, ready to label.

    .venv/bin/python -m scripts.review                       # the last 7 days of make run's store
    .venv/bin/python -m scripts.review --since 24h
    .venv/bin/python -m scripts.review --store postgresql://rasa:secret@db:5432/rasa --out /tmp/review

Reads the store the server uses (TRACKER_STORE_URL, else var/conversations.db;
--store overrides both) read-only and in pages, writes `index.html` (the report)
and `to_label.yml` (the messages under their predicted intent, for data/nlu.yml)
into --out, and prints a summary. docs/review.md says how a team uses it.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

from review import chart, html_report, store, to_label
from review.conversations import conversations
from review.findings import (
    GROUPS,
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="make review", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--since", default=store.DEFAULT_SINCE, help="how far back: 30m, 12h, 7d (default 7d)"
    )
    parser.add_argument(
        "--store", help="an SQLAlchemy URL; default TRACKER_STORE_URL, else var/conversations.db"
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "results" / "review", help="default results/review"
    )
    parser.add_argument("--page-size", type=int, default=store.DEFAULT_PAGE_SIZE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        since = store.parse_since(args.since)
    except ValueError as error:
        parser.error(str(error))
    url = args.store or store.default_url()
    end = datetime.now(timezone.utc)
    start = store.window_start(since, end)
    try:
        read = conversations(store.read_events(url, start, args.page_size))
    except store.StoreError as error:
        print(f"make review: cannot read the tracker store: {error}", file=sys.stderr)
        return 2

    threshold = fallback_threshold(ROOT / "config.yml")
    found = findings(read, threshold)
    grouped = {name: near_duplicates(items) for name, items in by_group(found).items()}
    days = per_day(read)
    topics = uncovered_topics(read, topic_labels(ROOT / "facts" / "facts.yml"))
    candidates = to_label.candidates(found, to_label.training_texts(ROOT / "data"))
    args.out.mkdir(parents=True, exist_ok=True)
    to_label.write(args.out / "to_label.yml", candidates)
    report = html_report.Report(
        window_start=start,
        window_end=end,
        store=store.display_url(url),
        threshold=threshold,
        conversations=len(read),
        messages=sum(len(c.exchanges) for c in read),
        days=days,
        groups=grouped,
        topics=topics,
        other_careers=other_careers(read),
        chart_uri=chart.rates_data_uri(days) if days else None,
        to_label_count=len(candidates),
    )
    (args.out / "index.html").write_text(html_report.render(report), encoding="utf-8")

    counts = totals(days)
    print(f"review: {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC ({args.since}), {report.store}")
    print(
        f"  {report.conversations} conversations, {report.messages} messages, "
        f"{counts.get('fallbacks', 0)} fallbacks, {counts.get('negative_feedback', 0)} negative feedback"
    )
    print(
        "  to look at: "
        + ", ".join(
            f"{title.lower()} {sum(g.count for g in grouped[name])}" for name, title in GROUPS.items()
        )
    )
    if topics:
        print("  not in the article: " + ", ".join(f"{t.label} {t.count}" for t in topics[:5]))
    print(
        f"  wrote {_shown(args.out / 'index.html')} and {_shown(args.out / 'to_label.yml')} "
        f"({len(candidates)} to label)"
    )
    return 0


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
