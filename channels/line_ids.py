"""Who a LINE event comes from: the chat LINE answers to, and the Rasa conversation (sender) id."""

from typing import Any


def chat_id_of(source: dict[str, Any]) -> str | None:
    """The LINE id to reply or push to: the user in 1:1 chats, else the group or room."""
    return source.get("groupId") or source.get("roomId") or source.get("userId")


def sender_id_of(source: dict[str, Any]) -> str | None:
    """The Rasa sender id of the conversation an event belongs to (None: no usable source)."""
    return chat_id_of(source)
