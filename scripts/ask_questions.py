"""Ask the end-to-end question set (tests/e2e/questions.yml) through the REST channel.

Usage:
  python scripts/ask_questions.py [BASE_URL]     # a running assistant, default http://localhost:5005
  python scripts/ask_questions.py --start        # start its own action + Rasa server on loopback

Each item is a fresh conversation (its own sender id); the last reply is
checked against the item's expected and forbidden substrings. Prints % right
overall and per category, and every failure with the question and answer.
Exit code 0 unless --min-rate is given and not met (or the servers fail).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.question_set import QUESTIONS, Summary, ask_all, load_items, report  # noqa: E402


def _run(args: argparse.Namespace) -> Summary:
    items = load_items(Path(args.questions))
    limits = {"workers": args.workers, "timeout": args.timeout, "budget": args.budget}
    if not args.start:
        return ask_all(args.base_url, items, **limits)
    from tests.stack import ActionServer, RasaServer

    with tempfile.TemporaryDirectory(prefix="questions-") as tmp:
        actions = ActionServer(Path(tmp)).start()
        try:
            rasa = RasaServer(Path(tmp), actions.url).start()
            try:
                return ask_all(rasa.base, items, **limits)
            finally:
                rasa.stop()
        finally:
            actions.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("base_url", nargs="?", default="http://localhost:5005")
    parser.add_argument("--start", action="store_true", help="start an action and Rasa server on loopback")
    parser.add_argument("--questions", default=str(QUESTIONS))
    parser.add_argument("--workers", type=int, default=2, help="conversations at a time (default 2)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request (default 30)")
    parser.add_argument("--budget", type=float, default=600.0, help="seconds for the whole set (default 600)")
    parser.add_argument("--json", help="also write the outcomes to this JSON file")
    parser.add_argument("--min-rate", type=float, help="exit 1 when the share right is below this (0-1)")
    args = parser.parse_args(argv)

    summary = _run(args)
    print(report(summary))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        data = {
            "right": summary.right,
            "total": summary.total,
            "rate": summary.rate,
            "by_category": {c: {"right": r, "total": t} for c, (r, t) in summary.by_category().items()},
            "failures": [
                {
                    "number": o.item.number,
                    "category": o.item.category,
                    "turns": list(o.item.turns),
                    "answer": o.answer,
                    "problems": o.problems,
                }
                for o in summary.failures()
            ],
        }
        Path(args.json).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    if args.min_rate is not None and summary.rate < args.min_rate:
        print(f"below the minimum: {summary.rate:.3f} < {args.min_rate:.3f}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
