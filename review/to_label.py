"""results/review/to_label.yml: the messages to look at, as Rasa NLU training data to sort.

Each message goes under the intent NLU predicted (for nlu_fallback, the best
intent under it), in an `examples: |` block of its own, followed by a YAML
comment with its confidence: inside a block scalar a `#` would be part of the
example, so the comment goes after the block, where Rasa's reader skips it. A
person moves the right lines into data/nlu.yml under the right intent.
Messages already in the training data, and button payloads, are left out.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from review.findings import GROUPS, Finding, normalise

HEADER = """\
version: "3.1"

# Messages the assistant misunderstood or could not place (make review), under
# the intent NLU predicted, each with its confidence. Move each line into
# data/nlu.yml under the intent it means (or drop it), then make train.
"""


@dataclass
class Candidate:
    """A wording to label, the groups it was found in, and how many messages said it."""

    text: str
    intent: str
    confidence: float | None
    groups: list[str] = field(default_factory=list)
    messages: set[tuple[str, float]] = field(default_factory=set)

    @property
    def count(self) -> int:
        return len(self.messages)


def training_texts(data_dir: Path) -> set[str]:
    """The normalised text of every intent example in data/*.yml, read with Rasa's own loader."""
    # Rasa's loader imports pkg_resources on first use, whose third-party deprecation
    # notices say nothing about the review and would crowd its summary.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
        from rasa.shared.nlu.training_data.loading import load_data

        texts: set[str] = set()
        for path in sorted(data_dir.glob("*.yml")):
            # Stories and rules are no NLU data, and Rasa's loader refuses them.
            if not RasaYAMLReader.is_yaml_nlu_file(path):
                continue
            training = load_data(str(path))
            texts.update(normalise(str(message.get("text"))) for message in training.intent_examples)
    return texts


def candidates(all_findings: Iterable[Finding], known: set[str]) -> list[Candidate]:
    """One candidate per new wording, in the order the findings come."""
    found: dict[str, Candidate] = {}
    for finding in all_findings:
        message = finding.message
        text = " ".join(message.text.split())
        key = normalise(text)
        if not text or message.is_button or key in known:
            continue
        intent, confidence = message.top_intent
        if intent is None:
            continue
        candidate = found.setdefault(key, Candidate(text, intent, confidence))
        if finding.group not in candidate.groups:
            candidate.groups.append(finding.group)
        candidate.messages.add((message.sender_id, message.timestamp))
    return list(found.values())


# Rasa reads `[text](entity)`, `[text]{...}` and `[text][...]` in an example as an
# entity annotation; a person who typed one meant the brackets.
_ANNOTATION_LIKE = re.compile(r"\](?=[({\[])")


def block_text(text: str) -> str:
    """An example line that stays one example as typed: one line, no entity annotation."""
    return _ANNOTATION_LIKE.sub("] ", " ".join(text.split()))


def render(found: Iterable[Candidate]) -> str:
    by_intent: dict[str, list[Candidate]] = {}
    for candidate in found:
        by_intent.setdefault(candidate.intent, []).append(candidate)
    lines = [HEADER, "nlu:"]
    for intent in sorted(by_intent):
        lines.append(f"# {intent}: {len(by_intent[intent])} to look at")
        ordered = sorted(by_intent[intent], key=lambda c: (c.confidence is None, c.confidence or 0.0))
        for candidate in ordered:
            confidence = "?" if candidate.confidence is None else f"{candidate.confidence:.2f}"
            why = ", ".join(GROUPS[group].lower() for group in candidate.groups)
            seen = f", {candidate.count} messages" if candidate.count > 1 else ""
            lines.append(f"- intent: {json.dumps(intent)}")
            lines.append("  examples: |")
            lines.append(f"    - {block_text(candidate.text)}")
            lines.append(f"  # confidence {confidence} ({why}{seen})")
    if not by_intent:
        lines[-1] = "nlu: []"
    return "\n".join(lines) + "\n"


def write(path: Path, found: list[Candidate]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(found), encoding="utf-8")
