"""Thin Rasa actions: build the message and context from the tracker, call `conversation`, send the reply.

The fact store is loaded and validated when this module is imported, i.e.
when the action server starts: a malformed fact file stops it right away
with a message that names the file and key.
"""

from __future__ import annotations

import os
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import advisor, conversation, feedback, reply_kinds
from actions.answers import Button, Reply
from actions.fact_store import FactStoreError, load_fact_store
from actions.reading import Context, Message, load_vocabulary, read

try:
    FACTS = load_fact_store()
    ADVISOR = advisor.default_advisor(FACTS)
except FactStoreError as error:
    # rasa_sdk stops the server (exit code 1) only on an ImportError; any other
    # error would leave it running without actions.
    raise ImportError(f"The fact store is invalid: {error}. Fix it and restart.") from error


FORM = "career_fit_form"
# The slot that lists the advisor's questions already asked a second time.
REASKED = "fit_reasked"


def _end_of_turn() -> dict[str, Any]:
    # Every action here gives the whole answer to the user's message, so the bot
    # listens next. data/rules.yml says so too, but saying it here spares Rasa a
    # second run of its policies on every message (docs/benchmarks.md). A rule that
    # should follow one of these actions with another action needs this removed.
    return FollowupAction("action_listen")


def _send(dispatcher: CollectingDispatcher, reply: Reply, about: dict[str, Any]) -> None:
    """Send a reply, its kind stored with it (`about`: reply_kinds.metadata)."""
    if reply.response:
        dispatcher.utter_message(response=reply.response, **about)
    else:
        dispatcher.utter_message(text=reply.text, buttons=reply.button_dicts(), **about)


def _with_feedback_button(reply: Reply, kind: str, tracker: Tracker) -> Reply:
    if reply.response or not feedback.offers_button(kind, tracker.get_latest_input_channel(), os.environ):
        return reply
    button = Button(feedback.NOT_HELPFUL_TITLE, feedback.NOT_HELPFUL_PAYLOAD)
    return Reply(reply.text, (*reply.buttons, button), reply.sources, reply.response)


def _message(tracker: Tracker) -> Message:
    latest = tracker.latest_message or {}
    intent = latest.get("intent") or {}
    entities = tuple(e for e in latest.get("entities") or [] if isinstance(e, dict))
    return Message(
        text=str(latest.get("text") or ""),
        intent=intent.get("name"),
        confidence=float(intent.get("confidence") or 1.0),
        entities=entities,
    )


def _fit_answers(tracker: Tracker) -> dict[str, str]:
    return {slot: str(tracker.get_slot(slot)) for slot in ADVISOR.slots if tracker.get_slot(slot)}


def _context(tracker: Tracker) -> Context:
    claims = tracker.get_slot("claims")
    return Context(
        role=tracker.get_slot("role"),
        topic=tracker.get_slot("topic"),
        claims=tuple(str(c) for c in claims) if isinstance(claims, list) else (),
        fit=tuple(_fit_answers(tracker).items()),
        fit_result=tracker.get_slot("fit_result"),
        fit_offered=bool(tracker.get_slot("fit_offered")),
    )


def _in_form(tracker: Tracker) -> bool:
    return (tracker.active_loop or {}).get("name") == FORM


class ActionAnswerQuestion(Action):
    """Every message: read once, decided by conversation.RULES (small talk and citations included)."""

    def name(self) -> str:
        return "action_answer_question"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        message = _message(tracker)
        if _in_form(tracker) and advisor.leaves(ADVISOR, read(message, FACTS, load_vocabulary())):
            # "never mind" that the NLU read as another intent: leave the form all the same.
            about = reply_kinds.metadata(reply_kinds.ADVISOR, "advisor_leaves")
            dispatcher.utter_message(response="utter_advisor_stopped", **about)
            return [ActiveLoop(None), SlotSet("requested_slot", None), _end_of_turn()]
        turn = conversation.respond(FACTS, message, _context(tracker))
        kind = turn.kind or reply_kinds.ANSWER
        if turn.reply.text or turn.reply.response:
            about = reply_kinds.metadata(kind, turn.rule, turn.uncovered, turn.other_careers)
            _send(dispatcher, _with_feedback_button(turn.reply, kind, tracker), about)
        events = _slot_changes(tracker, turn)
        if turn.feedback:
            events.append(SlotSet(feedback.SLOT, feedback.record(turn.feedback, tracker.events)))
        if turn.start_advisor and not _in_form(tracker):
            return [*events, FollowupAction(FORM)]
        if _in_form(tracker):
            # A question in the middle of the advisor: data/rules.yml returns to the form.
            return events
        return [*events, _end_of_turn()]


def _slot_changes(tracker: Tracker, turn: conversation.Turn) -> list[dict[str, Any]]:
    """SlotSet events for the slots this turn changes only (every event is stored, and
    read again on each later turn of the conversation)."""
    values: tuple[tuple[str, Any], ...] = (
        ("role", turn.role),
        ("topic", turn.topic),
        ("claims", list(turn.sources) or None),
        ("fit_result", turn.fit_result),
        *turn.fit,
    )
    if turn.offered:
        values += (("fit_offered", True),)
    return [SlotSet(name, value) for name, value in values if tracker.get_slot(name) != value]


def _reads_a_new_message(tracker: Tracker) -> bool:
    """Whether the form runs on the user's message (not on its way back from an answer).

    Rasa calls the validation with the form's own run appended as the last
    action; the action before it is action_listen exactly when the form takes
    the message itself.
    """
    actions = [e.get("name") for e in tracker.events if e.get("event") == "action"]
    return len(actions) >= 2 and actions[-2] == "action_listen"


class ValidateCareerFitForm(Action):
    """The advisor's answers: read from the message (advisor.extract), re-asked once, then skipped.

    Returning nothing for a message that asks something else rejects the form,
    so data/rules.yml answers it with action_answer_question and comes back.
    """

    def name(self) -> str:
        return f"validate_{FORM}"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if not _reads_a_new_message(tracker):
            # Starting, or back from answering a question: nothing new to read. The
            # form asks its question next, and then the bot listens.
            known = _fit_answers(tracker)
            return _recommend(dispatcher, known) if advisor.complete(ADVISOR, known) else [_end_of_turn()]
        message = _message(tracker)
        requested = tracker.get_slot("requested_slot") if _in_form(tracker) else None
        reasked = list(tracker.get_slot(REASKED) or [])
        step = advisor.validate_answer(
            ADVISOR,
            read(message, FACTS, load_vocabulary()),
            message.entities,
            requested,
            requested in reasked,
            message.confidence,
            FACTS,
        )
        if step.say:
            dispatcher.utter_message(text=step.say, **reply_kinds.metadata(reply_kinds.ADVISOR, self.name()))
        events = [SlotSet(slot, value) for slot, value in step.values.items()]
        if step.reask and requested:
            events.append(SlotSet(REASKED, [*reasked, requested]))
        elif step.keep:
            events.append(SlotSet(REASKED, reasked))
        if not events:
            return events  # a rejection: data/rules.yml answers the message, then the form asks again
        known = {**_fit_answers(tracker), **step.values}
        if advisor.complete(ADVISOR, known):
            # The last answer: the recommendation in this same call, not in an action
            # of its own after the form (one action-server call fewer on that turn).
            return [*events, *_recommend(dispatcher, known)]
        # The form asks its next question and the turn ends there: RulePolicy
        # predicts action_listen after an active form that has asked, and saying it
        # here spares a run of the policies (docs/benchmarks.md).
        return [*events, _end_of_turn()]


def _recommend(dispatcher: CollectingDispatcher, known: dict[str, str]) -> list[dict[str, Any]]:
    """The advisor's answers are in: the recommendation and its reasons (advisor.recommend).

    Rasa's form deactivates itself once every slot is filled, and data/rules.yml
    then has the bot listen: the recommendation is the last thing the form says.
    """
    reply, result = advisor.recommend(FACTS, ADVISOR, known)
    _send(dispatcher, reply, reply_kinds.metadata(reply_kinds.ADVISOR, "recommend"))
    role = result.verdict if result.verdict != advisor.CLOSE else "both"
    return [
        SlotSet("claims", list(reply.sources)),
        SlotSet("fit_result", result.verdict),
        SlotSet("fit_offered", True),
        SlotSet("role", role),
        SlotSet(REASKED, None),
        _end_of_turn(),
    ]
