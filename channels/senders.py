"""Sender ids: one conversation = one person on one channel (the single source of the format).

Every channel makes its Rasa `sender_id` here, prefixed with the channel, so no channel can name
another channel's conversation (a REST client sending `sender: "U123…"` reaches `rest:U123…`, never
the LINE user `line:U123…`):

    web:<session id>          socket.io widget; the session id is issued by the server (channels/socketio.py)
    line:<userId>             LINE one-to-one chat
    line:group:<groupId>      LINE group chat  (shared by every member: no verified procedures)
    line:room:<roomId>        LINE multi-person room (likewise)
    rest:<client sender>      REST channel (tests, operators; not public unless deploy settings say so)

The channel of a conversation is `channel_of(sender_id)` = `sender_id.split(":", 1)[0]`.
"""

from __future__ import annotations

import re
from typing import Any

WEB, LINE, REST = "web", "line", "rest"
# What a client may choose as its REST `sender`: short, printable ASCII without the separator.
CLIENT_SENDER_MAX_LENGTH = 128
_CLIENT_SENDER = re.compile(r"[A-Za-z0-9_.@\-]+")
# The tracker store's sender_id column (Rasa's SQLTrackerStore: String(255)).
MAX_SENDER_ID_LENGTH = 255


class InvalidSender(ValueError):
    """A client-chosen sender that is missing, not a string, too long or has other characters."""


def channel_of(sender_id: str) -> str:
    return sender_id.split(":", 1)[0]


def is_shared_chat(sender_id: str) -> bool:
    """True for conversations several people can read and write (LINE groups and rooms)."""
    return sender_id.startswith((f"{LINE}:group:", f"{LINE}:room:"))


def validate_client_sender(value: Any) -> str:
    """The client's own `sender`, checked; raises InvalidSender with a message for a 400 answer."""
    if value is None:
        raise InvalidSender("`sender` is required.")
    if not isinstance(value, str):
        raise InvalidSender("`sender` must be a string.")
    if not value or len(value) > CLIENT_SENDER_MAX_LENGTH:
        raise InvalidSender(f"`sender` must be 1 to {CLIENT_SENDER_MAX_LENGTH} characters long.")
    if not _CLIENT_SENDER.fullmatch(value):
        raise InvalidSender("`sender` may contain only letters A-Z a-z, digits and . _ - @")
    return value


def rest_sender(client_sender: Any) -> str:
    return f"{REST}:{validate_client_sender(client_sender)}"


def web_sender(session_id: str) -> str:
    return f"{WEB}:{session_id}"


def web_session_id(sender_id: str) -> str:
    """The session id of a `web:` conversation (inverse of web_sender)."""
    return sender_id.removeprefix(f"{WEB}:")


def line_sender(source: dict[str, Any]) -> str | None:
    """The conversation of a LINE event source (None when the source has no usable id)."""
    kind = source.get("type")
    if kind == "group" and source.get("groupId"):
        return f"{LINE}:group:{source['groupId']}"
    if kind == "room" and source.get("roomId"):
        return f"{LINE}:room:{source['roomId']}"
    if kind == "user" and source.get("userId"):
        return f"{LINE}:{source['userId']}"
    # A source without a type (old fixtures, other tools): the most shared id it names.
    if source.get("groupId"):
        return f"{LINE}:group:{source['groupId']}"
    if source.get("roomId"):
        return f"{LINE}:room:{source['roomId']}"
    if source.get("userId"):
        return f"{LINE}:{source['userId']}"
    return None


def line_chat_id(sender_id: str) -> str | None:
    """The LINE id to push to for a `line:` conversation (user, group or room id); None otherwise."""
    if channel_of(sender_id) != LINE:
        return None
    rest = sender_id.split(":", 1)[1]
    for kind in ("group:", "room:"):
        if rest.startswith(kind):
            return rest[len(kind) :]
    return rest


def sender_of(body: Any) -> str:
    """The conversation of a REST request body; raises InvalidSender."""
    return rest_sender(body.get("sender") if isinstance(body, dict) else None)
