"""The fact store: loads `facts/*.yml`, checks it against its schema, answers queries.

The store is data, not code. Loading fails fast with a `FactStoreError` that
names the file and the key path, so a bad edit stops the action server at
start-up instead of surfacing as a wrong answer in a conversation.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROLES: tuple[str, ...] = ("product_manager", "production_manager")
ROLE_TOPICS: tuple[str, ...] = (
    "overview",
    "duties",
    "skills",
    "education",
    "certifications",
    "work_environment",
)
COMPARISON_TOPICS: tuple[str, ...] = (*ROLE_TOPICS, "difference", "similarities")
# Salary answers are composed from the numbers in `salaries`, not from prose.
ALL_TOPICS: tuple[str, ...] = (*COMPARISON_TOPICS, "salary")

_NOT_A_WORD = re.compile(r"[^a-z0-9'$-]+")
DEFAULT_FACTS_PATH = Path(__file__).resolve().parent.parent / "facts" / "facts.yml"


class FactStoreError(ValueError):
    """The fact file is missing or does not match the schema."""


CLAIM_OWNERS: tuple[str, ...] = (*ROLES, "both", "comparison")
# What a claim answers to a yes/no question it settles, unless it says otherwise.
DEFAULT_YES_NO = "Yes"


@dataclass(frozen=True)
class Fact:
    """What the assistant says on one role and topic: its claims, joined."""

    text: str
    paragraphs: tuple[int, ...]


@dataclass(frozen=True)
class Claim:
    """One fact, in our own words, with the paragraph(s) it rests on."""

    id: str
    owner: str  # a role, "both" (true of each role) or "comparison"
    topic: str
    text: str
    paragraphs: tuple[int, ...]
    cues: tuple[str, ...]
    yes_no: str = DEFAULT_YES_NO
    # The answer when the question asks whether this is *required* ("do they
    # need an engineering degree?"), if it differs from `yes_no`.
    if_required: str | None = None

    def roles(self) -> tuple[str, ...]:
        """The roles this claim is true of."""
        return (self.owner,) if self.owner in ROLES else ROLES


@dataclass(frozen=True)
class Organisation:
    key: str
    name: str
    abbreviation: str
    role: str
    paragraph: int
    better_known_as: str | None = None


@dataclass(frozen=True)
class Salary:
    role: str
    average_usd_per_year: int
    paragraph: int


@dataclass(frozen=True)
class UncoveredTopic:
    key: str
    label: str
    cues: tuple[str, ...]
    note: str | None = None


@dataclass(frozen=True)
class Role:
    key: str
    label: str
    plural: str


class _Checker:
    """Reads typed values out of the parsed YAML, naming file and key on error."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, problem: str) -> FactStoreError:
        return FactStoreError(f"{self.path}: key '{key}': {problem}")

    def mapping(self, value: Any, key: str) -> Mapping[Any, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(key, f"expected a mapping, got {type(value).__name__}")
        return value

    def get(self, parent: Mapping[Any, Any], name: Any, key: str) -> Any:
        if name not in parent:
            raise self.fail(f"{key}.{name}" if key else str(name), "is missing")
        return parent[name]

    def text(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "expected non-empty text")
        return " ".join(value.split())

    def integer(self, value: Any, key: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise self.fail(key, f"expected a positive whole number, got {value!r}")
        return value

    def text_list(self, value: Any, key: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(key, "expected a non-empty list")
        return tuple(self.text(item, f"{key}[{i}]") for i, item in enumerate(value))

    def role(self, value: Any, key: str) -> str:
        if value not in ROLES:
            raise self.fail(key, f"unknown role {value!r}; expected one of {', '.join(ROLES)}")
        return str(value)

    def only_keys(self, value: Mapping[Any, Any], allowed: Sequence[str], key: str) -> None:
        extra = sorted(str(k) for k in value if k not in allowed)
        if extra:
            where = f"{key}.{extra[0]}" if key else extra[0]
            raise self.fail(where, f"unexpected key; allowed here: {', '.join(allowed)}")


class FactStore:
    """Query interface over the validated facts."""

    def __init__(
        self,
        *,
        path: Path,
        title: str,
        sections: dict[int, str],
        roles: dict[str, Role],
        topic_labels: dict[str, str],
        claims: dict[tuple[str, str], tuple[Claim, ...]],
        organisations: tuple[Organisation, ...],
        salaries: dict[str, Salary],
        salary_depends_on: tuple[str, ...],
        salary_depends_on_paragraph: int,
        uncovered: tuple[UncoveredTopic, ...],
    ) -> None:
        self.path = path
        self.title = title
        self.sections = sections
        self.roles = roles
        self.topic_labels = topic_labels
        self._claims = claims
        self._claims_by_id = {c.id: c for group in claims.values() for c in group}
        self.organisations = organisations
        self.salaries = salaries
        self.salary_depends_on = salary_depends_on
        self.salary_depends_on_paragraph = salary_depends_on_paragraph
        self.uncovered = uncovered

    # -- queries -----------------------------------------------------------
    def claims(self, owner: str, topic: str) -> tuple[Claim, ...]:
        """The claims of an owner (a role, `both` or `comparison`) on a topic, in answer order."""
        return self._claims.get((owner, topic), ())

    def claim(self, claim_id: str) -> Claim:
        return self._claims_by_id[claim_id]

    def all_claims(self) -> tuple[Claim, ...]:
        return tuple(self._claims_by_id.values())

    def fact(self, role: str, topic: str) -> Fact:
        """The whole answer about one role (`product_manager`/`production_manager`) on a topic."""
        return _joined(self._claims[(role, topic)])

    def compare(self, topic: str) -> Fact:
        """The side-by-side answer on a topic (or `difference`/`similarities`)."""
        return _joined(self._claims[("comparison", topic)])

    def salary(self, role: str) -> Salary:
        return self.salaries[role]

    def salary_gap(self) -> tuple[int, float]:
        """How much more a product manager earns on average: dollars and percent."""
        product = self.salaries["product_manager"].average_usd_per_year
        production = self.salaries["production_manager"].average_usd_per_year
        gap = product - production
        return gap, 100.0 * gap / production

    def section_name(self, paragraph: int) -> str:
        return self.sections.get(paragraph, f"paragraph {paragraph}")

    def uncovered_topic(self, text: str) -> UncoveredTopic | None:
        """The first not-covered topic whose cue words occur in `text` (whole words), if any."""
        lowered = f" {' '.join(_NOT_A_WORD.sub(' ', text.lower().replace(chr(8217), chr(39))).split())} "
        for topic in self.uncovered:
            for cue in topic.cues:
                if f" {cue} " in lowered:
                    return topic
        return None

    def all_texts(self) -> list[tuple[str, str]]:
        """(key, text) for every piece of prose, for checks against the article."""
        items = [(f"facts.{c.owner}.{c.topic}.{c.id}", c.text) for c in self.all_claims()]
        items += [(f"uncovered_topics.{u.key}.note", u.note) for u in self.uncovered if u.note]
        return items

    def role_label(self, role: str) -> str:
        return self.roles[role].label


def _joined(claims: Sequence[Claim]) -> Fact:
    paragraphs = sorted({p for c in claims for p in c.paragraphs})
    return Fact(" ".join(c.text for c in claims), tuple(paragraphs))


def load_fact_store(path: Path | None = None) -> FactStore:
    """Load and validate the fact file; raises `FactStoreError` naming file and key."""
    path = Path(path or os.environ.get("FACTS_PATH") or DEFAULT_FACTS_PATH)
    check = _Checker(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FactStoreError(f"{path}: file not found") from None
    except yaml.YAMLError as error:
        raise FactStoreError(f"{path}: not valid YAML: {error}") from None
    root = check.mapping(raw, "(top level)")
    check.only_keys(
        root,
        [
            "version",
            "source",
            "sections",
            "roles",
            "topics",
            "uncovered_topics",
            "organisations",
            "salaries",
            "facts",
        ],
        "",
    )
    if check.get(root, "version", "") != 1:
        raise check.fail("version", "only version 1 is supported")

    source = check.mapping(check.get(root, "source", ""), "source")
    title = check.text(check.get(source, "title", "source"), "source.title")

    sections: dict[int, str] = {}
    for number, name in check.mapping(check.get(root, "sections", ""), "sections").items():
        key = f"sections.{number}"
        sections[check.integer(number, key)] = check.text(name, key)

    roles: dict[str, Role] = {}
    raw_roles = check.mapping(check.get(root, "roles", ""), "roles")
    for role in ROLES:
        entry = check.mapping(check.get(raw_roles, role, "roles"), f"roles.{role}")
        roles[role] = Role(
            key=role,
            label=check.text(check.get(entry, "label", f"roles.{role}"), f"roles.{role}.label"),
            plural=check.text(check.get(entry, "plural", f"roles.{role}"), f"roles.{role}.plural"),
        )
    check.only_keys(raw_roles, ROLES, "roles")

    raw_topics = check.mapping(check.get(root, "topics", ""), "topics")
    check.only_keys(raw_topics, ALL_TOPICS, "topics")
    topic_labels = {
        topic: check.text(check.get(raw_topics, topic, "topics"), f"topics.{topic}") for topic in ALL_TOPICS
    }

    def paragraph(value: Any, key: str) -> int:
        number = check.integer(value, key)
        if number not in sections:
            raise check.fail(key, f"paragraph {number} is not listed under 'sections'")
        return number

    claims: dict[tuple[str, str], tuple[Claim, ...]] = {}
    seen_ids: set[str] = set()
    raw_facts = check.mapping(check.get(root, "facts", ""), "facts")
    owners: dict[str, tuple[str, ...]] = {role: ROLE_TOPICS for role in ROLES}
    owners["both"] = COMPARISON_TOPICS
    owners["comparison"] = COMPARISON_TOPICS
    required = {role: ROLE_TOPICS for role in ROLES}
    required["comparison"] = COMPARISON_TOPICS
    check.only_keys(raw_facts, list(owners), "facts")
    for owner, topics in owners.items():
        if owner not in required and owner not in raw_facts:
            continue
        by_topic = check.mapping(check.get(raw_facts, owner, "facts"), f"facts.{owner}")
        check.only_keys(by_topic, topics, f"facts.{owner}")
        for topic in topics:
            key = f"facts.{owner}.{topic}"
            if topic not in by_topic and topic not in required.get(owner, ()):
                continue
            raw_claims = check.get(by_topic, topic, f"facts.{owner}")
            if not isinstance(raw_claims, list) or not raw_claims:
                raise check.fail(key, "expected a non-empty list of claims")
            group = []
            for i, raw_claim in enumerate(raw_claims):
                where = f"{key}[{i}]"
                entry = check.mapping(raw_claim, where)
                check.only_keys(entry, ["id", "text", "paragraphs", "cues", "yes_no", "if_required"], where)
                claim_id = check.text(check.get(entry, "id", where), f"{where}.id")
                if claim_id in seen_ids:
                    raise check.fail(f"{where}.id", f"claim id {claim_id!r} is used twice")
                seen_ids.add(claim_id)
                raw_paragraphs = check.get(entry, "paragraphs", where)
                if not isinstance(raw_paragraphs, list) or not raw_paragraphs:
                    raise check.fail(f"{where}.paragraphs", "expected a non-empty list of paragraph numbers")
                yes_no = entry.get("yes_no")
                if_required = entry.get("if_required")
                group.append(
                    Claim(
                        id=claim_id,
                        owner=owner,
                        topic=topic,
                        text=check.text(check.get(entry, "text", where), f"{where}.text"),
                        paragraphs=tuple(
                            paragraph(p, f"{where}.paragraphs[{j}]") for j, p in enumerate(raw_paragraphs)
                        ),
                        cues=tuple(
                            c.lower()
                            for c in check.text_list(check.get(entry, "cues", where), f"{where}.cues")
                        ),
                        yes_no=check.text(yes_no, f"{where}.yes_no")
                        if yes_no is not None
                        else DEFAULT_YES_NO,
                        if_required=(
                            check.text(if_required, f"{where}.if_required")
                            if if_required is not None
                            else None
                        ),
                    )
                )
            claims[(owner, topic)] = tuple(group)

    organisations: list[Organisation] = []
    raw_orgs = check.get(root, "organisations", "")
    if not isinstance(raw_orgs, list) or not raw_orgs:
        raise check.fail("organisations", "expected a non-empty list")
    for i, raw_org in enumerate(raw_orgs):
        key = f"organisations[{i}]"
        org = check.mapping(raw_org, key)
        check.only_keys(org, ["key", "name", "abbreviation", "role", "paragraph", "better_known_as"], key)
        known_as = org.get("better_known_as")
        organisations.append(
            Organisation(
                key=check.text(check.get(org, "key", key), f"{key}.key"),
                name=check.text(check.get(org, "name", key), f"{key}.name"),
                abbreviation=check.text(check.get(org, "abbreviation", key), f"{key}.abbreviation"),
                role=check.role(check.get(org, "role", key), f"{key}.role"),
                paragraph=paragraph(check.get(org, "paragraph", key), f"{key}.paragraph"),
                better_known_as=(
                    check.text(known_as, f"{key}.better_known_as") if known_as is not None else None
                ),
            )
        )

    raw_salaries = check.mapping(check.get(root, "salaries", ""), "salaries")
    check.only_keys(raw_salaries, [*list(ROLES), "depends_on", "depends_on_paragraph"], "salaries")
    salaries: dict[str, Salary] = {}
    for role in ROLES:
        key = f"salaries.{role}"
        entry = check.mapping(check.get(raw_salaries, role, "salaries"), key)
        check.only_keys(entry, ["average_usd_per_year", "paragraph"], key)
        salaries[role] = Salary(
            role=role,
            average_usd_per_year=check.integer(
                check.get(entry, "average_usd_per_year", key), f"{key}.average_usd_per_year"
            ),
            paragraph=paragraph(check.get(entry, "paragraph", key), f"{key}.paragraph"),
        )
    depends_on = check.text_list(check.get(raw_salaries, "depends_on", "salaries"), "salaries.depends_on")
    depends_on_paragraph = paragraph(
        check.get(raw_salaries, "depends_on_paragraph", "salaries"),
        "salaries.depends_on_paragraph",
    )

    uncovered: list[UncoveredTopic] = []
    raw_uncovered = check.mapping(check.get(root, "uncovered_topics", ""), "uncovered_topics")
    for name, raw_entry in raw_uncovered.items():
        key = f"uncovered_topics.{name}"
        entry = check.mapping(raw_entry, key)
        check.only_keys(entry, ["label", "cues", "note"], key)
        note = entry.get("note")
        uncovered.append(
            UncoveredTopic(
                key=str(name),
                label=check.text(check.get(entry, "label", key), f"{key}.label"),
                cues=tuple(c.lower() for c in check.text_list(check.get(entry, "cues", key), f"{key}.cues")),
                note=check.text(note, f"{key}.note") if note is not None else None,
            )
        )

    return FactStore(
        path=path,
        title=title,
        sections=sections,
        roles=roles,
        topic_labels=topic_labels,
        claims=claims,
        organisations=tuple(organisations),
        salaries=salaries,
        salary_depends_on=depends_on,
        salary_depends_on_paragraph=depends_on_paragraph,
        uncovered=tuple(uncovered),
    )


if __name__ == "__main__":
    import sys

    try:
        checked = load_fact_store(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    except FactStoreError as error:
        sys.exit(f"error: {error}")
    print(
        f"{checked.path}: ok ({len(checked.all_texts())} texts, {len(checked.organisations)} organisations)"
    )
