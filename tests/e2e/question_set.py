"""The end-to-end question set (tests/e2e/questions.yml): load, check, ask, score.

Used by scripts/ask_questions.py (a report against any running assistant),
tests/e2e/test_question_set.py (a threshold against the test stack) and
scripts/evaluate.sh. Every request goes to the base URL it is given, with a
timeout, and the whole run has a time budget.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "tests" / "e2e" / "questions.yml"
NLU_FILES = (ROOT / "data" / "nlu.yml", ROOT / "tests" / "nlu_holdout.yml")
CATEGORIES = ("fact", "comparison", "uncovered", "out_of_scope", "multi_turn", "small_talk")

# A turn is a message, or {"click": TITLE}: press that button of the previous reply.
Turn = str | dict[str, str]


@dataclass(frozen=True)
class Item:
    number: int
    category: str
    turns: tuple[Turn, ...]
    expect: tuple[str, ...] = ()
    expect_any: tuple[str, ...] = ()
    forbid: tuple[str, ...] = ()

    def label(self) -> str:
        shown = [t if isinstance(t, str) else f"[click {t['click']}]" for t in self.turns]
        return " | ".join(shown)

    def messages(self) -> list[str]:
        return [t for t in self.turns if isinstance(t, str)]


@dataclass
class Outcome:
    item: Item
    answer: str = ""
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Summary:
    outcomes: list[Outcome]

    @property
    def total(self) -> int:
        return len(self.outcomes)

    @property
    def right(self) -> int:
        return sum(o.ok for o in self.outcomes)

    @property
    def rate(self) -> float:
        return self.right / max(1, self.total)

    def by_category(self) -> dict[str, tuple[int, int]]:
        totals: Counter[str] = Counter(o.item.category for o in self.outcomes)
        rights: Counter[str] = Counter(o.item.category for o in self.outcomes if o.ok)
        return {c: (rights[c], totals[c]) for c in CATEGORIES if totals[c]}

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]


class QuestionSetError(ValueError):
    pass


def load_items(path: Path = QUESTIONS) -> list[Item]:
    """The items of a question file, checked for shape."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw_items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(raw_items, list) or not raw_items:
        raise QuestionSetError(f"{path}: no `items` list")
    items = []
    for number, raw in enumerate(raw_items, start=1):
        where = f"{path}: item {number}"
        if not isinstance(raw, dict):
            raise QuestionSetError(f"{where}: not a mapping")
        unknown = set(raw) - {"category", "turns", "expect", "expect_any", "forbid"}
        if unknown:
            raise QuestionSetError(f"{where}: unknown keys {sorted(unknown)}")
        category = raw.get("category")
        if category not in CATEGORIES:
            raise QuestionSetError(f"{where}: category {category!r} is not one of {CATEGORIES}")
        turns = raw.get("turns")
        if not isinstance(turns, list) or not 1 <= len(turns) <= 4:
            raise QuestionSetError(f"{where}: `turns` must list 1 to 4 turns")
        for turn in turns:
            is_click = isinstance(turn, dict) and set(turn) == {"click"} and isinstance(turn["click"], str)
            if not (isinstance(turn, str) and turn.strip()) and not is_click:
                raise QuestionSetError(f"{where}: a turn is a message or {{click: TITLE}}, not {turn!r}")
        if not isinstance(turns[0], str):
            raise QuestionSetError(f"{where}: the first turn must be a message")
        lists = {}
        for key in ("expect", "expect_any", "forbid"):
            value = raw.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise QuestionSetError(f"{where}: `{key}` must be a list of strings")
            lists[key] = tuple(value)
        if not lists["expect"] and not lists["expect_any"]:
            raise QuestionSetError(f"{where}: give `expect` or `expect_any`")
        items.append(
            Item(number, category, tuple(turns), lists["expect"], lists["expect_any"], lists["forbid"])
        )
    return items


# --------------------------------------------------------------------- overlap


_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
_WORDS = re.compile(r"[a-z0-9$']+")


def normalize(text: str) -> str:
    return " ".join(_WORDS.findall(_ANNOTATION.sub(r"\1", text).lower().replace("\u2019", "'")))


def nlu_examples(paths: tuple[Path, ...] = NLU_FILES) -> set[str]:
    """Every training and held-out example, normalized."""
    examples: set[str] = set()
    for path in paths:
        if not path.exists():
            continue
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    examples.add(normalize(line[2:]))
    return examples


def _jaccard(a: str, b: str) -> float:
    sa, sb = set(a.split()), set(b.split())
    return len(sa & sb) / max(1, len(sa | sb))


def overlaps(items: list[Item], examples: set[str], near: float = 0.8) -> list[tuple[str, str]]:
    """(question, NLU example) pairs that are the same or nearly the same words."""
    found = []
    for item in items:
        for message in item.messages():
            if message.startswith("/"):
                continue
            text = normalize(message)
            if text in examples:
                found.append((message, text))
                continue
            if len(text.split()) >= 4:
                match = next((e for e in examples if _jaccard(text, e) >= near), None)
                if match:
                    found.append((message, match))
    return found


# --------------------------------------------------------------------- asking


def _post(base_url: str, sender: str, message: str, timeout: float) -> list[dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(
        f"{base_url.rstrip('/')}/webhooks/rest/webhook",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        raw = response.read()
    replies = json.loads(raw) if raw else []
    return list(replies) if isinstance(replies, list) else []


def reply_text(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(r.get("text") or "") for r in replies).replace("\u2019", "'")


def _contains(text: str, needle: str) -> bool:
    if needle != needle.lower():
        return needle in text
    return needle in text.lower()


def check(item: Item, answer: str) -> list[str]:
    problems = [f"missing {e!r}" for e in item.expect if not _contains(answer, e)]
    if item.expect_any and not any(_contains(answer, e) for e in item.expect_any):
        problems.append(f"missing any of {list(item.expect_any)!r}")
    problems += [f"has forbidden {f!r}" for f in item.forbid if _contains(answer, f)]
    return problems


def ask_item(base_url: str, item: Item, timeout: float = 30.0) -> Outcome:
    """One item as one fresh conversation; the last reply is checked."""
    sender = f"qs-{item.number}-{uuid.uuid4().hex[:10]}"
    outcome = Outcome(item)
    start = time.perf_counter()
    replies: list[dict[str, Any]] = []
    try:
        for turn in item.turns:
            if isinstance(turn, str):
                message = turn
            else:
                buttons = [b for r in replies for b in r.get("buttons") or []]
                wanted = turn["click"].lower()
                match = next((b for b in buttons if str(b.get("title", "")).lower() == wanted), None)
                if match is None:
                    titles = [b.get("title") for b in buttons]
                    outcome.answer = reply_text(replies)
                    outcome.problems.append(f"no button {turn['click']!r} to click (buttons: {titles})")
                    return outcome
                message = str(match["payload"])
            replies = _post(base_url, sender, message, timeout)
    except (urllib.error.URLError, OSError, ValueError) as error:
        outcome.problems.append(f"request failed: {error}")
        return outcome
    finally:
        outcome.seconds = time.perf_counter() - start
    outcome.answer = reply_text(replies)
    outcome.problems = check(item, outcome.answer)
    return outcome


def ask_all(
    base_url: str,
    items: list[Item],
    workers: int = 2,
    timeout: float = 30.0,
    budget: float = 600.0,
) -> Summary:
    """Ask every item (a few conversations at a time); items past the time budget fail."""
    deadline = time.monotonic() + budget

    def run(item: Item) -> Outcome:
        if time.monotonic() > deadline:
            return Outcome(item, problems=[f"not asked: the {budget:.0f} s budget was spent"])
        return ask_item(base_url, item, timeout)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        outcomes = list(pool.map(run, items))
    return Summary(outcomes)


def report(summary: Summary, show_failures: bool = True) -> str:
    lines = [
        f"question set: {summary.right}/{summary.total} right ({100 * summary.rate:.1f}%)",
        "",
        "| category | right | of | % |",
        "| --- | ---: | ---: | ---: |",
    ]
    for category, (right, total) in summary.by_category().items():
        lines.append(f"| {category} | {right} | {total} | {100 * right / total:.0f}% |")
    lines.append(f"| **all** | {summary.right} | {summary.total} | {100 * summary.rate:.1f}% |")
    if show_failures:
        failures = summary.failures()
        lines += ["", f"failures ({len(failures)}):"]
        for outcome in failures:
            answer = " ".join(outcome.answer.split()) or "(no text)"
            lines.append(f"- #{outcome.item.number} [{outcome.item.category}] {outcome.item.label()}")
            lines.append(f"    answer: {answer}")
            lines.append(f"    why: {'; '.join(outcome.problems)}")
    return "\n".join(lines)
