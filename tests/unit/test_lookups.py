"""Rasa's lookup tables and synonyms, read back by the action server (actions/lookups.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from actions import lookups


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    """Tests that point the loader at other files must not leave those in its cache."""
    lookups.load.cache_clear()
    yield
    lookups.load.cache_clear()


@pytest.mark.parametrize("name", sorted(lookups.LOOKUP_FILES))
def test_every_table_loads_from_its_file(name: str) -> None:
    table = lookups.load(name)
    assert table.name == name and table.entries
    assert all(key == key.lower() for key in table.synonyms), "synonyms are looked up in lower case"


def test_found_entities_look_like_rasas() -> None:
    text = "what is the pay for a PM?"
    (entity,) = lookups.load("topic").find(text)
    assert entity == {"entity": "topic", "start": 12, "end": 15, "value": "salary", "extractor": "lookup"}
    assert text[entity["start"] : entity["end"]] == "pay"


@pytest.mark.parametrize(
    ("name", "text", "value"),
    [
        ("topic", "what do they earn", "salary"),
        ("topic", "any CERTIFICATION needed", "certifications"),
        ("organisation", "the Project Management Institute", "pmi"),
        ("organisation", "is APICS any good", "pics"),
        ("organisation", "what is ASQ", "asq"),
        ("topic", "what SKILLS are needed", "skills"),
    ],
)
def test_synonyms_map_to_the_canonical_value(name: str, text: str, value: str) -> None:
    assert [e["value"] for e in lookups.load(name).find(text)] == [value]


def test_an_entry_without_a_synonym_keeps_the_words_typed() -> None:
    assert [e["value"] for e in lookups.load("other_career").find("what does a Nurse do")] == ["Nurse"]


def test_the_longest_entry_wins() -> None:
    found = lookups.load("other_career").find("what does a product marketing manager earn")
    assert [e["value"] for e in found] == ["product marketing manager"]
    organisation = lookups.load("organisation").find("the american society for quality")
    assert [(e["start"], e["end"]) for e in organisation] == [(0, 32)]


def test_entries_match_whole_words_only() -> None:
    assert lookups.load("topic").find("concert tickets") == []
    assert lookups.load("organisation").find("pmis and amazing") == []


def test_entities_in_reads_every_table() -> None:
    kinds = {e["entity"] for e in lookups.entities_in("pmi pay for a nurse")}
    assert kinds == set(lookups.LOOKUP_FILES)
    assert lookups.entities_in("blorp") == []


def test_a_file_without_its_table_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_cache: None
) -> None:
    path = tmp_path / "topics.yml"
    path.write_text('version: "3.1"\nnlu:\n- synonym: salary\n  examples: |\n    - pay\n', encoding="utf-8")
    monkeypatch.setitem(lookups.LOOKUP_FILES, "topic", path)
    with pytest.raises(ValueError, match="no lookup table named 'topic'") as error:
        lookups.load("topic")
    assert str(path) in str(error.value)


def test_a_small_file_is_read_as_rasa_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_cache: None
) -> None:
    path = tmp_path / "organisations.yml"
    path.write_text(
        'version: "3.1"\nnlu:\n'
        "- lookup: organisation\n  examples: |\n    - abc\n    - alpha beta club\n"
        "- synonym: abc\n  examples: |\n    - Alpha Beta Club\n",
        encoding="utf-8",
    )
    monkeypatch.setitem(lookups.LOOKUP_FILES, "organisation", path)
    table = lookups.load("organisation")
    assert table.entries == ("abc", "alpha beta club")
    assert table.synonyms == {"alpha beta club": "abc", "abc": "abc"}
    assert [e["value"] for e in table.find("the ALPHA BETA CLUB or abc")] == ["abc", "abc"]
