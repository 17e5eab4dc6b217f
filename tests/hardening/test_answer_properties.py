"""Property-based: whatever text, intent, entities and slots arrive, a turn has a reply.

The plain answer functions (actions/conversation.py) are what every Rasa action
calls; here they get arbitrary Unicode (control characters, lone surrogates,
emoji, right-to-left scripts, HTML) and every intent and slot value the domain
knows, plus nonsense ones. A turn must never raise, and its reply must be
non-empty text with at most three buttons.

The guard that every message goes through first (connectors/guard.py) gets
the same: it must hand on text that can be stored, or reply itself.

`database=None`: no example database in the work tree; the seeds that found a
bug are kept below as explicit examples instead.
"""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from actions import conversation
from actions.answers import TOPIC_ORDER
from actions.fact_store import FactStore, load_fact_store
from actions.reading import Context, Message
from actions.roles import BOTH, PRODUCT, PRODUCTION
from connectors.guard import DEFAULT_MAX_MESSAGE_CHARS, check_text, clean_text

STORE: FactStore = load_fact_store()

INTENTS = sorted({"ask_question", "ask_source", "out_of_scope", "nlu_fallback", *conversation.SMALL_TALK})
ROLE_VALUES = [PRODUCT, PRODUCTION, BOTH, "product manager", "production manager", "PM", "prod"]
TOPICS = [*TOPIC_ORDER, "difference", "similarities"]
ENTITY_TYPES = ["role", "topic", "organisation", "other_career", "nonsense"]

# Text as users and attackers send it: any code point (surrogates included),
# and pieces of real questions so that the interesting branches are reached.
WORDS = st.sampled_from(
    [
        "product manager",
        "production manager",
        "prodct manger",
        "project manager",
        "nurse",
        "salary",
        "pay",
        "degree",
        "certification",
        "skills",
        "difference",
        "vs",
        "in common",
        "job outlook",
        "<script>alert(1)</script>",
        "\u202e",
        "\x00",
        "👩🏽‍💻",
        "مدير المنتج",
        "מנהל ייצור",
        "产品经理",
        "?",
    ]
)
TEXT = st.one_of(
    st.text(alphabet=st.characters(codec=None), max_size=300),
    st.lists(st.one_of(WORDS, st.text(max_size=8)), max_size=12).map(" ".join),
)
MAYBE = st.one_of(st.none(), st.text(max_size=20))


def _assert_reply(turn: conversation.Turn) -> None:
    assert isinstance(turn.reply.text, str)
    assert turn.reply.text.strip() or turn.reply.response, "empty reply"
    assert len(turn.reply.buttons) <= 3
    assert all(b.title and b.payload for b in turn.reply.buttons)


ENTITY = st.fixed_dictionaries(
    {
        "entity": st.sampled_from(ENTITY_TYPES),
        "value": st.one_of(st.sampled_from(ROLE_VALUES + TOPICS), MAYBE),
    },
    optional={
        "start": st.integers(min_value=-5, max_value=400),
        "end": st.integers(min_value=-5, max_value=400),
    },
)


@settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    intent=st.one_of(st.sampled_from(INTENTS), MAYBE),
    text=TEXT,
    entities=st.lists(ENTITY, max_size=4),
    slot_role=st.one_of(st.sampled_from([PRODUCT, PRODUCTION, BOTH]), MAYBE),
    slot_topic=st.one_of(st.sampled_from(TOPICS), MAYBE),
    sources=st.lists(
        st.one_of(
            st.sampled_from(["salary:product_manager", "organisation:pics", "product_office"]), MAYBE.map(str)
        ),
        max_size=3,
    ),
    confidence=st.floats(min_value=0.0, max_value=1.0),
)
@example(
    intent="ask_question", text="", entities=[], slot_role=None, slot_topic=None, sources=[], confidence=1.0
)
@example(
    intent=None,
    text="\x00\ud800",
    entities=[{"entity": "role", "value": None}],
    slot_role="x",
    slot_topic="y",
    sources=["?"],
    confidence=0.0,
)
# A slot value from before a change to the fact file, or set through the HTTP API.
@example(
    intent="ask_question",
    text="and them?",
    entities=[{"entity": "role", "value": PRODUCT}],
    slot_role=BOTH,
    slot_topic="0",
    sources=["no such claim"],
    confidence=1.0,
)
def test_respond_always_replies(
    intent: str | None,
    text: str,
    entities: list[dict],
    slot_role: str | None,
    slot_topic: str | None,
    sources: list[str],
    confidence: float,
) -> None:
    message = Message(text, intent, confidence, tuple(entities))
    _assert_reply(conversation.respond(STORE, message, Context(slot_role, slot_topic, tuple(sources))))


@settings(max_examples=500, deadline=None, database=None)
@given(text=st.text(alphabet=st.characters(codec=None), max_size=DEFAULT_MAX_MESSAGE_CHARS + 50))
def test_guard_hands_on_storable_text_or_replies(text: str) -> None:
    check = check_text(text)
    assert (check.text is None) != (check.reply is None)
    if check.reply is not None:
        assert check.reply.strip() and check.reason in ("empty", "too_long")
        return
    assert check.text is not None
    check.text.encode("utf-8")  # what the tracker store does; a lone surrogate would raise
    assert check.text == check.text.strip() and 0 < len(check.text) <= DEFAULT_MAX_MESSAGE_CHARS
    assert not any(unicodedata.category(c) == "Cc" and c not in "\t\n" for c in check.text)


@settings(max_examples=200, deadline=None, database=None)
@given(raw=st.binary(max_size=400))
def test_any_bytes_decode_to_clean_text(raw: bytes) -> None:
    from connectors.guard import decode

    clean_text(decode(raw)).encode("utf-8")
