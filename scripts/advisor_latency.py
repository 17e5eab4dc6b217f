"""Time the advisor's form turns beside plain question turns on a running assistant.

    .venv/bin/python scripts/advisor_latency.py [BASE_URL] [--conversations N]

Each conversation asks a pay question (a plain turn: one action call), starts
career_fit_form, answers three questions (form turns: the form's validation
action and its next question) and the last one (the recommendation). Prints
p50 and p95 per kind of turn. A quick comparison for docs/benchmarks.md, not
`make bench`: it runs against whatever server it is given, with its stores.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import urllib.request
import uuid

PLAIN = "what do product managers earn?"
FORM_TURNS = ("running how it gets made", '/answer_fit{"fit_background": "engineering"}', "the plant floor")
LAST = "not much"


def _send(base: str, sender: str, message: str) -> float:
    request = urllib.request.Request(
        f"{base}/webhooks/rest/webhook",
        json.dumps({"sender": sender, "message": message}).encode(),
        {"Content-Type": "application/json"},
    )
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
    return (time.perf_counter() - start) * 1000


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[round(0.95 * (len(ordered) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", nargs="?", default="http://localhost:5005")
    parser.add_argument("--conversations", type=int, default=40)
    args = parser.parse_args()
    timings: dict[str, list[float]] = {"question turn": [], "form turn": [], "recommendation turn": []}
    for _ in range(args.conversations):
        sender = f"latency-{uuid.uuid4().hex[:10]}"
        timings["question turn"].append(_send(args.base, sender, PLAIN))
        _send(args.base, sender, "/request_career_fit")
        timings["form turn"] += [_send(args.base, sender, m) for m in FORM_TURNS]
        timings["recommendation turn"].append(_send(args.base, sender, LAST))
    for kind, values in timings.items():
        print(f"{kind}: p50 {statistics.median(values):.1f} ms, p95 {_p95(values):.1f} ms ({len(values)})")


if __name__ == "__main__":
    main()
