"""LINE messages outside a reply: what an operator writes, and the handoff notices.

They are sent through Rasa's HTTP API (`output_channel=latest`), long after the customer's
reply token expired, so they go by push (channels/line_api.py: timeout, retry key).
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.channel import OutputChannel

from channels.easy_japanese_output import line_text
from channels.line_api import MAX_MESSAGES_PER_REQUEST, LineApiClient
from channels.line_format import to_line_messages


def line_chat_id(sender_id: str) -> str:
    """The LINE id to push to: `line:<userId>`, `line:group:<groupId>`, `line:room:<roomId>` (or a bare id)."""
    return sender_id.rsplit(":", 1)[-1]


class LinePushOutput(OutputChannel):
    @classmethod
    def name(cls) -> str:
        return "line"

    def __init__(self, api: LineApiClient) -> None:
        self.api = api

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        messages = to_line_messages([{**message, "text": line_text(message.get("text") or "", message)}])
        for start in range(0, len(messages), MAX_MESSAGES_PER_REQUEST):
            await self.api.push(line_chat_id(recipient_id), messages[start : start + MAX_MESSAGES_PER_REQUEST])

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})
