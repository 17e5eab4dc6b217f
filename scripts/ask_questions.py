"""Ask the end-to-end question set (tests/e2e/questions.yml) through the REST channel.

Usage:
  python -m scripts.ask_questions [BASE_URL]     # a running assistant, default http://localhost:5005
  python -m scripts.ask_questions --start        # start its own Rasa server on loopback
  python -m scripts.ask_questions --set challenge --report results/e2e/challenge.md

--set picks the file: questions (tests/e2e/questions.yml, the default),
challenge (tests/e2e/challenge.yml) or a path. Each item is a fresh
conversation (its own sender id); the last reply is checked against the
item's expected and forbidden substrings (and, for challenge items, how it
starts). Prints % right overall, per category (or class) and for single
questions vs dialogues, and every failure with the question and answer;
--report also writes that to a file, --json the outcomes.
Exit code 0 unless --min-rate is given and not met (or the servers fail).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from evaluation.question_set import (
    QUESTIONS,
    SETS,
    Summary,
    as_json,
    ask_all,
    load_items,
    report,
    resolve_set,
)


def _run(args: argparse.Namespace) -> Summary:
    items = load_items(resolve_set(args.set) if args.set else Path(args.questions))
    limits = {"workers": args.workers, "timeout": args.timeout, "budget": args.budget}
    if not args.start:
        return ask_all(args.base_url, items, **limits)
    from local_stack.servers import RasaServer

    with tempfile.TemporaryDirectory(prefix="questions-") as tmp:
        # make run's form: the actions in the Rasa server.
        rasa = RasaServer(Path(tmp)).start()
        try:
            return ask_all(rasa.base, items, **limits)
        finally:
            rasa.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("base_url", nargs="?", default="http://localhost:5005")
    parser.add_argument("--start", action="store_true", help="start a Rasa server on loopback")
    parser.add_argument(
        "--set",
        metavar="|".join(SETS) + "|PATH",
        help="the question file: a set's name or a path (default: --questions)",
    )
    parser.add_argument("--questions", default=str(QUESTIONS), help="a question file (default questions.yml)")
    parser.add_argument("--workers", type=int, default=2, help="conversations at a time (default 2)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request (default 30)")
    parser.add_argument("--budget", type=float, default=600.0, help="seconds for the whole set (default 600)")
    parser.add_argument("--json", help="also write the outcomes to this JSON file")
    parser.add_argument("--report", help="also write the printed report (per category or class) to this file")
    parser.add_argument("--min-rate", type=float, help="exit 1 when the share right is below this (0-1)")
    args = parser.parse_args(argv)

    summary = _run(args)
    text = report(summary)
    print(text)
    if args.report:
        Path(args.report).parent.mkdir(parents=True, exist_ok=True)
        Path(args.report).write_text(text + "\n", encoding="utf-8")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(as_json(summary), indent=2) + "\n", encoding="utf-8")
    if args.min_rate is not None and summary.rate < args.min_rate:
        print(f"below the minimum: {summary.rate:.3f} < {args.min_rate:.3f}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
