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

from review import report, store
from review.conversations import conversations


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
        "--out", type=Path, default=report.ROOT / "results" / "review", help="default results/review"
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
    review = report.gather(read, start, end, store.display_url(url))
    written = report.write(review, args.out)
    print("\n".join(report.summary(review, args.since, written)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
