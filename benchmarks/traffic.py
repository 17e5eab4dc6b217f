"""What the benchmark sends: this assistant's question set, and small talk for the stock bot."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
# The end-to-end question set, read as data (its format is checked by
# evaluation/question_set.py and its tests): each item's `turns` are messages or
# {"click": TITLE} button presses.
QUESTIONS = ROOT / "tests" / "e2e" / "questions.yml"

# Conversations a person might have with the stock `rasa init` bot (its intents:
# greet, goodbye, affirm, deny, mood_great, mood_unhappy, bot_challenge).
STOCK_CONVERSATIONS: tuple[tuple[str, ...], ...] = (
    ("hello", "i am feeling great today", "bye"),
    ("hi there", "i'm sad", "no", "goodbye"),
    ("hey", "are you a bot?", "see you later"),
    ("good morning", "very unhappy", "yes", "bye bye"),
    ("hey dude", "i am amazing", "have a nice day"),
    ("good evening", "not good", "of course", "good night"),
    ("hi", "am i talking to a human?", "ok bye"),
    ("hello there", "extremely sad", "never", "cu"),
)


# One pass through the career-fit advisor (issue #12): its start, three answers
# (each a form turn: the answer validated, the next question asked), the last
# answer and the recommendation. Typed and clicked answers, as people give them.
ADVISOR_CONVERSATION: tuple[str, ...] = (
    "help me choose between the two",
    "running how it gets made",
    '/answer_fit{"fit_background": "engineering"}',
    "the plant floor",
    "not much",
)


def question_turns(path: Path = QUESTIONS) -> list[list[str | dict[str, str]]]:
    """Every item's turns, in the file's order."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [list(item["turns"]) for item in data["items"]]


def our_conversations(path: Path = QUESTIONS) -> list[tuple[str, ...]]:
    """This assistant's traffic: the question set, single questions four to a conversation.

    Dialogues with a button press are left out (a click needs the reply before it).
    """
    conversations: list[tuple[str, ...]] = []
    singles: list[str] = []
    for turns in question_turns(path):
        messages = tuple(t for t in turns if isinstance(t, str))
        if len(turns) > 1:
            if len(messages) == len(turns):
                conversations.append(messages)
        else:
            singles.append(messages[0])
    conversations += [tuple(singles[i : i + 4]) for i in range(0, len(singles), 4)]
    # Interleave multi-turn and single-question conversations.
    return conversations[::2] + conversations[1::2]
