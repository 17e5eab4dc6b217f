"""The vocabulary files agree with each other and with the facts. Needs no model.

data/topics.yml and data/organisations.yml each hold a lookup table (what
RegexEntityExtractor finds) and synonyms (what EntitySynonymMapper maps it
to): a lookup entry without a synonym would reach the actions as a value no
code knows, a synonym example missing from the lookup would never be found.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from actions.fact_store import load_fact_store
from actions.reading import VOCABULARY_PATH, Vocabulary, load_vocabulary

DATA = Path(__file__).resolve().parents[2] / "data"


def _blocks(name: str) -> list[dict[str, Any]]:
    raw = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    assert str(raw.get("version")) == "3.1", f"data/{name}: not a Rasa 3.x NLU file"
    return list(raw.get("nlu") or [])


def _examples(block: dict[str, Any]) -> list[str]:
    lines = str(block.get("examples") or "").splitlines()
    assert all(line.strip().startswith("- ") for line in lines if line.strip()), block
    return [line.strip()[2:].strip() for line in lines if line.strip()]


def _lookup(name: str, table: str) -> list[str]:
    tables = [b for b in _blocks(name) if b.get("lookup") == table]
    assert len(tables) == 1, f"data/{name}: expected one lookup table {table!r}"
    return _examples(tables[0])


def _synonyms(name: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for block in _blocks(name):
        if "synonym" in block:
            found.setdefault(str(block["synonym"]), []).extend(_examples(block))
    return found


@pytest.mark.parametrize(("name", "table"), [("topics.yml", "topic"), ("organisations.yml", "organisation")])
def test_the_lookup_table_is_the_synonyms_and_their_names(name: str, table: str) -> None:
    entries = _lookup(name, table)
    synonyms = _synonyms(name)
    expected = {e for examples in synonyms.values() for e in examples} | set(synonyms)
    assert len(entries) == len(set(entries)), f"data/{name}: an entry is listed twice"
    assert set(entries) - expected == set(), f"data/{name}: lookup entries no synonym maps"
    assert expected - set(entries) == set(), f"data/{name}: synonym examples the lookup does not find"


@pytest.mark.parametrize("name", ["topics.yml", "organisations.yml"])
def test_no_example_maps_to_two_values(name: str) -> None:
    seen: dict[str, str] = {}
    for value, examples in _synonyms(name).items():
        for example in examples:
            assert example.lower() not in seen, f"{example!r} maps to {seen[example.lower()]} and {value}"
            seen[example.lower()] = value


def test_every_topic_key_is_a_topic_of_the_facts() -> None:
    topics = set(load_fact_store().topic_labels)
    assert set(_synonyms("topics.yml")) <= topics


def test_every_organisation_key_is_an_organisation_of_the_facts() -> None:
    keys = {o.key for o in load_fact_store().organisations}
    assert set(_synonyms("organisations.yml")) == keys


def _plurals(career: str) -> set[str]:
    head, _, last = career.rpartition(" ")
    prefix = f"{head} " if head else ""
    forms = {last + "s", last + "es"}
    if last.endswith("y"):
        forms.add(last[:-1] + "ies")
    if last.endswith("man"):
        forms.add(last[:-3] + "men")
    if last.endswith("person"):
        forms.add(last[:-6] + "people")
    return {prefix + f for f in forms}


def test_every_other_career_has_its_plural() -> None:
    careers = _lookup("other_careers.yml", "other_career")
    listed = set(careers)
    assert len(careers) == len(listed), "a career is listed twice"
    plurals = {p for c in careers for p in _plurals(c) if p in listed}
    missing = [c for c in careers if not (_plurals(c) & listed) and c not in plurals]
    assert missing == [], f"careers without their plural in data/other_careers.yml: {missing}"
    assert all(c == c.lower() for c in careers), (
        "entries are matched case-insensitively; keep them lower case"
    )


def test_our_own_roles_are_not_other_careers() -> None:
    careers = set(_lookup("other_careers.yml", "other_career"))
    for ours in ("product manager", "product managers", "production manager", "production managers"):
        assert ours not in careers


def test_reading_vocabulary_loads_and_its_frames_compile() -> None:
    vocab = load_vocabulary(VOCABULARY_PATH)
    assert isinstance(vocab, Vocabulary)
    raw = yaml.safe_load(VOCABULARY_PATH.read_text(encoding="utf-8"))
    topics = set(load_fact_store().topic_labels)
    assert set(raw["frames"]) <= topics
    for topic, patterns in raw["frames"].items():
        assert patterns, topic
        for pattern in patterns:
            re.compile(pattern)
    assert all(p.pattern for ps in vocab.frames.values() for p in ps)


def test_every_list_of_the_reading_vocabulary_is_filled() -> None:
    raw = yaml.safe_load(VOCABULARY_PATH.read_text(encoding="utf-8"))
    for key, value in raw.items():
        assert value, f"actions/reading.yml: {key} is empty"
    for period, entry in raw["periods"].items():
        assert isinstance(entry["per_year"], int) and entry["per_year"] > 0, period
        assert entry["words"], period
