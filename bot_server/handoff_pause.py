"""While a person has the conversation (ConversationPaused), the customer's messages go to the
operator as they are: no NLU. Stock Rasa still parses a paused conversation's messages (it
only stops predicting actions), which would classify, extract and log what the customer says
to the operator. The console reads them from the (redacted) tracker store.
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.trackers import DialogueStateTracker

from bot_server.rasa_patches import register

_original_parse_message = MessageProcessor.parse_message


async def _parse_unless_paused(
    self: MessageProcessor,
    message: UserMessage,
    tracker: DialogueStateTracker | None = None,
    only_output_properties: bool = True,
) -> dict[str, Any]:
    if tracker is not None and tracker.is_paused():
        return {"text": message.text or "", "intent": {"name": None, "confidence": 0.0}, "entities": []}
    return await _original_parse_message(self, message, tracker, only_output_properties)


def install() -> None:
    MessageProcessor.parse_message = _parse_unless_paused  # type: ignore[method-assign]


register(
    "no NLU while a person has the conversation",
    install,
    rasa_version="3.6.21",
    replaces={
        "rasa.core.processor:MessageProcessor.parse_message": (
            "b98d8e49b9f2c433040af62752212dc374600d50cd21deec82386642b64d30dc"
        )
    },
)
