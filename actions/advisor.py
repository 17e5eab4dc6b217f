"""The career-fit advisor: its questions, answers read from free text, and the scoring.

Everything here is plain: `load_advisor` reads and checks facts/advisor.yml
against the fact store, `extract` turns a message into slot values, `score`
weighs the answers, and `recommend`, `explain` and `what_if` compose the
replies. The Rasa form (`career_fit_form` in domain.yml) asks the questions;
actions/actions.py only hands the slots and the message to these functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from actions import answers
from actions.answers import Button, Reply
from actions.fact_store import ROLES, FactStore, FactStoreError
from actions.reading import Reading
from actions.roles import BOTH, PRODUCT, PRODUCTION

ADVISOR_PATH = Path(__file__).resolve().parent.parent / "facts" / "advisor.yml"
# The value a question gets when its answer could not be used twice.
SKIPPED = "skipped"
CLOSE = "close"
# The button that starts the advisor (the intent of data/rules.yml's rule).
START_PAYLOAD = "/request_career_fit"
START_TITLE = "Help me choose"
ANSWER_INTENT = "answer_fit"
_TOKEN = re.compile(r"[a-z0-9$'/-]+")


@dataclass(frozen=True)
class Option:
    value: str
    title: str
    says: str
    phrases: tuple[str, ...]
    answers: tuple[str, ...]
    opposite: str | None
    points: Mapping[str, int]
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    slot: str
    topic: str
    options: tuple[Option, ...]

    def option(self, value: str | None) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


@dataclass(frozen=True)
class Advisor:
    questions: tuple[Question, ...]
    close_within: int
    rejecting: tuple[str, ...]
    unknowns: tuple[str, ...]
    what_if: tuple[str, ...]
    why: tuple[str, ...]
    leave: tuple[str, ...]
    skip: tuple[str, ...]

    @property
    def slots(self) -> tuple[str, ...]:
        return tuple(q.slot for q in self.questions)

    def question(self, slot: str) -> Question:
        return next(q for q in self.questions if q.slot == slot)


@dataclass(frozen=True)
class Score:
    """The points each role got, the verdict (a role or CLOSE) and the answers that counted."""

    points: Mapping[str, int]
    verdict: str
    counted: tuple[tuple[Question, Option], ...]


def _words(value: Any, key: str, path: Path) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str | bool) for v in value):
        raise FactStoreError(f"{path}: key '{key}': expected a list of words")
    # YAML reads a bare yes/no as a boolean; the file quotes them, this is a safety net.
    return tuple(("yes" if v else "no") if isinstance(v, bool) else v.lower() for v in value)


def load_advisor(store: FactStore, path: Path = ADVISOR_PATH) -> Advisor:
    """Read facts/advisor.yml; every reason must be a claim of the store (or a salary)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise FactStoreError(f"{path}: {error}") from None
    if not isinstance(raw, dict) or raw.get("version") != 1:
        raise FactStoreError(f"{path}: key 'version': only version 1 is supported")
    claim_ids = {c.id for c in store.all_claims()} | {f"salary:{r}" for r in ROLES}
    uncovered = {u.key for u in store.uncovered}
    questions = []
    raw_questions = raw.get("questions")
    if not isinstance(raw_questions, dict) or not raw_questions:
        raise FactStoreError(f"{path}: key 'questions': expected a mapping of questions")
    for slot, raw_question in raw_questions.items():
        key = f"questions.{slot}"
        if not isinstance(raw_question, dict) or not isinstance(raw_question.get("options"), dict):
            raise FactStoreError(f"{path}: key '{key}.options': expected a mapping of answers")
        options = []
        for value, entry in raw_question["options"].items():
            where = f"{key}.options.{value}"
            value = ("yes" if value else "no") if isinstance(value, bool) else str(value)
            if not isinstance(entry, dict) or not all(
                isinstance(entry.get(k), str) for k in ("title", "says")
            ):
                raise FactStoreError(f"{path}: key '{where}': needs a title and says")
            points = entry.get("points") or {}
            if not isinstance(points, dict) or any(
                r not in ROLES or not isinstance(p, int) for r, p in points.items()
            ):
                raise FactStoreError(f"{path}: key '{where}.points': expected role: whole number")
            reasons = _words(entry.get("reasons") or [], f"{where}.reasons", path)
            unknown = [r for r in reasons if r not in claim_ids]
            if unknown:
                raise FactStoreError(
                    f"{path}: key '{where}.reasons': no claim {unknown[0]!r} in the fact store"
                )
            if points and not reasons:
                raise FactStoreError(f"{path}: key '{where}.reasons': an answer with points needs a reason")
            options.append(
                Option(
                    value=value,
                    title=entry["title"],
                    says=entry["says"],
                    phrases=_words(entry.get("phrases"), f"{where}.phrases", path),
                    answers=_words(entry.get("answers"), f"{where}.answers", path),
                    opposite=entry.get("opposite"),
                    points=dict(points),
                    reasons=reasons,
                )
            )
        values = {o.value for o in options}
        for o in options:
            if o.opposite is not None and o.opposite not in values:
                raise FactStoreError(
                    f"{path}: key '{key}.options.{o.value}.opposite': no answer {o.opposite!r}"
                )
        questions.append(Question(str(slot), str(raw_question.get("topic") or slot), tuple(options)))
    unknowns = _words(raw.get("unknowns"), "unknowns", path)
    if any(u not in uncovered for u in unknowns):
        raise FactStoreError(f"{path}: key 'unknowns': every entry must be a key of uncovered_topics")
    close_within = raw.get("close_within")
    if not isinstance(close_within, int) or close_within < 0:
        raise FactStoreError(f"{path}: key 'close_within': expected a whole number")
    return Advisor(
        questions=tuple(questions),
        close_within=close_within,
        rejecting=_words(raw.get("rejecting"), "rejecting", path),
        unknowns=unknowns,
        what_if=_words(raw.get("what_if"), "what_if", path),
        why=_words(raw.get("why"), "why", path),
        leave=_words(raw.get("leave"), "leave", path),
        skip=_words(raw.get("skip"), "skip", path),
    )


@cache
def default_advisor(store: FactStore) -> Advisor:
    return load_advisor(store)


# ------------------------------------------------------------ reading answers


def _normal(text: str) -> str:
    return " ".join(_TOKEN.findall(text.lower().replace("\u2019", "'")))


@cache
def _pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    ordered = sorted({_normal(p) for p in phrases if _normal(p)}, key=lambda p: (-len(p), p))
    body = "|".join(re.escape(p) for p in ordered) or "(?!)"
    return re.compile(rf"(?<![a-z0-9'])(?:{body})(?![a-z0-9'])")


def _rejected(advisor: Advisor, before: str) -> bool:
    """Whether a rejecting word ("not", "I hate") comes before a phrase in its clause."""
    clause = re.split(r"[.,;!?]| but | though | although ", before)[-1]
    return _pattern(advisor.rejecting).search(clause) is not None


def _find(advisor: Advisor, question: Question, text: str, with_answers: bool) -> tuple[str, int, int] | None:
    """The answer to `question` in `text`: (value, start, end) of its longest phrase."""
    best: tuple[str, int, int] | None = None
    for option in question.options:
        words = option.phrases + (option.answers if with_answers else ())
        for match in _pattern(words).finditer(text):
            value: str | None = option.value
            if _rejected(advisor, text[: match.start()]) and match.group() not in option.answers:
                value = option.opposite
            if value is None:
                continue
            if best is None or match.end() - match.start() > best[2] - best[1]:
                best = (value, match.start(), match.end())
    return best


def extract(
    advisor: Advisor,
    text: str,
    requested: str | None = None,
    about_person: Sequence[str] = (),
) -> dict[str, str]:
    """Slot values a message gives.

    The requested question is answered from the whole message, short answers
    ("both", "no") included; the other questions only from the clauses in
    which the person describes themselves ("I'm an engineer, ..."), by their
    phrases, so a question that names an office is not taken for an answer.
    """
    values: dict[str, str] = {}
    whole = _normal(text)
    if requested in advisor.slots:
        found = _find(advisor, advisor.question(requested), whole, with_answers=True)
        if found:
            values[requested] = found[0]
            whole = whole[: found[1]] + " " * (found[2] - found[1]) + whole[found[2] :]
    described = " , ".join(_normal(t) for t in about_person)
    for question in advisor.questions:
        if question.slot in values:
            continue
        for source in (described,) if requested not in advisor.slots else (described, whole):
            found = _find(advisor, question, source, with_answers=False)
            if found:
                values[question.slot] = found[0]
                break
    return values


def from_entities(advisor: Advisor, entities: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Slot values a button payload carries (`/answer_fit{"fit_likes": "product"}`)."""
    values: dict[str, str] = {}
    for entity in entities:
        slot, value = entity.get("entity"), str(entity.get("value") or "")
        if slot in advisor.slots and (value == SKIPPED or advisor.question(str(slot)).option(value)):
            values[str(slot)] = value
    return values


def is_what_if(advisor: Advisor, text: str) -> bool:
    return _pattern(advisor.what_if).search(_normal(text)) is not None


def asks_why(advisor: Advisor, text: str) -> bool:
    """ "why?", "how come?": a short message asking for the reasoning."""
    normal = _normal(text)
    return len(normal.split()) <= 6 and _pattern(advisor.why).search(normal) is not None


# ------------------------------------------------------------ scoring


@dataclass(frozen=True)
class Step:
    """What the form's validation does with a message: slots to set, what to say first, and
    whether the question is asked again (`reask`) or the form just goes on (`keep`)."""

    values: Mapping[str, str]
    say: str = ""
    reask: bool = False
    keep: bool = False

    @property
    def rejects(self) -> bool:
        """Nothing to set: Rasa rejects the form, and data/rules.yml handles the message."""
        return not (self.values or self.reask or self.keep)


# Intents that leave the form (data/rules.yml deactivates it) and that ask something else.
LEAVE_INTENTS = frozenset({"stop", "goodbye"})
OTHER_INTENTS = frozenset({"ask_source", "greet", "thank", "bot_challenge", "ask_capabilities"})
START_INTENT = "request_career_fit"
# Below this confidence a greeting or thanks in the middle of the form ("asdf" read as
# greet) is taken for an answer that can't be used, not a change of subject.
SURE = 0.7
REASK = "Sorry, I couldn't use that as an answer. Tap one of the buttons, or put it another way."
SKIP = "No problem, let's skip that one."


def asks_something_else(reading: Reading) -> bool:
    """A question about the careers, or a citation request, put in the middle of the advisor."""
    r = reading
    return r.source or (
        r.asks
        and bool(r.roles or r.topics or r.organisations or r.uncovered or r.described_role or r.other_careers)
    )


def leaves(advisor: Advisor, reading: Reading) -> bool:
    """ "stop", "never mind": leave the advisor (also when the NLU read another intent)."""
    return reading.intent in LEAVE_INTENTS or (
        len(reading.words) <= 6 and _pattern(advisor.leave).search(_normal(reading.text)) is not None
    )


def validate_answer(
    advisor: Advisor,
    reading: Reading,
    entities: Sequence[Mapping[str, Any]],
    requested: str | None,
    reasked_already: bool,
    confidence: float = 1.0,
    store: FactStore | None = None,
) -> Step:
    """The form's step for one message while `requested` is asked (None: the form starts).

    A button's payload or an answer in the words of the question fills it;
    a question about the careers, "stop" or a greeting rejects the form (the
    rules answer it and the form asks again); anything else is asked again
    once, with the buttons, and then skipped.
    """
    clicked = from_entities(advisor, entities)
    if clicked:
        return Step(clicked)
    if requested and _pattern(advisor.skip).fullmatch(_normal(reading.text)):
        return Step({requested: SKIPPED})  # "skip", "pass": this question, not the advisor
    values = extract(advisor, reading.text, requested, reading.about_person)
    if requested is None:
        return Step(values)
    if asks_something_else(reading) or (reading.intent in OTHER_INTENTS and confidence >= SURE):
        return Step({})
    if requested in values:
        # An answer, whatever the intent ("no" read as stop), said back with its fact when typed.
        said = acknowledge(store, advisor, requested, values[requested]) if store else ""
        return Step(values, said)
    if leaves(advisor, reading):
        return Step({})
    if values:
        return Step(values)
    if reading.intent == START_INTENT:
        return Step({}, keep=True)  # "help me choose" again: the question stands
    if not reasked_already:
        return Step({}, REASK, reask=True)
    return Step({requested: SKIPPED}, SKIP)


def score(advisor: Advisor, given: Mapping[str, str | None]) -> Score:
    """Points per role from the answers given; CLOSE when within `close_within`."""
    points = dict.fromkeys(ROLES, 0)
    counted = []
    for question in advisor.questions:
        option = question.option(given.get(question.slot))
        if option is None:
            continue
        for role, p in option.points.items():
            points[role] += p
        counted.append((question, option))
    gap = points[PRODUCT] - points[PRODUCTION]
    verdict = CLOSE if abs(gap) <= advisor.close_within else (PRODUCT if gap > 0 else PRODUCTION)
    return Score(points, verdict, tuple(counted))


def _reason_text(store: FactStore, reason: str) -> str:
    if reason.startswith("salary:"):
        pay = answers.salary_text(store, BOTH).split(" For both,")[0].rstrip(".")
        return f"{pay} (the gap is derived from the two averages)."
    return answers.standalone(store, store.claim(reason))


def _reasons(result: Score) -> list[tuple[Option, str]]:
    """The answers behind the verdict, each with a claim that says why: at most 4.

    The strongest answers first, one claim each; an answer's second claim only
    while there are fewer than two reasons.
    """
    leaning = [
        o
        for _, o in sorted(result.counted, key=lambda qo: -sum(qo[1].points.values()))
        if o.points and (result.verdict == CLOSE or o.points.get(result.verdict))
    ]
    chosen = [(o, o.reasons[0]) for o in leaning][:4]
    for option in leaning:
        if len(chosen) >= 2:
            break
        if len(option.reasons) > 1 and not option.reasons[0].startswith("salary:"):
            chosen.append((option, option.reasons[1]))
    return chosen


def _lead(store: FactStore, result: Score) -> str:
    if result.verdict == CLOSE:
        return "It's close between the two: your answers don't settle it."
    label = store.roles[result.verdict].label
    return f"{label.capitalize()} looks like the better fit for you, from your answers."


def _unknowns(store: FactStore, advisor: Advisor) -> str:
    labels = [u.label for u in store.uncovered if u.key in advisor.unknowns]
    listed = ", ".join(labels[:-1]) + " or " + labels[-1] if len(labels) > 1 else "".join(labels)
    return f"What the article can't tell you: {listed}, for either role, so weigh those from other sources."


def _fallback(store: FactStore, result: Score) -> list[str]:
    """When the answers say little: the claims that set the roles apart, or the role itself."""
    if result.verdict == CLOSE:
        return ["compare_focus", "compare_work_environment"]
    return [
        store.claims(result.verdict, "overview")[0].id,
        store.claims(result.verdict, "work_environment")[0].id,
    ]


def recommend(
    store: FactStore,
    advisor: Advisor,
    given: Mapping[str, str | None],
    change: tuple[str, str | None, str] | None = None,
) -> tuple[Reply, Score]:
    """The recommendation: a role or "close", 2-4 reasons from the article, and what it can't tell."""
    result = score(advisor, given)
    parts: list[str] = []
    if change:
        slot, old, new = change
        question = advisor.question(slot)
        new_option = question.option(new)
        old_option = question.option(old)
        assert new_option is not None
        before = f" instead of {old_option.title.lower()}" if old_option else ""
        parts.append(f"With {new_option.title.lower()}{before} for {question.topic}:")
    parts.append(_lead(store, result))
    sources: list[str] = []
    said: list[Option] = []
    for option, reason in _reasons(result):
        lead = f"You said {option.says}. " if option not in said else ""
        parts.append(lead + _reason_text(store, reason))
        said.append(option)
        sources.append(reason)
    if len(sources) < 2:
        extra = [c for c in _fallback(store, result) if c not in sources][: 2 - len(sources)]
        parts.append("From the article: " + " ".join(_reason_text(store, c) for c in extra))
        sources += extra
    parts.append(_unknowns(store, advisor))
    if any(s.startswith("salary:") for s in sources):
        # The pay sentence states both averages.
        sources += [f"salary:{r}" for r in ROLES]
    buttons = (
        Button("Why?", "why?"),
        Button(*_what_if_button(advisor, given)),
        Button("Compare pay", answers.question_payload(BOTH, "salary")),
    )
    return Reply(" ".join(parts), buttons, tuple(dict.fromkeys(sources))), result


def so_far(store: FactStore, advisor: Advisor, given: Mapping[str, str | None]) -> Reply | None:
    """Before the questions: what the answers already known point to, if they lean one way."""
    result = score(advisor, given)
    if result.verdict == CLOSE:
        return None
    reasons = _reasons(result)[:2]
    texts = " ".join(f"You said {o.says}. {_reason_text(store, r)}" for o, r in reasons)
    lead = f"From what you've told me so far, {store.roles[result.verdict].label} leans ahead."
    return Reply(f"{lead} {texts} A few questions to weigh the rest:", (), tuple(r for _, r in reasons))


def acknowledge(store: FactStore, advisor: Advisor, slot: str, value: str) -> str:
    """A typed answer, said back with the fact it points to ("... that points to product managers")."""
    option = advisor.question(slot).option(value)
    if option is None or not option.points or option.reasons[0].startswith("salary:"):
        return ""
    role = max(option.points, key=lambda r: option.points[r])
    return (
        f"Noted: {option.says}, which points to {store.roles[role].plural}. "
        f"{_reason_text(store, option.reasons[0])}"
    )


def _what_if_button(advisor: Advisor, given: Mapping[str, str | None]) -> tuple[str, str]:
    """A what-if for the background question: the degree that leans the other way."""
    text = (
        "What if I studied business?"
        if given.get("fit_background") == "engineering"
        else "What if I had an engineering degree?"
    )
    return text, text


def explain(store: FactStore, advisor: Advisor, given: Mapping[str, str | None]) -> Reply:
    """ "Why?": how each answer was weighed, and the totals."""
    result = score(advisor, given)
    lines = []
    for question in advisor.questions:
        option = question.option(given.get(question.slot))
        if option is None:
            lines.append(f"{question.topic}: skipped, no points")
            continue
        gained = [f"+{p} {store.roles[r].label}" for r, p in option.points.items() if p]
        lines.append(f"{question.topic}: {option.title.lower()}, {', '.join(gained) or 'no points'}")
    product, production = result.points[PRODUCT], result.points[PRODUCTION]
    if result.verdict == CLOSE:
        verdict = f"within {advisor.close_within} of each other, so I call it close"
    else:
        verdict = f"so {store.roles[result.verdict].label} comes out ahead"
    text = (
        "Here is how I weighed your answers (the points are my own weighting of what the article "
        "says about each role, not figures from it): "
        + "; ".join(lines)
        + f". That makes product manager {product} and production manager {production}, {verdict}."
        " Ask \u201cwhere does that come from?\u201d for the paragraphs behind the reasons."
    )
    return Reply(text, (Button(*_what_if_button(advisor, given)),))


def what_if(
    store: FactStore,
    advisor: Advisor,
    given: Mapping[str, str | None],
    text: str,
) -> tuple[Reply, str, str, Score] | None:
    """ "What if I had an engineering degree?": the recommendation again with that one change.

    Returns the reply, the slot changed and its new value, or None when the
    message changes no answer.
    """
    for question in advisor.questions:
        found = _find(advisor, question, _normal(text), with_answers=False)
        if found is None:
            continue
        new = found[0]
        old = given.get(question.slot)
        changed = {**given, question.slot: new}
        reply, result = recommend(store, advisor, changed, (question.slot, old, new))
        if old == new:
            reply = answers.with_note(reply, "That is the answer you gave already.")
        return reply, question.slot, new, result
    return None


def complete(advisor: Advisor, given: Mapping[str, Any]) -> bool:
    """Whether every question has an answer (or was skipped)."""
    return all(given.get(slot) for slot in advisor.slots)


def offer_button() -> Button:
    return Button(START_TITLE, START_PAYLOAD)
