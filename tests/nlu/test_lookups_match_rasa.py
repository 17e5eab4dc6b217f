"""actions/lookups.py finds what Rasa's own extractor finds (written for Rasa 3.6.21).

The action server reads data/topics.yml, data/organisations.yml and
data/other_careers.yml back so that text Rasa did not parse gets the same
entities. Here the trained model parses every message of the evaluation
files and its RegexEntityExtractor + EntitySynonymMapper output is compared
with `lookups.entities_in`: the same values of each entity type. (Spans may
differ where one entry is the start of a longer one, "take home" / "take home
pay": Rasa takes the one listed first, ours the longer; both map to the same
value.) Needs the trained model.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from pathlib import Path

import pytest

from actions import lookups
from evaluation.question_set import SETS, load_items
from local_stack.servers import MODEL

LOOKUP_TYPES = ("topic", "organisation", "other_career")


def _messages() -> list[str]:
    texts = [
        t
        for path in SETS.values()
        if Path(path).exists()
        for i in load_items(Path(path))
        for t in i.messages()
    ]
    return sorted({t for t in texts if not t.startswith("/")})


@pytest.fixture(scope="module")
def parsed() -> list[tuple[str, dict]]:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first")
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    agent = Agent.load(str(MODEL))
    messages = _messages()

    async def parse_all() -> list[dict]:
        return [await agent.parse_message(m) for m in messages]

    return list(zip(messages, asyncio.run(parse_all()), strict=True))


def _values(entities: list[dict], kind: str) -> set[str]:
    return {str(e["value"]) for e in entities if e.get("entity") == kind}


def test_the_action_server_finds_the_values_rasa_finds(parsed: list[tuple[str, dict]]) -> None:
    differences: Counter[str] = Counter()
    examples = []
    for text, result in parsed:
        rasas = [e for e in result["entities"] if e.get("extractor") == "RegexEntityExtractor"]
        ours = lookups.entities_in(text.lower())
        for kind in LOOKUP_TYPES:
            if kind == "other_career":
                # Rasa keeps the span as typed; ours is lower case.
                same = {v.lower() for v in _values(rasas, kind)} == _values(ours, kind)
            else:
                same = _values(rasas, kind) == _values(ours, kind)
            if not same:
                differences[kind] += 1
                examples.append(f"{text!r} {kind}: rasa {_values(rasas, kind)} ours {_values(ours, kind)}")
    assert not examples, f"{sum(differences.values())} differences:\n" + "\n".join(examples[:20])


def test_the_comparison_covers_every_lookup_type(parsed: list[tuple[str, dict]]) -> None:
    seen = {
        e["entity"] for _, r in parsed for e in r["entities"] if e.get("extractor") == "RegexEntityExtractor"
    }
    assert seen == set(LOOKUP_TYPES), "Rasa must extract every lookup type (an annotated example of each)"
