"""A screenshot of a `make review` report, for docs/review.png.

    .venv/bin/python -m scripts.review_screenshot results/review/index.html docs/review.png

Opens the page from its file in Debian's Chromium (headless, through
Playwright, nothing fetched from anywhere else) and saves the top of it:
the counts per day, the chart and the first groups.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from local_stack.chromium import CHROMIUM, INSTALL_HINT, chromium, local_files_only

VIEWPORT = {"width": 1200, "height": 1400}


def screenshot(page_path: Path, image_path: Path) -> None:
    with chromium(local_files_only, VIEWPORT) as (context, _):
        page = context.new_page()
        page.goto(page_path.resolve().as_uri())
        image_path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(image_path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("page", type=Path, help="a report, e.g. results/review/index.html")
    parser.add_argument("image", type=Path, help="where the PNG goes, e.g. docs/review.png")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing: {INSTALL_HINT}", file=sys.stderr)
        return 2
    screenshot(args.page, args.image)
    print(f"wrote {args.image}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
