"""The handoff queue, as the console store keeps it: conversations waiting for a person, taken by one
operator, then handed back or closed. Taking a conversation is one conditional UPDATE, so two operators
can never both get it."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from console.tables import handoffs

OPEN = ("waiting", "active")


@dataclass(frozen=True)
class Handoff:
    id: str
    conversation_id: str
    channel: str
    topic: str | None
    status: str
    operator_id: int | None
    created_at: float
    taken_at: float | None
    ended_at: float | None


class HandoffQueue:
    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine

    def enqueue(self, conversation_id: str, channel: str, topic: str | None) -> tuple[Handoff, int | None]:
        """Queues a conversation (once: an open handoff is returned as it is) and its position."""
        with self.engine.begin() as db:
            row = db.execute(
                handoffs.select().where(handoffs.c.conversation_id == conversation_id, handoffs.c.status.in_(OPEN))
            ).first()
            if row is None:
                handoff_id = uuid.uuid4().hex
                db.execute(
                    handoffs.insert().values(
                        id=handoff_id,
                        conversation_id=conversation_id,
                        channel=channel,
                        topic=topic,
                        status="waiting",
                        created_at=time.time(),
                    )
                )
                row = db.execute(handoffs.select().where(handoffs.c.id == handoff_id)).first()
        handoff = Handoff(**row._mapping)
        return handoff, self.position(handoff)

    def position(self, handoff: Handoff) -> int | None:
        if handoff.status != "waiting":
            return None
        with self.engine.connect() as db:
            ahead = db.execute(
                sa.select(sa.func.count())
                .select_from(handoffs)
                .where(handoffs.c.status == "waiting", handoffs.c.created_at < handoff.created_at)
            ).scalar_one()
        return int(ahead) + 1

    def get(self, handoff_id: str) -> Handoff | None:
        with self.engine.connect() as db:
            row = db.execute(handoffs.select().where(handoffs.c.id == handoff_id)).first()
        return Handoff(**row._mapping) if row else None

    def open(self) -> list[Handoff]:
        with self.engine.connect() as db:
            rows = db.execute(handoffs.select().where(handoffs.c.status.in_(OPEN)).order_by(handoffs.c.created_at))
            return [Handoff(**row._mapping) for row in rows]

    def take(self, handoff_id: str, operator_id: int) -> bool:
        """True for exactly one operator: the UPDATE only matches while the handoff still waits."""
        with self.engine.begin() as db:
            result = db.execute(
                handoffs.update()
                .where(handoffs.c.id == handoff_id, handoffs.c.status == "waiting")
                .values(status="active", operator_id=operator_id, taken_at=time.time())
            )
        return result.rowcount == 1

    def cancel(self, conversation_id: str) -> bool:
        """The customer leaves the queue: True unless an operator has already taken the conversation.
        The UPDATE only matches while it still waits, so a cancel and a take never both succeed."""
        with self.engine.begin() as db:
            db.execute(
                handoffs.update()
                .where(handoffs.c.conversation_id == conversation_id, handoffs.c.status == "waiting")
                .values(status="cancelled", ended_at=time.time())
            )
            taken = db.execute(
                handoffs.select().where(handoffs.c.conversation_id == conversation_id, handoffs.c.status == "active")
            ).first()
        return taken is None

    def finish(self, handoff_id: str, operator_id: int, status: str) -> bool:
        """Hand back ("returned") or close ("closed") a conversation the operator holds."""
        assert status in ("returned", "closed")
        with self.engine.begin() as db:
            result = db.execute(
                handoffs.update()
                .where(
                    handoffs.c.id == handoff_id, handoffs.c.status == "active", handoffs.c.operator_id == operator_id
                )
                .values(status=status, ended_at=time.time())
            )
        return result.rowcount == 1
