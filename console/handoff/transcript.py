"""Reads a conversation from Rasa's tracker store (already redacted when it was saved; customer lines
are redacted again as they are read, for rows stored before a kind of secret was masked).

Read-only and by cursor (the events table's id), so a reloaded page or a dropped browser
continues exactly where it was: nothing is lost and nothing is shown twice.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc

from bot_server.redaction import redact_message
from console.store import make_engine

SHOWN_EVENTS = ("user", "bot", "pause", "resume")
_QUERY = sa.text(
    "SELECT id, type_name, timestamp, data FROM events "
    "WHERE sender_id = :sender AND id > :after AND timestamp <= :until "
    "AND type_name IN ('user', 'bot', 'pause', 'resume') "
    "ORDER BY id LIMIT :limit"
)


@dataclass(frozen=True)
class Line:
    id: int
    kind: str  # customer | bot | operator | pause | resume
    text: str
    time: float
    operator: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def _line(row: sa.engine.Row) -> Line:
    data = json.loads(row.data or "{}")
    kind = {"user": "customer", "bot": "bot"}.get(row.type_name, row.type_name)
    operator = (data.get("metadata") or {}).get("operator") if row.type_name == "bot" else None
    if operator:
        kind = "operator"
    text = data.get("text") or ""
    if row.type_name == "user":
        text = redact_message(text)  # again, for rows stored before a kind of secret was masked on save
    if row.type_name == "user" and text.startswith("/"):
        # A button or the widget's greeting: show what it meant, not the payload.
        intent = ((data.get("parse_data") or {}).get("intent") or {}).get("name") or text[1:].split("{", 1)[0]
        text = f"（ボタン: {intent}）" if intent != "greet" else "（チャットを開きました）"
    if row.type_name == "bot" and not text:
        buttons = (data.get("data") or {}).get("buttons") or []
        text = " / ".join(f"[{b.get('title', '')}]" for b in buttons)
    return Line(int(row.id), kind, text, float(row.timestamp or 0), operator)


class TranscriptReader:
    def __init__(self, tracker_store_url: str) -> None:
        self.engine = make_engine(tracker_store_url)

    def after(self, conversation_id: str, cursor: int = 0, limit: int = 500, until: float | None = None) -> list[Line]:
        """Lines after `cursor`; with `until` (an ended handoff's end), none written later: the
        customer's later conversation is not the operator's to read (a LINE id never changes)."""
        params = {"sender": conversation_id, "after": cursor, "limit": limit, "until": until or float("inf")}
        try:
            with self.engine.connect() as db:
                rows = db.execute(_QUERY, params).all()
        except (sa_exc.OperationalError, sa_exc.ProgrammingError):
            return []  # no conversation stored yet (the events table is created by Rasa)
        lines = [_line(row) for row in rows]
        # Bot events with nothing to read (the widget's handoff markers) are left out.
        return [line for line in lines if line.text or line.kind in ("pause", "resume")]
