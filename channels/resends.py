"""A message a client sends again (same client message id) is answered, never handled twice.

A client that does not know whether its message arrived (a timeout, a reconnect after the server
crashed) sends it again. Without an id the second copy is a new message and may run a procedure a
second time. So clients may give each message an id: `message_id` in the REST body or in the widget's
`user_uttered` payload, 8-64 characters from A-Z a-z 0-9 _ - (the widget draws 128 random bits), the
same id when the same message is sent again. The REST and socket.io channels then:

- hand the id to Rasa as the message's own id (`UserMessage.message_id` → the tracker's
  `latest_message.message_id`). The action server derives the Idempotency-Key of every account call
  of the turn from it (actions/conversation_state.py `turn_key`), so a turn handled again after a crash
  (Rasa stopped before it stored the turn) makes no second call with effect: the account API answers
  with the first result;
- do not handle a message whose id the conversation already has (in the tracker store) or that this
  process is handling right now: they wait for that one to finish and answer with the bot's replies
  that followed it, as stored.

Without an id a message is handled as before. An id that is not a string of that form is refused
(REST: 400 `invalid_message_id`; socket.io: the message is handled without an id and logged).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import BotUttered, UserUttered

logger = logging.getLogger(__name__)

FIELD = "message_id"
_MESSAGE_ID = re.compile(r"[A-Za-z0-9_\-]{8,64}")
WAIT_SECONDS = 60.0  # longest a resend waits for the first copy (Rasa's own reply timeout is longer)


class InvalidMessageId(ValueError):
    """A client message id that is not a string of 8-64 characters from A-Z a-z 0-9 _ -."""


def client_message_id(value: Any) -> str | None:
    """The client's id of a message (None when it sent none); raises InvalidMessageId."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _MESSAGE_ID.fullmatch(value):
        raise InvalidMessageId(f"`{FIELD}` must be 8 to 64 characters: letters A-Z a-z, digits, _ and -.")
    return value


def _replies_after(events: list[Any], message_id: str) -> list[dict[str, Any]] | None:
    """The bot's replies that followed the customer message `message_id`; None if it is not there."""
    replies: list[dict[str, Any]] | None = None
    for event in events:
        if isinstance(event, UserUttered):
            if replies is not None:
                break
            if event.message_id == message_id:
                replies = []
        elif replies is not None and isinstance(event, BotUttered):
            data = {key: value for key, value in (event.data or {}).items() if value}
            replies.append({"text": event.text, **data} if event.text else data)
    return replies


class Resends:
    """Per channel: the client ids being handled in this process, and the replay of handled ones."""

    def __init__(self, wait_seconds: float = WAIT_SECONDS) -> None:
        self.wait_seconds = wait_seconds
        self._in_flight: dict[tuple[str, str], asyncio.Event] = {}

    async def deliver(
        self,
        message: UserMessage,
        client_id: str | None,
        handle: Callable[[UserMessage], Awaitable[Any]],
        agent: Any,
    ) -> None:
        """`handle(message)` unless it is a copy of one handled (or being handled) already: then its
        stored replies go to the message's output channel instead."""
        if client_id is None:
            await handle(message)
            return
        message.message_id = client_id
        key = (message.sender_id, client_id)
        running = self._in_flight.get(key)
        if running is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(running.wait(), self.wait_seconds)
            await self._replay(message, client_id, agent)
            return
        done = self._in_flight[key] = asyncio.Event()
        try:
            if not await self._replay(message, client_id, agent):
                await handle(message)
        finally:
            done.set()
            del self._in_flight[key]

    async def _replay(self, message: UserMessage, client_id: str, agent: Any) -> bool:
        """Sends the replies stored after `client_id`; False when the conversation does not have it."""
        store = getattr(agent, "tracker_store", None)
        if store is None:
            return False
        tracker = await store.retrieve(message.sender_id)
        replies = _replies_after(list(tracker.events), client_id) if tracker else None
        if replies is None:
            return False
        logger.info("A client sent a message again (same message id): answered from the conversation.")
        for reply in replies:
            await message.output_channel.send_response(message.sender_id, dict(reply))
        return True
