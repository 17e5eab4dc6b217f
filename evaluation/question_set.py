"""The end-to-end question sets (tests/e2e/questions.yml, challenge.yml): load, check, ask, score.

Two item formats share one loader: questions.yml's items have a `category`
(CATEGORIES); challenge.yml's have a `class` (CLASSES) and may give
`starts_with`, strings one of which the checked reply must start with.
Reports give the share right per category or class, and for single
questions (one turn) and dialogues (2-8 turns) apart.

Used by scripts/ask_questions.py (a report against any running assistant),
tests/e2e/test_question_set.py (a threshold against the test stack) and
scripts/evaluate.sh. Every request goes to the base URL it is given, with a
timeout, and the whole run has a time budget.
"""

from __future__ import annotations

import json
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

from evaluation.overlap import nlu_file_examples, normalize, twins

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "tests" / "e2e" / "questions.yml"
CHALLENGE = ROOT / "tests" / "e2e" / "challenge.yml"
BLIND = ROOT / "tests" / "e2e" / "blind.yml"
SETS = {
    "questions": QUESTIONS,
    "challenge": CHALLENGE,
    "blind": BLIND,
    "final": ROOT / "tests" / "e2e" / "final.yml",
    "final2": ROOT / "tests" / "e2e" / "final2.yml",
}
NLU_FILES = (ROOT / "data" / "nlu.yml", ROOT / "tests" / "nlu_holdout.yml")
CATEGORIES = ("fact", "comparison", "uncovered", "out_of_scope", "multi_turn", "small_talk")
CLASSES = (
    "self_description",
    "compound",
    "described_role",
    "yes_no",
    "who_which",
    "organisation",
    "negation",
    "vocabulary",
    "near_career",
    "profile",
    "specific_fact",
    "uncovered",
    "fact",
    "comparison",
    "out_of_scope",
    "small_talk",
    "follow_up",
    "career_fit",
    "feedback",
)
SINGLE, DIALOGUE = "single question", "dialogue"
# A question set's dialogue is 2-4 turns; the advisor's (class career_fit) run to
# its four questions with a question or two around them.
MAX_TURNS = 8

# A turn is a message, or {"click": TITLE}: press that button of the previous reply.
Turn = str | dict[str, str]


@dataclass(frozen=True)
class Item:
    number: int
    # The item's category (questions.yml) or class (challenge.yml).
    category: str
    turns: tuple[Turn, ...]
    expect: tuple[str, ...] = ()
    expect_any: tuple[str, ...] = ()
    forbid: tuple[str, ...] = ()
    starts_with: tuple[str, ...] = ()
    # Which key named the category: "category" (questions.yml) or "class" (challenge.yml).
    scheme: str = "category"

    @property
    def length(self) -> str:
        """SINGLE for a one-turn item, DIALOGUE for 2-8 turns."""
        return SINGLE if len(self.turns) == 1 else DIALOGUE

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
        """(right, total) per category or class, in the order they are declared."""
        totals: Counter[str] = Counter(o.item.category for o in self.outcomes)
        rights: Counter[str] = Counter(o.item.category for o in self.outcomes if o.ok)
        declared = (*CLASSES, *CATEGORIES) if self.grouping == "class" else (*CATEGORIES, *CLASSES)
        order = list(dict.fromkeys((*declared, *sorted(totals))))
        return {c: (rights[c], totals[c]) for c in order if totals[c]}

    by_class = by_category

    def by_length(self) -> dict[str, tuple[int, int]]:
        """(right, total) for single questions and for dialogues."""
        totals: Counter[str] = Counter(o.item.length for o in self.outcomes)
        rights: Counter[str] = Counter(o.item.length for o in self.outcomes if o.ok)
        return {k: (rights[k], totals[k]) for k in (SINGLE, DIALOGUE) if totals[k]}

    @property
    def grouping(self) -> str:
        """`class` when every item is a challenge.yml item, else `category`."""
        classes_only = bool(self.outcomes) and all(o.item.scheme == "class" for o in self.outcomes)
        return "class" if classes_only else "category"

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]


class QuestionSetError(ValueError):
    pass


def resolve_set(name_or_path: str | Path) -> Path:
    """A question file: "questions", "challenge" (SETS), or a path."""
    return SETS.get(str(name_or_path), Path(name_or_path))


_LISTS = ("expect", "expect_any", "forbid", "starts_with")


def load_items(path: Path = QUESTIONS) -> list[Item]:
    """The items of a question file (either format), checked for shape."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw_items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(raw_items, list) or not raw_items:
        raise QuestionSetError(f"{path}: no `items` list")
    items = []
    for number, raw in enumerate(raw_items, start=1):
        where = f"{path}: item {number}"
        if not isinstance(raw, dict):
            raise QuestionSetError(f"{where}: not a mapping")
        unknown = set(raw) - {"category", "class", "turns", *_LISTS}
        if unknown:
            raise QuestionSetError(f"{where}: unknown keys {sorted(unknown)}")
        if ("category" in raw) == ("class" in raw):
            raise QuestionSetError(f"{where}: give a `category` or a `class` (not both)")
        scheme = "class" if "class" in raw else "category"
        if scheme == "class":
            category = raw["class"]
            if category not in CLASSES:
                raise QuestionSetError(f"{where}: class {category!r} is not one of {CLASSES}")
        else:
            category = raw["category"]
            if category not in CATEGORIES:
                raise QuestionSetError(f"{where}: category {category!r} is not one of {CATEGORIES}")
        turns = raw.get("turns")
        if not isinstance(turns, list) or not 1 <= len(turns) <= MAX_TURNS:
            raise QuestionSetError(f"{where}: `turns` must list 1 to {MAX_TURNS} turns")
        for turn in turns:
            is_click = isinstance(turn, dict) and set(turn) == {"click"} and isinstance(turn["click"], str)
            if not (isinstance(turn, str) and turn.strip()) and not is_click:
                raise QuestionSetError(f"{where}: a turn is a message or {{click: TITLE}}, not {turn!r}")
        if not isinstance(turns[0], str):
            raise QuestionSetError(f"{where}: the first turn must be a message")
        lists = {}
        for key in _LISTS:
            value = raw.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                raise QuestionSetError(f"{where}: `{key}` must be a list of strings")
            lists[key] = tuple(value)
        if not (lists["expect"] or lists["expect_any"] or lists["starts_with"]):
            raise QuestionSetError(f"{where}: give `expect`, `expect_any` or `starts_with`")
        items.append(
            Item(
                number,
                category,
                tuple(turns),
                lists["expect"],
                lists["expect_any"],
                lists["forbid"],
                lists["starts_with"],
                scheme,
            )
        )
    return items


# --------------------------------------------------------------------- overlap
# The logic lives in evaluation/overlap.py (token edit distance, typos
# counted as no edit); these wrappers keep this module's old names working.


def nlu_examples(paths: tuple[Path, ...] = NLU_FILES) -> set[str]:
    """Every training and held-out intent example, normalized."""
    return {normalize(e) for path in paths if path.exists() for e in nlu_file_examples(path)}


def overlaps(items: list[Item], examples: set[str] | list[str]) -> list[tuple[str, str]]:
    """(question, NLU example) pairs where the question is a twin of the example."""
    messages = [m for item in items for m in item.messages() if not m.startswith("/")]
    return [(t.candidate, t.example) for t in twins(messages, examples)]


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
    problems = []
    if item.starts_with and not any(answer.strip().startswith(s) for s in item.starts_with):
        problems.append(f"does not start with any of {list(item.starts_with)!r}")
    problems += [f"missing {e!r}" for e in item.expect if not _contains(answer, e)]
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


def _table(heading: str, rows: dict[str, tuple[int, int]], summary: Summary) -> list[str]:
    lines = [f"| {heading} | right | of | % |", "| --- | ---: | ---: | ---: |"]
    for name, (right, total) in rows.items():
        lines.append(f"| {name} | {right} | {total} | {100 * right / total:.0f}% |")
    lines.append(f"| **all** | {summary.right} | {summary.total} | {100 * summary.rate:.1f}% |")
    return lines


def report(summary: Summary, show_failures: bool = True) -> str:
    """% right overall, per category (or class), for single questions vs dialogues; failures."""
    lines = [f"question set: {summary.right}/{summary.total} right ({100 * summary.rate:.1f}%)", ""]
    lines += _table(summary.grouping, summary.by_category(), summary)
    lines += ["", *_table("turns", summary.by_length(), summary)]
    if show_failures:
        failures = summary.failures()
        lines += ["", f"failures ({len(failures)}):"]
        for outcome in failures:
            answer = " ".join(outcome.answer.split()) or "(no text)"
            lines.append(f"- #{outcome.item.number} [{outcome.item.category}] {outcome.item.label()}")
            lines.append(f"    answer: {answer}")
            lines.append(f"    why: {'; '.join(outcome.problems)}")
    return "\n".join(lines)


def as_json(summary: Summary) -> dict[str, Any]:
    """The outcomes for a JSON file: totals, per category (or class), per length, failures."""
    return {
        "right": summary.right,
        "total": summary.total,
        "rate": summary.rate,
        "grouping": summary.grouping,
        "by_category": {c: {"right": r, "total": t} for c, (r, t) in summary.by_category().items()},
        "by_length": {k: {"right": r, "total": t} for k, (r, t) in summary.by_length().items()},
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
