"""The career-fit advisor end to end through REST: the real Rasa server (form, rules) and action server."""

from __future__ import annotations

import re
import uuid
from typing import Any

from local_stack.servers import RasaServer
from tests.fixtures import reply_text

LIKES = "what do you enjoy more"
BACKGROUND = "degree or background"
WORKPLACE = "Where would you rather work"
PAY = "how much does the average pay matter"


def _sender() -> str:
    return f"advisor-{uuid.uuid4().hex[:10]}"


def _buttons(replies: list[dict[str, Any]]) -> dict[str, str]:
    return {b["title"]: b["payload"] for r in replies for b in r.get("buttons") or []}


def _paragraphs(text: str) -> set[str]:
    return set(re.findall(r"paragraph (\d+)", text))


def test_four_typed_answers_give_a_recommendation_with_reasons(rasa_server: RasaServer) -> None:
    sender = _sender()
    assert LIKES in reply_text(rasa_server.send(sender, "help me choose"))
    assert BACKGROUND in reply_text(rasa_server.send(sender, "running how it gets made, schedules and all"))
    assert WORKPLACE in reply_text(rasa_server.send(sender, "I studied mechanical engineering"))
    assert PAY in reply_text(rasa_server.send(sender, "the factory floor"))
    replies = rasa_server.send(sender, "not really")
    text = reply_text(replies)
    assert text.startswith("Production manager looks like the better fit")
    assert "engineering" in text and "manufacturing facility" in text
    assert "job outlook" in text and "can't tell you" in text
    assert {"Why?", "What if I studied business?"} <= set(_buttons(replies))
    # The reasons are claims: "where does that come from?" cites their paragraphs.
    cited = reply_text(rasa_server.send(sender, "where does that come from?"))
    assert {"10", "11"} <= _paragraphs(cited)


def test_button_payloads_give_a_recommendation(rasa_server: RasaServer) -> None:
    sender = _sender()
    greeting = rasa_server.send(sender, "hello")
    replies = rasa_server.send(sender, _buttons(greeting)["Help me choose"])
    for title in ("Shaping what gets built", "Business or marketing", "Office and customers"):
        replies = rasa_server.send(sender, _buttons(replies)[title])
    text = reply_text(replies)
    assert PAY in text
    replies = rasa_server.send(sender, _buttons(replies)["Pay matters a lot"])
    text = reply_text(replies)
    assert text.startswith("Product manager looks like the better fit")
    assert "$98,439" in text and "$73,786" in text and "derived" in text
    why = reply_text(rasa_server.send(sender, _buttons(replies)["Why?"]))
    assert "product manager 6 and production manager 0" in why


def test_what_people_said_before_is_not_asked_again(rasa_server: RasaServer) -> None:
    sender = _sender()
    rasa_server.send(sender, "I'm an engineer. Where do production managers work?")
    text = reply_text(rasa_server.send(sender, "I hate offices. Which one is right for me?"))
    assert LIKES in text
    assert PAY in reply_text(rasa_server.send(sender, "a bit of both"))  # degree and workplace known


def test_a_question_in_the_middle_is_answered_and_the_form_resumes(rasa_server: RasaServer) -> None:
    sender = _sender()
    rasa_server.send(sender, "/request_career_fit")
    rasa_server.send(sender, "both")
    replies = rasa_server.send(sender, "wait, what do production managers earn?")
    texts = [r.get("text", "") for r in replies]
    assert "$73,786" in texts[0] and "$98,439" not in texts[0]
    assert BACKGROUND in texts[-1] and "Engineering" in _buttons(replies[-1:])
    assert WORKPLACE in reply_text(rasa_server.send(sender, "engineering"))


def test_stop_leaves_the_advisor(rasa_server: RasaServer) -> None:
    sender = _sender()
    rasa_server.send(sender, "/request_career_fit")
    assert "stopped the questions" in reply_text(rasa_server.send(sender, "never mind"))
    text = reply_text(rasa_server.send(sender, "what do product managers earn?"))
    assert "$98,439" in text and LIKES not in text


def test_an_unusable_answer_is_asked_again_once_then_skipped(rasa_server: RasaServer) -> None:
    sender = _sender()
    rasa_server.send(sender, "/request_career_fit")
    replies = rasa_server.send(sender, "purple")
    assert "couldn't use that" in reply_text(replies) and LIKES in reply_text(replies)
    assert "Shaping what gets built" in _buttons(replies)
    replies = rasa_server.send(sender, "purple")
    assert "skip that one" in reply_text(replies) and BACKGROUND in reply_text(replies)


def test_what_if_rescores_with_one_change(rasa_server: RasaServer) -> None:
    sender = _sender()
    rasa_server.send(sender, "/request_career_fit")
    for answer in ("a bit of both", "business", "no preference"):
        rasa_server.send(sender, answer)
    first = reply_text(rasa_server.send(sender, "not much"))
    assert first.startswith("It's close")
    text = reply_text(rasa_server.send(sender, "what if I had an engineering degree?"))
    assert text.startswith("With engineering instead of business or marketing")
    assert "Production manager looks like the better fit" in text


def test_the_advisor_is_offered_after_both_roles(rasa_server: RasaServer) -> None:
    sender = _sender()
    assert "Help me choose" not in _buttons(rasa_server.send(sender, "what do product managers do?"))
    offered = rasa_server.send(sender, "and production managers?")
    assert _buttons(offered).get("Help me choose") == "/request_career_fit"
    assert "Help me choose" not in _buttons(rasa_server.send(sender, "and product managers?"))
