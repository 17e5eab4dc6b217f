"""One stack for all channel tests: the Rasa server with the project's own
credentials.yml and endpoints.yml (REST, socket.io, Slack; the actions in its
process; conversations in an SQLite file of the session's), the web page, and the fake
Slack Web API (tests.fixtures.channel_stack). A Rasa server takes ~25 s to load,
so it starts once."""

from __future__ import annotations

from tests.fixtures import ChannelOptions, ChannelStack, channel_stack_fixture

SLACK_TOKEN = "xoxb-test-token"
SLACK_SIGNING_SECRET = "test-signing-secret"

Channels = ChannelStack

channels = channel_stack_fixture(
    "channels",
    ChannelOptions(SLACK_TOKEN, SLACK_SIGNING_SECRET, env={"SLACK_USE_THREADS": "true"}, needs_widget=True),
)
