"""Is an evaluation sentence a twin of a training sentence? Token edit distance.

A set-overlap (Jaccard) check misses a one-word change in a six-word
sentence ("responsibilities of a production manger" is
"responsibilities of a production manager" with a typo); an edit distance
over tokens does not. Two sentences are twins when, after normalising both
to lower-case word tokens:

- their token edit distance is at most 1 (both sentences at most
  ``SHORT_TOKENS`` tokens long) or at most 2 (either longer), and
- that distance is less than half the longer sentence's length, so two
  different one- or two-word messages ("hi" / "yo", "bye now" / "see ya")
  are not twins while the same one with a typo ("helloo" / "hellooo") is.

Two tokens count as the same when they are equal, or when both have at
least ``TYPO_LETTERS`` letters and their character edit distance is at most
1 ("manger" / "manager", "prodct" / "product"): a typo is not a new word.

Used by tests/nlu/test_evaluation_sets_apart.py (every evaluation file
against data/nlu.yml) and evaluation/question_set.py.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import yaml

SHORT_TOKENS = 8
TYPO_LETTERS = 4

_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
_WORDS = re.compile(r"[a-z0-9$']+")
_LETTERS = re.compile(r"[a-z]")

T = TypeVar("T")


def normalize(text: str) -> str:
    """Lower-case words joined by single spaces; entity annotations keep their text."""
    return " ".join(tokens(text))


def tokens(text: str) -> list[str]:
    """The words of a sentence (entity annotations reduced to their text), lower-cased."""
    return _WORDS.findall(_ANNOTATION.sub(r"\1", text).lower().replace("\u2019", "'"))


def char_distance_at_most_one(a: str, b: str) -> bool:
    """Levenshtein distance of two strings is 0 or 1."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la == lb:
        return a[i + 1 :] == b[i + 1 :]  # one substitution
    return a[i:] == b[i + 1 :]  # one insertion into the shorter


def same_token(a: str, b: str) -> bool:
    """Equal, or both words of 4+ letters a single typo apart."""
    if a == b:
        return True
    return (
        len(_LETTERS.findall(a)) >= TYPO_LETTERS
        and len(_LETTERS.findall(b)) >= TYPO_LETTERS
        and char_distance_at_most_one(a, b)
    )


def token_distance(
    a: Sequence[T],
    b: Sequence[T],
    same: Callable[[T, T], bool] = same_token,  # type: ignore[assignment]
) -> int:
    """Levenshtein distance over tokens (insert, delete, substitute one token).

    `same` decides when two tokens are equal: same_token for words; twins()
    passes token ids and a precomputed table.
    """
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ta in enumerate(a, start=1):
        current = [i]
        for j, tb in enumerate(b, start=1):
            cost = 0 if same(ta, tb) else 1
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost))
        previous = current
    return previous[-1]


def limit(length_a: int, length_b: int) -> int:
    """The largest token distance at which two sentences of these lengths are twins."""
    longest = max(length_a, length_b)
    allowed = 1 if longest <= SHORT_TOKENS else 2
    # Fewer than half of the longer sentence's tokens may change.
    return min(allowed, (longest - 1) // 2)


@dataclass(frozen=True)
class Twin:
    candidate: str
    example: str
    distance: int


class _Vocabulary:
    """Token ids, and for each id the ids that count as the same token."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.words: list[str] = []

    def id(self, word: str) -> int:
        if word not in self.ids:
            self.ids[word] = len(self.words)
            self.words.append(word)
        return self.ids[word]

    def neighbours(self) -> list[frozenset[int]]:
        """Typo neighbours through shared one-deletion keys, then checked exactly."""
        by_key: dict[str, set[int]] = defaultdict(set)
        for index, word in enumerate(self.words):
            if len(_LETTERS.findall(word)) < TYPO_LETTERS:
                continue
            by_key[word].add(index)
            for k in range(len(word)):
                by_key[word[:k] + word[k + 1 :]].add(index)
        same: list[set[int]] = [{i} for i in range(len(self.words))]
        for group in by_key.values():
            if len(group) < 2:
                continue
            for i in group:
                for j in group:
                    if i < j and j not in same[i] and same_token(self.words[i], self.words[j]):
                        same[i].add(j)
                        same[j].add(i)
        return [frozenset(s) for s in same]


def twins(candidates: Iterable[str], training_examples: Iterable[str]) -> list[Twin]:
    """(candidate, training example, distance) for every candidate that is a twin of an example.

    Both sides are raw sentences (annotations allowed); each candidate is
    reported with its nearest twin. Fast for thousands x thousands: an
    inverted index keeps only examples sharing enough tokens, and the length
    difference (a lower bound of the distance) prunes before any edit distance.
    """
    vocabulary = _Vocabulary()
    examples: list[tuple[str, tuple[int, ...]]] = []
    seen: set[tuple[int, ...]] = set()
    for text in training_examples:
        ids = tuple(vocabulary.id(w) for w in tokens(text))
        if ids and ids not in seen:
            seen.add(ids)
            examples.append((text, ids))
    wanted: list[tuple[str, tuple[int, ...]]] = []
    for text in candidates:
        ids = tuple(vocabulary.id(w) for w in tokens(text))
        if ids:
            wanted.append((text, ids))

    same = vocabulary.neighbours()
    containing: dict[int, set[int]] = defaultdict(set)  # token id -> examples with it
    for number, (_, ids) in enumerate(examples):
        for token in ids:
            containing[token].add(number)

    def equal(a: int, b: int) -> bool:
        return b in same[a]

    found: list[Twin] = []
    for text, ids in wanted:
        # For each example: how many of the candidate's positions have a same token in it.
        # Matched positions bound the alignment's matches, so a twin needs at least
        # max(len) - limit of them.
        matched: dict[int, int] = defaultdict(int)
        for token in ids:
            hits: set[int] = set()
            for other in same[token]:
                hits |= containing.get(other, set())
            for number in hits:
                matched[number] += 1
        best: Twin | None = None
        if not matched:
            # Only sentences with no token in common: twins only when both are a single
            # token, which the limit (less than half changed) already rules out.
            continue
        for number, count in matched.items():
            example, example_ids = examples[number]
            allowed = limit(len(ids), len(example_ids))
            if abs(len(ids) - len(example_ids)) > allowed:
                continue
            if count < max(len(ids), len(example_ids)) - allowed:
                continue
            distance = token_distance(ids, example_ids, equal)
            if distance <= allowed and (best is None or distance < best.distance):
                best = Twin(text, example, distance)
                if distance == 0:
                    break
        if best is not None:
            found.append(best)
    return found


# --------------------------------------------------------------------- files


def nlu_file_examples(path: Path) -> list[str]:
    """The intent examples of a Rasa NLU YAML file, as written (annotations kept)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found = []
    for block in data.get("nlu") or []:
        if not isinstance(block, dict) or "intent" not in block:
            continue  # synonyms, lookups and regexes are words, not sentences
        for line in str(block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                found.append(line[2:])
    return found


# The advisor's dialogues (class career_fit) answer its questions in a word or
# two ("both", "a lot"); such answers are read by the form's own vocabulary
# (facts/advisor.yml), and one or two words cannot help being some training
# example's twin, so they are left out. Their longer answers are checked.
ADVISOR_CLASS = "career_fit"
ADVISOR_SHORT_ANSWER = 2


def question_file_messages(path: Path) -> list[str]:
    """Every typed message of a question file (tests/e2e/*.yml), button clicks and /payloads left out."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found = []
    for item in data.get("items") or []:
        for number, turn in enumerate((item or {}).get("turns") or []):
            if not isinstance(turn, str) or not turn.strip() or turn.startswith("/"):
                continue
            if (
                (item or {}).get("class") == ADVISOR_CLASS
                and number > 0
                and len(tokens(turn)) <= ADVISOR_SHORT_ANSWER
            ):
                continue
            found.append(turn)
    return found
