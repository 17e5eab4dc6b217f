"""What kind of reply a bot message is, stored with it so that `make review` can group messages.

Every message the assistant's actions send carries, in Rasa's BotUttered
metadata, `{"answer": {"kind": ..., "rule": ..., "uncovered": ..., "other_careers": [...]}}`
(`metadata`). The kind says what happened; the rule (a rule of
actions/conversation.py, or an action's name) which code decided it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

ANSWER = "answer"  # facts: a topic, a comparison, a yes/no, a profile, a body
CLARIFY = "clarify"  # "which role do you mean?"
FALLBACK = "fallback"  # "Sorry, I didn't catch that"
OUT_OF_SCOPE = "out_of_scope"  # another career, or a sentence about something else
UNCOVERED = "uncovered"  # "the article doesn't say" (a topic of facts.yml's uncovered_topics)
SMALL_TALK = "small_talk"  # hello, thanks, bye, "are you a bot?", what the bot can do
CITATION = "citation"  # "where does that come from?"
ADVISOR = "advisor"  # the career-fit advisor
FEEDBACK = "feedback"  # the reply to "that's not what I asked" / "that helped"
KINDS = (ANSWER, CLARIFY, FALLBACK, OUT_OF_SCOPE, UNCOVERED, SMALL_TALK, CITATION, ADVISOR, FEEDBACK)
# The kinds that answer a question, whether or not they had what was asked.
ANSWERS = frozenset({ANSWER, CLARIFY, FALLBACK, OUT_OF_SCOPE, UNCOVERED})

# The metadata key; Rasa keeps its own "utter_action" beside it.
METADATA_KEY = "answer"


def metadata(
    kind: str, rule: str, uncovered: str | None = None, other_careers: Sequence[str] = ()
) -> dict[str, Any]:
    """The keyword arguments for `dispatcher.utter_message` that store the reply's kind with it."""
    assert kind in KINDS, kind
    return {
        METADATA_KEY: {
            "kind": kind,
            "rule": rule,
            "uncovered": uncovered,
            "other_careers": list(other_careers),
        }
    }
