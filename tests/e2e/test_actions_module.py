"""The actions in the Rasa process (endpoints.yml's actions_module, rasa_patches/action_module.py)
answer as the same actions on rasa_sdk's action server do.

The session's server runs them in its process, as `make run` does; a second
server, the same files, calls a real action server through ACTION_SERVER_URL,
as `make cluster` does. Every conversation of the question set and a pass
through the career-fit advisor go to both: the replies and every stored event
must be the same, but for what differs between any two sendings (times and
message ids).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.traffic import ADVISOR_CONVERSATION, our_conversations
from local_stack.servers import ActionServer, RasaServer

# What two sendings of the same message never share: when, and the message's id
# (the feedback slot keeps when the answer it rates was given).
VARYING = ("timestamp", "message_id", "answer_at")


@pytest.fixture(scope="module")
def behind_an_action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaServer]:
    workdir: Path = tmp_path_factory.mktemp("action-server")
    actions = ActionServer(workdir).start()
    try:
        server = RasaServer(workdir, actions.url).start()
        try:
            yield server
        finally:
            server.stop()
    finally:
        actions.stop()


def comparable(value: Any) -> Any:
    """`value` without the VARYING keys, at any depth."""
    if isinstance(value, dict):
        return {key: comparable(item) for key, item in value.items() if key not in VARYING}
    if isinstance(value, list):
        return [comparable(item) for item in value]
    return value


def test_every_conversation_gets_the_same_replies_and_events(
    rasa_server: RasaServer, behind_an_action_server: RasaServer
) -> None:
    assert rasa_server.action_url is None and behind_an_action_server.action_url is not None
    conversations = [*our_conversations(), ADVISOR_CONVERSATION]
    for index, conversation in enumerate(conversations):
        sender = f"module-{index}-{uuid.uuid4().hex[:8]}"
        for message in conversation:
            in_process = rasa_server.send(sender, message)
            served = behind_an_action_server.send(sender, message)
            assert in_process == served, (conversation, message)
            assert in_process, (conversation, message)
        ours = [comparable(e) for e in rasa_server.stored(sender)]
        theirs = [comparable(e) for e in behind_an_action_server.stored(sender)]
        assert ours == theirs, conversation
    assert "Actions of 'actions' run in this process" in rasa_server.log.read_text()
    assert f"Action server {behind_an_action_server.action_url}" in behind_an_action_server.log.read_text()
