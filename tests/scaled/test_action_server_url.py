"""ACTION_SERVER_URL points every Rasa server at an action server, over endpoints.yml's
actions_module (the actions in the Rasa process) and over a URL it may name."""

from __future__ import annotations

import uuid
from pathlib import Path

from local_stack.processes import free_port
from local_stack.servers import ActionServer, RasaServer, shipped_action_endpoint, shipped_endpoints
from rasa_patches.action_endpoint import ACTION_APOLOGY, ACTION_SERVER_URL, action_server_url
from tests.scaled.helpers import post


def test_unset_or_empty_means_endpoints_yml() -> None:
    # endpoints.yml names no action server: its actions run in the Rasa process.
    assert shipped_action_endpoint()["actions_module"] == "actions"
    assert "url" not in shipped_action_endpoint()
    configured = "http://localhost:5055/webhook"
    for env in ({}, {ACTION_SERVER_URL: ""}, {ACTION_SERVER_URL: "  "}):
        assert action_server_url(configured, env) == configured
        assert action_server_url(None, env) is None
    assert action_server_url(configured, {ACTION_SERVER_URL: "http://actions:5055/webhook"}) == (
        "http://actions:5055/webhook"
    )


def test_a_server_calls_the_action_server_the_environment_names(
    actions: ActionServer, scaled_workdir: Path
) -> None:
    # endpoints.yml's actions_module, and a URL where nothing listens (localhost:5055
    # may have a server): only the variable can reach `actions`.
    nowhere = f"http://127.0.0.1:{free_port()}/webhook"
    endpoints = shipped_endpoints(action_endpoint={**shipped_action_endpoint(), "url": nowhere})
    server = RasaServer(scaled_workdir, nowhere, endpoints=endpoints, env={ACTION_SERVER_URL: actions.url})
    try:
        server.start()
        reply = post(server.base, f"url-{uuid.uuid4().hex[:8]}", "How much does a product manager earn?")
    finally:
        server.stop()
    # The answer came from the action server, not from actions in the process.
    assert reply.text.strip()
    assert ACTION_APOLOGY not in reply.text
    log = server.log.read_text()
    assert f"Action server {actions.url}: calls time out after" in log
    assert "run in this process" not in log
