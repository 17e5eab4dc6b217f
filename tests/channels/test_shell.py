"""`make shell` end to end: scripts/shell.sh (what `make shell` runs once the
model is trained) in a pseudo-terminal, `rasa shell` with the actions in its
process, answered by typing as a person would."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pexpect
import pytest

from local_stack.processes import ROOT, free_port, rasa_env
from local_stack.servers import MODEL
from rasa_patches import PATCHES, RASA_VERSION

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
UP, ENTER = "\x1b[A", "\r"


def _type(child: pexpect.spawn, text: str) -> None:
    child.send(text + ENTER)


def _free_text(child: pexpect.spawn) -> None:
    """An answer with buttons ends in a menu; its last entry lets one type instead."""
    child.expect_exact("Type out your own message...", timeout=30)
    child.send(UP)  # the menu wraps around: up from the first entry is the last
    child.send(ENTER)
    child.expect_exact("Your input ->", timeout=30)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_shell_answers_a_question_and_a_follow_up(tmp_path: Path) -> None:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first")
    rasa_port = free_port()
    transcript = (tmp_path / "shell.log").open("w")
    child = pexpect.spawn(
        "bash",
        ["scripts/shell.sh", "--port", str(rasa_port)],
        cwd=str(ROOT),
        # No cursor-position queries: nobody answers them in a pty, and prompt_toolkit waits.
        # The shipped endpoints.yml, as `make shell` runs it, with this test's ports and database.
        env=rasa_env(
            ACTION_SERVER_URL="",
            TRACKER_STORE_URL=f"sqlite:///{tmp_path / 'conversations.db'}",
            REDIS_URL="",
            PROMPT_TOOLKIT_NO_CPR="1",
            TERM="xterm",
        ),
        encoding="utf-8",
        codec_errors="replace",
        dimensions=(50, 200),
        timeout=60,
    )
    child.logfile_read = transcript
    try:
        child.expect_exact("Bot loaded. Type a message", timeout=240)
        # Start-up shows our log lines, not the pinned packages' deprecation notices.
        assert "DeprecationWarning" not in child.before
        # The same patches as `rasa run` (tests/e2e/test_shipped.py), installed once.
        patched = f"Rasa {RASA_VERSION} patched (rasa_patches): {', '.join(PATCHES)}."
        assert ANSI.sub("", child.before).count(patched) == 1, child.before
        # endpoints.yml's actions_module: the actions in the shell's process, no action server.
        assert "Actions of 'actions' run in this process" in ANSI.sub("", child.before)
        child.expect_exact("Your input ->")

        _type(child, "How much does a production manager earn?")
        child.expect_exact("A production manager earns $73,786")
        _free_text(child)

        _type(child, "and product managers?")
        # The follow-up names only the role: the topic (pay) carries over.
        child.expect_exact("A product manager earns $98,439")
        _free_text(child)

        # The advisor: a button picked from the menu (its first entry), then typed answers.
        _type(child, "help me choose")
        child.expect_exact("what do you enjoy more")
        child.expect_exact("Type out your own message...", timeout=30)
        child.send(ENTER)  # the menu's first entry: Shaping what gets built
        child.expect_exact("What is your degree or background?")
        _free_text(child)
        _type(child, "engineering")
        child.expect_exact("Where would you rather work")
        _free_text(child)
        _type(child, "an office")
        child.expect_exact("how much does the average pay matter")
        _free_text(child)
        _type(child, "a lot")
        child.expect_exact("Product manager looks like the better fit")
        _free_text(child)

        _type(child, "/stop")
        child.expect(pexpect.EOF, timeout=60)
    finally:
        child.close(force=True)
        transcript.close()
    assert child.exitstatus == 0, ANSI.sub("", (tmp_path / "shell.log").read_text())[-3000:]
    assert not _listening(rasa_port), "nothing should keep listening after the shell"
    said = ANSI.sub("", (tmp_path / "shell.log").read_text())
    # The answers' buttons are offered as a menu, payloads shown.
    assert 'Compare with product managers (/ask_question{"role": "both"})' in said
    assert 'Shaping what gets built (/answer_fit{"fit_likes": "product"})' in said
