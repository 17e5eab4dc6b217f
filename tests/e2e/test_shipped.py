"""The end-to-end server runs what the project ships, and nothing else.

It is started with the repo's credentials.yml and endpoints.yml themselves
(local_stack/servers.py), in `make run`'s environment with an SQLite file of its
own. These checks fail when a shipped file stops doing its part: the
conversation must be in that SQLite file (endpoints.yml's tracker store,
TRACKER_STORE_URL), the actions run in the Rasa process (endpoints.yml's
`actions_module`, no action server anywhere), the channel the hardened REST
one with its start-up hardening (credentials.yml).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

import yaml

from local_stack.servers import CREDENTIALS, ENDPOINTS, RasaServer
from rasa_patches import PATCHES, RASA_VERSION
from tests.fixtures import reply_text


def test_the_files_it_runs_are_the_shipped_ones(rasa_server: RasaServer) -> None:
    assert rasa_server.process is not None
    command = rasa_server.process.args
    assert isinstance(command, list)
    assert command[command.index("--credentials") + 1] == str(CREDENTIALS)
    assert command[command.index("--endpoints") + 1] == str(ENDPOINTS)
    endpoints = yaml.safe_load(ENDPOINTS.read_text())
    assert endpoints["tracker_store"]["type"] == "deploy.stores.ConversationTrackerStore"


def test_a_conversation_is_kept_in_the_sqlite_file_of_the_test(rasa_server: RasaServer) -> None:
    assert rasa_server.database is not None
    assert rasa_server.database.parent == rasa_server.workdir
    sender = f"shipped-{uuid.uuid4().hex[:10]}"
    first = reply_text(rasa_server.send(sender, "How much does a production manager earn?"))
    second = reply_text(rasa_server.send(sender, "and product managers?"))
    assert "$73,786" in first and "$98,439" in second
    events = rasa_server.stored(sender)
    users = [e["text"] for e in events if e["event"] == "user"]
    bots = [e["text"] for e in events if e["event"] == "bot"]
    assert users == ["How much does a production manager earn?", "and product managers?"]
    assert "\n".join(bots) == f"{first}\n{second}"
    assert all(e.get("input_channel") == "rest" for e in events if e["event"] == "user")


def test_the_channel_is_the_hardened_rest_one(rasa_server: RasaServer) -> None:
    # Rasa's own REST channel answers a broken body with Sanic's 400 page, no JSON error.
    request = urllib.request.Request(
        f"{rasa_server.base}/webhooks/rest/webhook",
        data=b'{"sender": "x", "message": ',
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        urllib.request.urlopen(request, timeout=10)
        raise AssertionError("a broken body was accepted")
    except urllib.error.HTTPError as error:
        assert error.code == 400
        assert json.loads(error.read())["error"] == "invalid_json"


def test_the_start_up_hardening_ran_with_the_shipped_settings(rasa_server: RasaServer) -> None:
    log = rasa_server.log.read_text()
    timeout = yaml.safe_load(ENDPOINTS.read_text())["action_endpoint"]["timeout"]
    # endpoints.yml's actions_module, in the process, with endpoints.yml's timeout.
    assert rasa_server.action_url is None
    assert f"Actions of 'actions' run in this process: calls time out after {timeout:g} s" in log
    assert "Action server " not in log
    # Every patch, installed once: by the tracker store, before the agent and its model.
    patched = [line for line in log.splitlines() if "patched (rasa_patches)" in line]
    assert len(patched) == 1, patched
    assert f"Rasa {RASA_VERSION} patched (rasa_patches): {', '.join(PATCHES)}." in patched[0]
