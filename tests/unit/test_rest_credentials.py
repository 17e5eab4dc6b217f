"""connectors.rest.RestInput.from_credentials: credentials.yml's settings, and the one that moved."""

from __future__ import annotations

import pytest
import yaml

from connectors.rest import RestInput
from local_stack.servers import CREDENTIALS


def test_the_shipped_settings_are_read() -> None:
    shipped = yaml.safe_load(CREDENTIALS.read_text())["connectors.rest.RestInput"]
    channel = RestInput.from_credentials(shipped)
    assert isinstance(channel, RestInput)
    assert channel.max_message_chars == shipped["max_message_chars"]
    assert channel.max_pending_per_sender == shipped["max_pending_per_sender"]


def test_the_old_action_timeout_says_where_it_went() -> None:
    with pytest.raises(ValueError, match=r"endpoints\.yml's action_endpoint `timeout`"):
        RestInput.from_credentials({"action_timeout": 10})
