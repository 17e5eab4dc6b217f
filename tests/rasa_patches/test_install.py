"""rasa_patches.install: every patch at once, only on the Rasa it was written for."""

from __future__ import annotations

import logging

import pytest
import rasa
from rasa.core.agent import Agent
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import FailSafeTrackerStore

import rasa_patches
from local_stack.processes import ROOT
from rasa_patches import store_errors
from rasa_patches.action_endpoint import BoundedActionEndpoint
from rasa_patches.assignment import ConvertOnAssignment


def test_the_version_it_was_written_for_is_the_one_pinned() -> None:
    assert f"rasa=={rasa_patches.RASA_VERSION}" in (ROOT / "requirements.lock").read_text()
    rasa_patches.check_rasa_version(rasa.__version__)


def test_another_rasa_is_refused_with_both_versions_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    with pytest.raises(rasa_patches.UnsupportedRasaVersion) as refused:
        rasa_patches.install()
    assert "Rasa 3.6.21" in str(refused.value) and "Rasa 3.7.0 is installed" in str(refused.value)
    assert rasa_patches.installed() == []


def test_install_puts_every_patch_in_place_once(caplog: pytest.LogCaptureFixture) -> None:
    assert rasa_patches.installed() == []
    with caplog.at_level(logging.INFO, logger="rasa_patches"):
        rasa_patches.install()
        descriptor = vars(MessageProcessor)["graph_runner"]
        rasa_patches.install()
    assert rasa_patches.installed() == list(rasa_patches.PATCHES)
    assert vars(MessageProcessor)["graph_runner"] is descriptor
    lines = [r.getMessage() for r in caplog.records if r.name == "rasa_patches"]
    assert lines == [f"Rasa 3.6.21 patched (rasa_patches): {', '.join(rasa_patches.PATCHES)}."]


def test_every_patched_class_is_listed() -> None:
    before = {cls: dict(vars(cls)) for cls in rasa_patches.patched_classes()}
    rasa_patches.install()
    changed = {cls for cls, attributes in before.items() if dict(vars(cls)) != attributes}
    assert changed == set(before)


def test_an_agent_built_before_the_patches_is_patched_by_apply_to(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTION_SERVER_URL", "http://127.0.0.1:9/webhook")
    agent = Agent()
    assert not isinstance(agent.action_endpoint, BoundedActionEndpoint)
    rasa_patches.apply_to(agent)
    assert isinstance(agent.action_endpoint, BoundedActionEndpoint)
    assert agent.action_endpoint.url == "http://127.0.0.1:9/webhook"
    assert isinstance(agent.tracker_store, FailSafeTrackerStore)
    assert agent.tracker_store._on_tracker_store_error is store_errors._raise


def test_after_each_test_rasa_is_as_it_was() -> None:
    # tests/conftest.py took off what the tests above installed.
    assert rasa_patches.installed() == []
    assert not isinstance(vars(MessageProcessor).get("graph_runner"), ConvertOnAssignment)
