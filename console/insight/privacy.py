"""What the report and the review queue may show of a customer's text and of a sender id.

Codes, phone numbers and typed passwords are removed by bot_server/redaction.py (the one place that redacts;
the tracker store is already redacted on save, this is applied again for rows stored before).
IDs a customer typed (customer number, OCN ID, connection ID) are masked here for display, with
ocn_ids' recognizer, so an operator never sees a full ID either.
"""

from __future__ import annotations

from bot_server.redaction import redact_message
from ocn_ids.parse import find_values

ID_MASKS = {"customer_number": "[お客さま番号]", "ocn_id": "[OCN ID]", "connection_id": "[接続用ID]"}
# Sender ids shown at most this long (channel prefix kept): enough to tell rows apart, not to look one up.
SENDER_ID_SHOWN_CHARS = 4


def safe_text(text: str | None) -> str:
    """The customer's message with codes, phone numbers, typed passwords and IDs replaced by a label."""
    text = redact_message(text or "")
    for found in sorted(find_values(text), key=lambda f: f.start, reverse=True):
        mask = ID_MASKS.get(found.entity)
        if mask:
            text = text[: found.start] + mask + text[found.end :]
    return text


def masked_sender(sender_id: str) -> str:
    """`line:U4af4980629…` -> `line:U4af…`; the channel stays readable, the id does not."""
    channel, sep, rest = sender_id.rpartition(":")
    prefix = channel + sep
    return prefix + rest[:SENDER_ID_SHOWN_CHARS] + "…"
