"""Rasa lookup tables and synonyms, read back by the action server.

data/topics.yml, data/organisations.yml and data/other_careers.yml are Rasa
NLU files: RegexEntityExtractor finds their lookup entries as entities and
EntitySynonymMapper maps them to a canonical value. The action server reads
the same files so that a message reaches the reader with those entities even
when it did not come through Rasa's NLU (a button payload, a unit test): one
vocabulary, two readers that agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parent.parent / "data"
LOOKUP_FILES = {
    "topic": DATA / "topics.yml",
    "organisation": DATA / "organisations.yml",
    "other_career": DATA / "other_careers.yml",
}


@dataclass(frozen=True)
class Lookup:
    """One lookup table and the synonyms that map its entries."""

    name: str
    entries: tuple[str, ...]
    synonyms: dict[str, str]
    pattern: re.Pattern[str]

    def find(self, text: str) -> list[dict[str, Any]]:
        """Entities as RegexEntityExtractor + EntitySynonymMapper would give them."""
        found: list[dict[str, Any]] = []
        for match in self.pattern.finditer(text):
            span = match.group()
            found.append(
                {
                    "entity": self.name,
                    "start": match.start(),
                    "end": match.end(),
                    "value": self.synonyms.get(span.lower(), span),
                    "extractor": "lookup",
                }
            )
        return found


def _examples(block: dict[str, Any]) -> list[str]:
    lines = str(block.get("examples") or "").splitlines()
    return [line.strip()[2:].strip() for line in lines if line.strip().startswith("- ")]


@cache
def load(name: str) -> Lookup:
    """The lookup table `name` and its synonyms, from its file in data/."""
    path = LOOKUP_FILES[name]
    blocks = yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []
    entries: list[str] = []
    synonyms: dict[str, str] = {}
    for block in blocks:
        if block.get("lookup") == name:
            entries += _examples(block)
        elif "synonym" in block:
            canonical = str(block["synonym"])
            # EntitySynonymMapper maps the canonical name to itself in any case ("ASQ" -> "asq").
            synonyms[canonical.lower()] = canonical
            for example in _examples(block):
                synonyms[example.lower()] = canonical
    if not entries:
        raise ValueError(f"{path}: no lookup table named {name!r}")
    # Longest first, so "product marketing manager" wins over "marketing manager".
    ordered = sorted(set(entries), key=lambda e: (-len(e), e))
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(e) for e in ordered) + r")\b", re.IGNORECASE)
    return Lookup(name, tuple(entries), synonyms, pattern)


def entities_in(text: str) -> list[dict[str, Any]]:
    """Every lookup entity in `text`, for messages that did not pass Rasa's NLU."""
    return [entity for name in LOOKUP_FILES for entity in load(name).find(text)]
