"""Reads a handoff's part of a conversation from Rasa's tracker store.

Only the handoff's own part: from the start of the Rasa session the handoff was queued in (a LINE
user's conversation id never changes, so earlier sessions, days old, are not the operator's to read)
until the handoff ended. Every line goes through bot_server/redaction.py again, as the tracker store
does on save (rows stored before redaction existed or before a kind of secret was masked, or by a
store that does not redact).

Read-only and by cursor (the events table's id), so a reloaded page or a dropped browser
continues exactly where it was: nothing is lost and nothing is shown twice.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc

from bot_server.redaction import redact_message, redact_text
from console.store import make_engine

SHOWN_EVENTS = ("user", "bot", "pause", "resume")
_QUERY = sa.text(
    "SELECT id, type_name, timestamp, data FROM events "
    "WHERE sender_id = :sender AND id > :after AND timestamp <= :until "
    # From the session the handoff was queued in: the last session start at or before `since`.
    "AND id >= (SELECT COALESCE(MAX(id), 0) FROM events "
    "WHERE sender_id = :sender AND type_name = 'session_started' AND timestamp <= :since) "
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
    text = redact_message(text) if row.type_name == "user" else redact_text(text)
    return Line(int(row.id), kind, text, float(row.timestamp or 0), operator)


_PAUSE_STATE = sa.text(
    "SELECT sender_id, type_name FROM events WHERE id IN ("
    "SELECT MAX(id) FROM events WHERE sender_id IN :senders "
    "AND type_name IN ('pause', 'resume', 'session_started') GROUP BY sender_id)"
).bindparams(sa.bindparam("senders", expanding=True))


class TranscriptReader:
    def __init__(self, tracker_store_url: str) -> None:
        self.engine = make_engine(tracker_store_url)

    def after(
        self,
        conversation_id: str,
        cursor: int = 0,
        limit: int = 500,
        since: float | None = None,
        until: float | None = None,
    ) -> list[Line]:
        """Lines after `cursor` of the session that was running at `since` (when the handoff was
        queued) and later ones; with `until` (an ended handoff's end), none written later: the
        customer's conversations before and after are not the operator's to read."""
        params = {
            "sender": conversation_id,
            "after": cursor,
            "limit": limit,
            "since": since if since is not None else float("inf"),
            "until": until or float("inf"),
        }
        try:
            with self.engine.connect() as db:
                rows = db.execute(_QUERY, params).all()
        except (sa_exc.OperationalError, sa_exc.ProgrammingError):
            return []  # no conversation stored yet (the events table is created by Rasa)
        lines = [_line(row) for row in rows]
        # Bot events with nothing to read (the widget's handoff markers) are left out.
        return [line for line in lines if line.text or line.kind in ("pause", "resume")]

    def paused(self, conversation_ids: set[str]) -> set[str]:
        """Those of the conversations that are paused now: their latest pause, resume or session
        start is a pause (a new session starts unpaused unless the pause is carried into it)."""
        if not conversation_ids:
            return set()
        try:
            with self.engine.connect() as db:
                rows = db.execute(_PAUSE_STATE, {"senders": sorted(conversation_ids)}).all()
        except (sa_exc.OperationalError, sa_exc.ProgrammingError):
            return set(conversation_ids)  # cannot tell: withdraw nothing
        return {row.sender_id for row in rows if row.type_name == "pause"}
