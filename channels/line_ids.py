"""Who a LINE event comes from: the chat LINE answers to, and the Rasa conversation (sender) id."""

from typing import Any

from channels.senders import line_sender


def chat_id_of(source: dict[str, Any]) -> str | None:
    """The LINE id to reply or push to: the user in 1:1 chats, else the group or room."""
    return source.get("groupId") or source.get("roomId") or source.get("userId")


def sender_id_of(source: dict[str, Any]) -> str | None:
    """The Rasa sender id of the conversation an event belongs to (None: no usable source):
    `line:<userId>` one to one, `line:group:<groupId>` / `line:room:<roomId>` for chats several people
    share (verified procedures are refused there: actions/procedure_form.py, procedure_run.py)."""
    return line_sender(source)
