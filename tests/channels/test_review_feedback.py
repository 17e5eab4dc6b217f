"""Feedback through socket.io and Slack is found by `make review` (issue #15).

On the channel stack's tracker store (an SQLite file of the session's, which the
other channel tests write to as well): a typed "that's not what I asked"
through socket.io and the *Not helpful* button clicked in Slack, then
scripts/review.py on that file. Each is in the negative-feedback group with the
question and the answer it was about, under its conversation's pseudonym.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

from local_stack.processes import ROOT
from local_stack.socketio_client import SocketIOClient
from review.conversations import hashed
from tests.channels.conftest import Channels
from tests.channels.fake_slack import message_event
from tests.channels.test_slack import _block_action, _ids, _ts_now
from tests.unit.review.conftest import Page


def review_sections(channels: Channels, out: Path) -> dict[str, str]:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scripts.review",
            "--store",
            f"sqlite:///{channels.database}",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    page = Page()
    page.feed((out / "index.html").read_text(encoding="utf-8"))
    return page.sections


def test_feedback_through_socketio_and_slack_is_in_the_review(channels: Channels, tmp_path: Path) -> None:
    # socket.io: a question, then feedback typed.
    client = SocketIOClient(channels.rasa.base, channels.web.base).connect()
    try:
        session = client.session(f"sio-review-{uuid.uuid4().hex[:8]}")
        sio_question = "what certifications do production managers need?"
        assert any("ASQ" in text for text in client.ask(sio_question, session))
        assert any(
            text.startswith("Sorry that didn't help.")
            for text in client.ask("that's not what I asked", session)
        )
    finally:
        client.close()

    # Slack: a question, then the Not helpful button under the answer.
    user, dm = _ids()
    slack_question = "what do product managers earn?"
    channels.slack.event(message_event(user, dm, slack_question, _ts_now()))
    answer = channels.slack_api.wait_for(dm, lambda p: "$98,439" in p.text)
    feedback_block = next(b for b in answer.body["blocks"] if b.get("block_id") == "feedback")
    [button] = feedback_block["elements"]
    status, _, _ = channels.slack.interaction(_block_action(user, dm, answer, button))
    assert status == 200
    channels.slack_api.wait_for(dm, lambda p: p.text.startswith("Sorry that didn't help."))

    negative = review_sections(channels, tmp_path / "review")["negative_feedback"]
    for question, sender in ((sio_question, session), (slack_question, user)):
        assert question in negative
        assert hashed(sender) in negative
        assert sender not in negative
    assert "that's not what I asked" in negative and "$98,439" in negative
