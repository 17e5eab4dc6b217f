"""rasa_patches/action_endpoint.py: the action endpoint Rasa is given, bounded in time."""

from __future__ import annotations

import pytest
import yaml
from rasa.core.agent import Agent
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config

from local_stack.servers import ENDPOINTS
from rasa_patches import action_endpoint
from rasa_patches.action_endpoint import DEFAULT_ACTION_TIMEOUT, BoundedActionEndpoint


@pytest.fixture(autouse=True)
def _no_action_server_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACTION_SERVER_URL", raising=False)


def test_the_shipped_endpoint_at_an_action_server_is_bounded_by_its_timeout_and_keeps_its_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Without ACTION_SERVER_URL the shipped actions run in the process (test_action_module.py).
    monkeypatch.setenv("ACTION_SERVER_URL", "http://actions:5055/webhook")
    shipped = read_endpoint_config(str(ENDPOINTS), "action_endpoint")
    assert shipped is not None
    bounded = action_endpoint.bounded(shipped)
    assert type(bounded) is BoundedActionEndpoint
    assert bounded.timeout == yaml.safe_load(ENDPOINTS.read_text())["action_endpoint"]["timeout"]
    assert bounded.url == "http://actions:5055/webhook"
    assert bounded.kwargs == {k: v for k, v in shipped.kwargs.items() if k != "timeout"}
    assert bounded.kwargs["enable_selective_domain"] is True
    assert action_endpoint.bounded(bounded) is bounded


def test_without_a_timeout_the_default_and_a_bad_one_is_refused() -> None:
    without = EndpointConfig(url="http://a/webhook")
    assert action_endpoint.configured_timeout(without) == DEFAULT_ACTION_TIMEOUT
    for bad in (0, -1, "10", True):
        with pytest.raises(ValueError, match="action_endpoint `timeout`"):
            action_endpoint.configured_timeout(EndpointConfig(url="http://a/webhook", timeout=bad))


def test_action_server_url_wins_and_no_url_leaves_no_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    assert action_endpoint.bounded(None) is None
    monkeypatch.setenv("ACTION_SERVER_URL", "http://actions:5055/webhook")
    from_nothing = action_endpoint.bounded(None)
    assert (
        isinstance(from_nothing, BoundedActionEndpoint) and from_nothing.url == "http://actions:5055/webhook"
    )
    configured = action_endpoint.bounded(EndpointConfig(url="http://localhost:5055/webhook", timeout=2))
    assert configured is not None and configured.url == "http://actions:5055/webhook"
    assert isinstance(configured, BoundedActionEndpoint) and configured.timeout == 2


def test_install_bounds_the_agents_endpoint() -> None:
    action_endpoint.install()
    agent = Agent(action_endpoint=EndpointConfig(url="http://localhost:5055/webhook", timeout=4))
    assert isinstance(agent.action_endpoint, BoundedActionEndpoint) and agent.action_endpoint.timeout == 4
    assert action_endpoint.is_installed()
