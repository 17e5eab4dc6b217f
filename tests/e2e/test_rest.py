"""End to end through the REST channel: real Rasa server, real action server."""

from __future__ import annotations

import json
import uuid

import pytest

from local_stack.servers import RasaServer
from tests.fixtures import reply_text


def _sender() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"


def test_product_manager_pay(rasa_server: RasaServer) -> None:
    text = reply_text(rasa_server.send(_sender(), "How much does a product manager make?"))
    assert "$98,439" in text
    assert "$73,786" not in text
    assert "product manager" in text.lower()


def test_production_manager_pay_with_typos(rasa_server: RasaServer) -> None:
    text = reply_text(rasa_server.send(_sender(), "wat do prodution mangers earn"))
    assert "$73,786" in text and "$98,439" not in text


def test_which_pays_more_compares(rasa_server: RasaServer) -> None:
    text = reply_text(rasa_server.send(_sender(), "which one pays more?"))
    assert "$98,439" in text and "$73,786" in text and "$24,653" in text


def test_follow_up_switches_role_and_keeps_topic(rasa_server: RasaServer) -> None:
    sender = _sender()
    first = reply_text(rasa_server.send(sender, "What skills does a product manager need?"))
    assert "marketing" in first and "research" in first
    second = reply_text(rasa_server.send(sender, "and production managers?"))
    assert "production manager" in second.lower()
    assert "quality control" in second and "marketing" not in second


def test_follow_up_switches_topic_and_keeps_role(rasa_server: RasaServer) -> None:
    sender = _sender()
    assert "$73,786" in reply_text(rasa_server.send(sender, "How much does a production manager earn?"))
    text = reply_text(rasa_server.send(sender, "what about their education?"))
    assert "engineering" in text and "production manager" in text.lower()


def test_clarification_buttons_lead_to_the_answer(rasa_server: RasaServer) -> None:
    sender = _sender()
    replies = rasa_server.send(sender, "what's the salary?")
    buttons = [b for r in replies for b in r.get("buttons", [])]
    titles = [b["title"] for b in buttons]
    # A clarification may have missed: the Not helpful button comes last (actions/feedback.py).
    assert titles == ["Product manager", "Production manager", "Compare both", "Not helpful"]
    production = buttons[1]["payload"]
    assert json.loads(production.partition("{")[2] and "{" + production.partition("{")[2])["role"] == (
        "production manager"
    )
    text = reply_text(rasa_server.send(sender, production))
    assert "$73,786" in text and "$98,439" not in text


def test_source_is_cited(rasa_server: RasaServer) -> None:
    sender = _sender()
    rasa_server.send(sender, "which certifications do production managers get?")
    text = reply_text(rasa_server.send(sender, "where does that come from?"))
    assert "Product Manager vs. Production Manager" in text and "paragraph 10" in text


@pytest.mark.parametrize(
    "question",
    ["how much does a project manager make?", "what does a nurse do?", "what's the weather in Paris?"],
)
def test_out_of_scope_gets_no_role_fact(rasa_server: RasaServer, question: str) -> None:
    sender = _sender()
    rasa_server.send(sender, "product manager salary")
    text = reply_text(rasa_server.send(sender, question))
    assert "$" not in text
    assert "product managers and production managers" in text


def test_uncovered_topic_is_answered_honestly(rasa_server: RasaServer) -> None:
    text = reply_text(rasa_server.send(_sender(), "what is the job outlook for production managers?"))
    assert "doesn't say" in text and "$" not in text


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("hello", "product manager"),
        ("are you a bot?", "bot"),
        ("what can you do?", "duties"),
        ("thanks!", "welcome"),
        ("bye", "luck"),
    ],
)
def test_small_talk(rasa_server: RasaServer, message: str, expected: str) -> None:
    assert expected in reply_text(rasa_server.send(_sender(), message))
