"""The README's sample conversations, said to the real server: what the README shows is what it answers.

Each ```text block under README.md's "## A conversation" is a conversation:
`you>` lines are sent (a line in [brackets] is a click on the button of that
title in the reply before), and each `bot>` block must be found in the reply,
in order, up to where the README cuts it short ("..." or a remark in
parentheses). Quotes and spacing are compared loosely; words are not.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest

from local_stack.processes import ROOT
from local_stack.servers import RasaServer

README = ROOT / "README.md"
SHORTEST_CHECK = 12  # characters: a shorter visible part of a bot line checks nothing


@dataclass
class Turn:
    said: str
    bot: list[str] = field(default_factory=list)


def transcripts(text: str) -> list[list[Turn]]:
    """The conversations of the README's "A conversation" section, one a ```text block."""
    section = text.split("\n## A conversation", 1)[1].split("\n## ", 1)[0]
    conversations = []
    for block in re.findall(r"```text\n(.*?)```", section, flags=re.S):
        turns: list[Turn] = []
        speaker = None
        for line in block.splitlines():
            if line.startswith("you> "):
                turns.append(Turn(line[5:].strip()))
                speaker = "you"
            elif line.startswith("bot> "):
                turns[-1].bot.append(line[5:].strip())
                speaker = "bot"
            elif line.startswith("     ") and speaker == "bot":
                turns[-1].bot[-1] += " " + line.strip()
        conversations.append(turns)
    return conversations


def visible(bot_line: str) -> str:
    """The part of a README bot line the reply must contain: before its first cut, without buttons."""
    shown = re.split(r"\.\.\.|…|\(the same", bot_line, maxsplit=1)[0]
    shown = re.split(r"\s\[", shown, maxsplit=1)[0]  # the buttons, [Title] [Title]
    return loose(shown)


def loose(text: str) -> str:
    text = text.replace("“", '"').replace("”", '"').replace("’", "'")
    return re.sub(r"\s+", " ", text).strip()


def reply_texts(replies: list[dict[str, Any]]) -> list[str]:
    return [loose(str(r.get("text", ""))) for r in replies]


def test_the_readme_has_its_conversations() -> None:
    conversations = transcripts(README.read_text(encoding="utf-8"))
    assert len(conversations) >= 2
    assert sum(len(turns) for turns in conversations) >= 15
    assert all(turn.bot for turns in conversations for turn in turns)


@pytest.mark.parametrize("number", range(len(transcripts(README.read_text(encoding="utf-8")))))
def test_a_readme_conversation_is_what_the_server_answers(rasa_server: RasaServer, number: int) -> None:
    turns = transcripts(README.read_text(encoding="utf-8"))[number]
    sender = f"readme-{uuid.uuid4().hex[:10]}"
    buttons: dict[str, str] = {}
    checked = 0
    for turn in turns:
        clicked = re.fullmatch(r"\[(.+)\]", turn.said)
        message = buttons[clicked.group(1)] if clicked else turn.said
        replies = rasa_server.send(sender, message)
        buttons = {b["title"]: b["payload"] for r in replies for b in r.get("buttons") or []}
        texts = reply_texts(replies)
        said = " ".join(texts)
        at = 0
        for bot_line in turn.bot:
            expected = visible(bot_line)
            if len(expected) < SHORTEST_CHECK:
                continue
            found = said.find(expected, at)
            assert found >= 0, f"README: you> {turn.said}\nexpected: {expected}\ngot: {texts}"
            at = found + len(expected)
            checked += 1
    assert checked >= len(turns) - 1
