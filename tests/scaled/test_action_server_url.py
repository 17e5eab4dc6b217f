"""ACTION_SERVER_URL points every Rasa server at an action server, over endpoints.yml's URL."""

from __future__ import annotations

import uuid
from pathlib import Path

from local_stack.processes import free_port
from local_stack.servers import ActionServer, RasaServer, shipped_action_endpoint, shipped_endpoints
from rasa_patches.action_endpoint import ACTION_APOLOGY, ACTION_SERVER_URL, action_server_url
from tests.scaled.helpers import post


def test_unset_or_empty_means_endpoints_yml() -> None:
    shipped = shipped_action_endpoint()["url"]
    assert shipped == "http://localhost:5055/webhook"
    for env in ({}, {ACTION_SERVER_URL: ""}, {ACTION_SERVER_URL: "  "}):
        assert action_server_url(shipped, env) == shipped
    assert action_server_url(shipped, {ACTION_SERVER_URL: "http://actions:5055/webhook"}) == (
        "http://actions:5055/webhook"
    )


def test_a_server_calls_the_action_server_the_environment_names(
    actions: ActionServer, scaled_workdir: Path
) -> None:
    # endpoints.yml with a URL where nothing listens (its own localhost:5055 may
    # have a server): only the variable can reach `actions`.
    nowhere = f"http://127.0.0.1:{free_port()}/webhook"
    endpoints = shipped_endpoints(action_endpoint={**shipped_action_endpoint(), "url": nowhere})
    server = RasaServer(scaled_workdir, nowhere, endpoints=endpoints, env={ACTION_SERVER_URL: actions.url})
    try:
        server.start()
        reply = post(server.base, f"url-{uuid.uuid4().hex[:8]}", "How much does a product manager earn?")
    finally:
        server.stop()
    # The answer came from the action server: without it, the user gets the apology.
    assert reply.text.strip()
    assert ACTION_APOLOGY not in reply.text
