"""Internal notes on a conversation: written by operators for operators.

They live only in the console store: nothing here talks to Rasa, so a note never reaches the
customer's channel (socket.io room, LINE push) nor the tracker store. Shown on the conversation
page for every handoff of the same conversation (the next operator reads what the last one wrote).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from console.desk_tables import MAX_TEXT_CHARS, notes


@dataclass(frozen=True)
class Note:
    id: int
    handoff_id: str
    conversation_id: str
    operator_id: int
    text: str
    created_at: float


def clean_note(text: object) -> str | None:
    """The note as stored, or None when it is empty or too long."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    return text if 0 < len(text) <= MAX_TEXT_CHARS else None


class NoteRepository:
    def __init__(self, engine: sa.engine.Engine, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.clock = clock

    def add(self, handoff_id: str, conversation_id: str, operator_id: int, text: str) -> Note:
        values = {
            "handoff_id": handoff_id,
            "conversation_id": conversation_id,
            "operator_id": operator_id,
            "text": text,
            "created_at": self.clock(),
        }
        with self.engine.begin() as db:
            note_id = db.execute(notes.insert().values(**values)).inserted_primary_key[0]
        return Note(id=int(note_id), **values)

    def for_conversation(self, conversation_id: str) -> list[Note]:
        """Every note on the conversation, oldest first."""
        with self.engine.connect() as db:
            rows = db.execute(
                notes.select().where(notes.c.conversation_id == conversation_id).order_by(notes.c.id)
            ).all()
        return [Note(**row._mapping) for row in rows]
