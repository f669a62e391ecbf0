"""How a handoff ended, as the operator records it when closing or handing back (解決／未解決／折り返し要,
with an optional note), and the time of the operator's first message, for the handling times of the
insight report (wait = queued -> taken, first response = taken -> first message, total = taken -> ended).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc

from console.desk_tables import MAX_TEXT_CHARS, outcomes
from console.tables import handoffs

OUTCOMES: dict[str, str] = {"resolved": "解決", "unresolved": "未解決", "callback": "折り返し要"}


@dataclass(frozen=True)
class Outcome:
    handoff_id: str
    first_reply_at: float | None
    outcome: str | None
    note: str | None
    recorded_by: int | None
    recorded_at: float | None

    @property
    def label(self) -> str:
        return OUTCOMES.get(self.outcome or "", "—")


@dataclass(frozen=True)
class Handled:
    """One ended handoff with its times (seconds), as the report reads it."""

    handoff_id: str
    operator_id: int | None
    outcome: str | None
    ended_at: float
    wait: float | None
    first_response: float | None
    total: float | None


def read_outcome(body: object) -> tuple[str, str | None] | None:
    """(outcome, note) from a close / hand-back request, or None when the outcome is missing or unknown."""
    if not isinstance(body, dict) or body.get("outcome") not in OUTCOMES:
        return None
    note = body.get("note")
    note = note.strip()[:MAX_TEXT_CHARS] if isinstance(note, str) and note.strip() else None
    return body["outcome"], note


class OutcomeRepository:
    def __init__(self, engine: sa.engine.Engine, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.clock = clock

    def _ensure_row(self, db: sa.engine.Connection, handoff_id: str) -> None:
        if db.execute(sa.select(outcomes.c.handoff_id).where(outcomes.c.handoff_id == handoff_id)).first() is None:
            db.execute(outcomes.insert().values(handoff_id=handoff_id))

    def _write(self, handoff_id: str, where: list, values: dict[str, object]) -> None:
        for attempt in range(2):  # a concurrent first insert of the same row: the second try updates it
            try:
                with self.engine.begin() as db:
                    self._ensure_row(db, handoff_id)
                    db.execute(outcomes.update().where(outcomes.c.handoff_id == handoff_id, *where).values(**values))
                return
            except sa_exc.IntegrityError:
                if attempt:
                    raise

    def note_first_reply(self, handoff_id: str) -> None:
        """The operator's message reached Rasa: the first one sets the first response time."""
        self._write(handoff_id, [outcomes.c.first_reply_at.is_(None)], {"first_reply_at": self.clock()})

    def record(self, handoff_id: str, outcome: str, note: str | None, operator_id: int) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        values = {"outcome": outcome, "note": note, "recorded_by": operator_id, "recorded_at": self.clock()}
        self._write(handoff_id, [], values)

    def for_handoffs(self, handoff_ids: Iterable[str]) -> dict[str, Outcome]:
        ids = sorted(set(handoff_ids))
        if not ids:
            return {}
        with self.engine.connect() as db:
            rows = db.execute(outcomes.select().where(outcomes.c.handoff_id.in_(ids))).all()
        return {row.handoff_id: Outcome(**row._mapping) for row in rows}

    def handled(self, since: float, until: float) -> list[Handled]:
        """Handoffs taken by an operator that ended (handed back or closed) in [since, until)."""
        query = (
            sa.select(
                handoffs.c.id,
                handoffs.c.operator_id,
                handoffs.c.created_at,
                handoffs.c.taken_at,
                handoffs.c.ended_at,
                outcomes.c.outcome,
                outcomes.c.first_reply_at,
            )
            .select_from(handoffs.outerjoin(outcomes, outcomes.c.handoff_id == handoffs.c.id))
            .where(
                handoffs.c.status.in_(("returned", "closed")),
                handoffs.c.taken_at.is_not(None),
                handoffs.c.ended_at >= since,
                handoffs.c.ended_at < until,
            )
            .order_by(handoffs.c.ended_at)
        )
        with self.engine.connect() as db:
            rows = db.execute(query).all()
        return [
            Handled(
                handoff_id=row.id,
                operator_id=row.operator_id,
                outcome=row.outcome,
                ended_at=row.ended_at,
                wait=row.taken_at - row.created_at,
                first_response=(row.first_reply_at - row.taken_at) if row.first_reply_at is not None else None,
                total=row.ended_at - row.taken_at,
            )
            for row in rows
        ]


@dataclass(frozen=True)
class PastHandoff:
    """An earlier handoff of the same conversation, for the conversation page's side panel."""

    id: str
    status: str
    operator_id: int | None
    created_at: float
    ended_at: float | None
    outcome: str | None
    note: str | None

    @property
    def outcome_label(self) -> str:
        return OUTCOMES.get(self.outcome or "", "—")


def earlier_handoffs(
    engine: sa.engine.Engine, conversation_id: str, before: float, limit: int = 10
) -> list[PastHandoff]:
    """The conversation's handoffs queued before `before` (the one shown), newest first."""
    query = (
        sa.select(
            handoffs.c.id,
            handoffs.c.status,
            handoffs.c.operator_id,
            handoffs.c.created_at,
            handoffs.c.ended_at,
            outcomes.c.outcome,
            outcomes.c.note,
        )
        .select_from(handoffs.outerjoin(outcomes, outcomes.c.handoff_id == handoffs.c.id))
        .where(handoffs.c.conversation_id == conversation_id, handoffs.c.created_at < before)
        .order_by(handoffs.c.created_at.desc())
        .limit(limit)
    )
    with engine.connect() as db:
        return [PastHandoff(**row._mapping) for row in db.execute(query).all()]
