"""What a user's text goes through before Rasa sees it, and the replies when it can't.

One place for every channel, so the same message gets the same treatment
wherever it comes from: the REST channel calls `check_text` on its own input,
and `guard_agent` puts it in front of the agent for every other channel
(socket.io, Slack), which call Rasa without checking their text.

- Invalid UTF-8 and lone surrogates become U+FFFD: a lone surrogate (JSON
  "\\ud800") is a valid Python string but cannot be encoded, so the tracker
  store would fail on it and the turn would be lost.
- Control characters (other than tab and newline) become spaces, and the
  bidirectional overrides that can make a message display differently from
  what it says are dropped. Emoji, right-to-left and mixed scripts, and the
  zero-width joiners that emoji and some scripts need, are kept.
- Empty or whitespace-only text is not sent to Rasa: the user is told what to ask.
- Text longer than `max_chars` is refused with a reply saying the limit. NLU
  time grows with the length (with DIET, which this project used before,
  quadratically), so a 100 kB message would hold the server for long; a
  question never needs that much.

`load_json` is the channels' JSON parser: it refuses arrays and objects nested
more than `MAX_JSON_DEPTH` levels deep. Python's parser raises RecursionError
at about 1,000 levels (a 20 kB body), which Rasa answered with a 500, and
a body nested a little less deep was parsed but then broke Rasa further on,
when it copies or stores the metadata.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel

logger = logging.getLogger(__name__)

DEFAULT_MAX_MESSAGE_CHARS = 2000

EMPTY_REPLY = (
    "I didn't get a question there. Ask me about product managers or production "
    "managers, e.g. “How much does a product manager make?”"
)
TOO_LONG_REPLY = (
    "That message is too long for me ({length:,} characters). Please ask one question "
    "in at most {limit:,} characters."
)
# The message could not be handled (the tracker store is down, no model is loaded): nothing was kept.
STORE_APOLOGY = (
    "Sorry, something went wrong on my side and I couldn't take in that message. "
    "Please send it again in a moment."
)


class ModelNotLoaded(RuntimeError):
    """The agent has no model to answer with (it failed to load: the start-up log says why)."""


# C0 and C1 control characters, except tab and newline.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069)
# and the byte order mark.
_BIDI_AND_BOM = re.compile("[\u202a-\u202e\u2066-\u2069\ufeff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class TextCheck:
    """Either `text` to hand to Rasa, or `reply` to send back instead."""

    text: str | None = None
    reply: str | None = None
    reason: str | None = None


def decode(raw: bytes) -> str:
    """Bytes from the network as text; invalid UTF-8 becomes U+FFFD."""
    return raw.decode("utf-8", errors="replace")


def clean_text(text: str) -> str:
    """The text with its unencodable, control and bidi-override characters replaced or dropped."""
    text = _SURROGATE.sub("\ufffd", text)
    text = _CONTROL.sub(" ", text)
    text = _BIDI_AND_BOM.sub("", text)
    return unicodedata.normalize("NFC", text)


def check_text(text: str, max_chars: int = DEFAULT_MAX_MESSAGE_CHARS) -> TextCheck:
    """What to do with a user's message: hand on its cleaned text, or reply at once."""
    # Measured before cleaning too, so a huge message costs no regex work.
    if len(text) > max_chars * 4:
        return TextCheck(reply=TOO_LONG_REPLY.format(length=len(text), limit=max_chars), reason="too_long")
    cleaned = clean_text(text).strip()
    if not cleaned:
        return TextCheck(reply=EMPTY_REPLY, reason="empty")
    if len(cleaned) > max_chars:
        return TextCheck(reply=TOO_LONG_REPLY.format(length=len(cleaned), limit=max_chars), reason="too_long")
    return TextCheck(text=cleaned)


# Arrays and objects in arrays and objects: a Slack event nests about 10 deep.
MAX_JSON_DEPTH = 64


class TooDeep(ValueError):
    """JSON nested deeper than a channel accepts."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"nests arrays or objects more than {limit} levels deep")
        self.limit = limit


def nesting_exceeds(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether `value` (parsed JSON) has arrays or objects nested more than `limit` deep.

    Iterative, so any depth can be measured; it stops at the first too-deep container.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def load_json(text: str | bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """`json.loads(text)`, raising `TooDeep` (a ValueError) for JSON nested over `max_depth`.

    ValueError for text that is not JSON, as json.loads.
    """
    try:
        value = json.loads(text)
    except RecursionError:
        raise TooDeep(max_depth) from None
    if nesting_exceeds(value, max_depth):
        raise TooDeep(max_depth)
    return value


_SENDER_MAX_CHARS = 128


def sender_problem(sender: object) -> str | None:
    """Why `sender` can't name a conversation, or None when it can.

    The SQL tracker store keeps sender ids in a 255-character column; ids with
    control characters would be unreadable in logs and the database.
    """
    if not isinstance(sender, str):
        return "`sender` must be a string (the conversation id)"
    if not sender.strip():
        return "`sender` must not be empty"
    if len(sender) > _SENDER_MAX_CHARS:
        return f"`sender` must be at most {_SENDER_MAX_CHARS} characters"
    if any(unicodedata.category(c) in ("Cc", "Cs", "Cf", "Zl", "Zp") for c in sender):
        return "`sender` must not contain control or format characters"
    return None


def guard_agent(agent: Any, max_chars: int = DEFAULT_MAX_MESSAGE_CHARS) -> None:
    """Put `check_text` in front of `agent.handle_message`, which every channel calls.

    Defence in depth for channels that do not check their input themselves: one
    100 kB message through socket.io took a Rasa server here past 20 GB of
    memory (with the DIET classifier used then, whose attention grows with the
    square of the length) until the kernel killed it, and a lone surrogate made spaCy raise, so the message
    was lost without a reply. Here such text gets the guard's reply through
    the message's own output channel, and never reaches NLU. And when Rasa
    fails on a message (the tracker store is down), socket.io and Slack users
    get an apology asking them to send it again instead of no answer.

    So do messages that reach a server whose model failed to load: Rasa 3.6
    keeps such a server up (a model may still come through `PUT /model`) and
    drops each message with an INFO line, "Ignoring message as there is no
    agent to handle it", so REST got `[]` and socket.io and Slack silence.
    """
    if getattr(agent, "_guarded", False):
        return
    handle_message = agent.handle_message

    async def guarded_handle_message(message: Any) -> Any:
        if isinstance(message.text, str):
            check = check_text(message.text, max_chars)
            if check.reply is not None:
                logger.info(f"Message to conversation {message.sender_id!r} not handled: {check.reason}.")
                await message.output_channel.send_text_message(message.sender_id, check.reply)
                return None
            message.text = check.text
        try:
            if not agent.is_ready():
                raise ModelNotLoaded("no model is loaded (the start-up log says why)")
            return await handle_message(message)
        except Exception as error:
            if isinstance(message.output_channel, CollectingOutputChannel):
                raise  # the REST channel answers 503 itself
            # socket.io and Slack would drop the error and leave the user waiting.
            logger.error(
                f"Could not handle a message of conversation {message.sender_id!r}: "
                f"{type(error).__name__}: {error}. The user was asked to send it again."
            )
            try:
                await message.output_channel.send_text_message(message.sender_id, STORE_APOLOGY)
            except Exception as send_error:
                logger.error(f"The apology could not be sent either: {send_error}")
            return None

    # An attribute of this one agent object, not a change to Rasa's class: the
    # handler that Rasa registers for every channel looks it up on each message.
    agent.handle_message = guarded_handle_message
    agent._guarded = True
