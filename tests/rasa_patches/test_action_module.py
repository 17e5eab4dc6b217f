"""rasa_patches/action_module.py: the actions run in the Rasa process, answered through
Rasa's own `RemoteAction` as an action server's answers are.

A package of actions written for these tests (in a temporary folder) is run by
rasa_sdk's own executor; each test goes through Rasa 3.6.21's `RemoteAction.run`
with a real tracker and domain, so what is checked is what Rasa makes of the
answer. tests/e2e/test_actions_module.py compares whole conversations with the
same actions on rasa_sdk's action server.
"""

from __future__ import annotations

import asyncio
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config

from local_stack.servers import ENDPOINTS
from rasa_patches import action_endpoint, action_module
from rasa_patches.action_endpoint import ACTION_APOLOGY, BoundedActionEndpoint
from rasa_patches.action_module import InProcessActions

PACKAGE = "inprocess_test_actions"
ACTIONS = """
import asyncio

from rasa_sdk import Action
from rasa_sdk.events import SlotSet
from rasa_sdk.interfaces import ActionExecutionRejection


class Say(Action):
    def name(self):
        return "action_say"

    def run(self, dispatcher, tracker, domain):
        said = tracker.latest_message.get("text")
        # A tuple where JSON has a list: an action server answers with a list.
        dispatcher.utter_message(text=f"you said {said}", buttons=({"title": "again", "payload": "/again"},))
        return [SlotSet("role", "product manager")]


class Reject(Action):
    def name(self):
        return "action_reject"

    def run(self, dispatcher, tracker, domain):
        raise ActionExecutionRejection("action_reject", "not this time")


class Raise(Action):
    def name(self):
        return "action_raise"

    def run(self, dispatcher, tracker, domain):
        raise RuntimeError("the action broke")


class Wait(Action):
    def name(self):
        return "action_wait"

    async def run(self, dispatcher, tracker, domain):
        await asyncio.sleep(30)
        return []
"""
DOMAIN = Domain.from_yaml(
    textwrap.dedent(
        """
        version: "3.1"
        slots:
          role:
            type: text
            mappings: [{type: custom}]
        actions: [action_say, action_reject, action_raise, action_wait, action_missing]
        """
    )
)


@pytest.fixture(autouse=True)
def _no_action_server_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACTION_SERVER_URL", raising=False)


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    (tmp_path / PACKAGE).mkdir()
    (tmp_path / PACKAGE / "__init__.py").write_text("")
    (tmp_path / PACKAGE / "actions.py").write_text(ACTIONS)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield PACKAGE
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]


def tracker(text: str = "hello") -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        "someone", [ActionExecuted("action_listen"), UserUttered(text, {"name": "greet", "confidence": 1.0})]
    )


def run_action(name: str, endpoint: EndpointConfig, text: str = "hello") -> list[Any]:
    async def main() -> list[Any]:
        channel = CollectingOutputChannel()
        nlg = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
        return await RemoteAction(name, endpoint).run(channel, nlg, tracker(text), DOMAIN)

    return asyncio.run(main())


def in_process(package: str, timeout: float = 5.0) -> InProcessActions:
    return InProcessActions.wrap_module(
        EndpointConfig(actions_module=package, enable_selective_domain=True), package, timeout
    )


def test_an_action_runs_and_rasa_reads_what_an_action_server_would_answer(package: str) -> None:
    events = run_action("action_say", in_process(package), text="hi there")
    assert events == [
        BotUttered(
            "you said hi there",
            {
                "elements": None,
                "quick_replies": None,
                "buttons": [{"title": "again", "payload": "/again"}],
                "attachment": None,
                "image": None,
                "custom": None,
            },
            {},
        ),
        SlotSet("role", "product manager"),
    ]


def test_a_rejection_reaches_rasa_as_a_rejection(package: str) -> None:
    # As an action server's 400: Rasa's forms rely on it to ask again.
    with pytest.raises(ActionExecutionRejection, match="not this time"):
        run_action("action_reject", in_process(package))


@pytest.mark.parametrize("name", ["action_raise", "action_missing"])
def test_an_action_that_raises_or_does_not_exist_gets_the_apology(
    package: str, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    events = run_action(name, in_process(package))
    assert [e.text for e in events if isinstance(e, BotUttered)] == [ACTION_APOLOGY]
    assert not [e for e in events if isinstance(e, SlotSet)]
    assert f"The actions of '{package}' (in the Rasa process) answered" in caplog.text


def test_an_action_that_waits_too_long_gets_the_apology_at_the_time_limit(
    package: str, caplog: pytest.LogCaptureFixture
) -> None:
    started = time.monotonic()
    events = run_action("action_wait", in_process(package, timeout=0.3))
    elapsed = time.monotonic() - started
    assert [e.text for e in events if isinstance(e, BotUttered)] == [ACTION_APOLOGY]
    assert 0.3 <= elapsed < 5
    assert "did not answer within 0.3 s" in caplog.text


def test_the_settings_are_kept_and_the_domain_left_out_as_selective_domain_says(package: str) -> None:
    endpoint = in_process(package)
    assert endpoint.kwargs == {"enable_selective_domain": True}
    assert endpoint.url is None and endpoint.timeout == 5.0
    body = RemoteAction("action_say", endpoint)._action_call_format(tracker(), DOMAIN)
    assert "domain" not in body


def test_bounded_chooses_the_action_server_url_over_the_module_over_the_url(
    package: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    both = EndpointConfig(url="http://localhost:5055/webhook", actions_module=package, timeout=2)
    chosen = action_endpoint.bounded(both)
    # As in Rasa Pro: actions_module wins over url.
    assert isinstance(chosen, InProcessActions) and chosen.module == package and chosen.timeout == 2
    monkeypatch.setenv("ACTION_SERVER_URL", "http://actions:5055/webhook")
    chosen = action_endpoint.bounded(both)
    assert type(chosen) is BoundedActionEndpoint and chosen.url == "http://actions:5055/webhook"


def test_the_shipped_endpoint_runs_the_projects_actions_in_the_process() -> None:
    shipped = read_endpoint_config(str(ENDPOINTS), "action_endpoint")
    chosen = action_endpoint.bounded(shipped)
    assert isinstance(chosen, InProcessActions) and chosen.module == "actions"
    assert {"action_answer_question", "validate_career_fit_form"} <= set(chosen.executor.actions)


@pytest.mark.parametrize("value", ["", "  ", 3, ["actions"]])
def test_a_bad_module_setting_is_refused(value: Any) -> None:
    with pytest.raises(ValueError, match="actions_module"):
        action_module.configured_module({"actions_module": value})
    assert action_module.configured_module({}) is None


def test_a_module_that_does_not_import_stops_the_start() -> None:
    with pytest.raises(ImportError):
        action_module.load_executor("no_such_actions_package")
