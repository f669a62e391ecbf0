"""Furigana on the channels for messages in やさしい日本語 (metadata `easy_japanese`, bot_server/easy_mode.py).

- web widget (socket.io): each bubble and button carries `furigana`: [[base, reading or null], ...]
  (easy_japanese/furigana.py); web/static/chat.js builds <ruby> nodes from them (never HTML);
- LINE: readings in parentheses after the words that need them (`with_parentheses`: its rule is in
  easy_japanese/furigana.py).
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.socketio import SocketIOOutput

from easy_japanese.furigana import segments, with_parentheses

FLAG = "easy_japanese"


def furigana(text: str) -> list[list[str | None]]:
    return [[segment.base, segment.reading] for segment in segments(text)]


def line_text(text: str, message: dict[str, Any]) -> str:
    """LINE's text of a message: with readings in parentheses when it is in easy Japanese."""
    return with_parentheses(text) if text and message.get(FLAG) else text


class FuriganaSocketIOOutput(SocketIOOutput):
    """Rasa's socket.io output; messages in easy Japanese also carry their furigana."""

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        if not kwargs.get(FLAG):
            await super().send_text_message(recipient_id, text, **kwargs)
            return
        for part in text.strip().split("\n\n"):
            await self._send_message(recipient_id, {"text": part, "furigana": furigana(part)})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        if not kwargs.get(FLAG):
            await super().send_text_with_buttons(recipient_id, text, buttons, **kwargs)
            return
        parts = text.strip().split("\n\n") or [text]
        for part in parts[:-1]:
            await self._send_message(recipient_id, {"text": part, "furigana": furigana(part)})
        replies = [
            {"content_type": "text", "title": b["title"], "payload": b["payload"], "furigana": furigana(b["title"])}
            for b in buttons
        ]
        last = parts[-1]
        await self._send_message(recipient_id, {"text": last, "furigana": furigana(last), "quick_replies": replies})
