"""An operator's status, chosen in every page's header: 受付中 (available), 離席 (away), 対応終了 (off).

Only operators 受付中 count for the bot's availability check (GET /desk/v1/availability) and get
conversations offered (console/routing.py). Kept in the console store (console_presence), so every
console process sees the same status.

- Signing in: away (an operator chooses 受付中 themselves); signing out: off.
- The console's live streams (queue, conversation, and any other page: console/handoff/flow_views.py)
  say every few seconds that they are open (`touch`). Once an operator's last stream has been gone for
  CONSOLE_PRESENCE_GRACE_SECONDS (the last tab closed; a reload reconnects well within it), their
  status ends: off (`end_stale`, run by console/waiting.py's sweep in every console process).
- An operator who never had a stream open (an API client) stays as chosen while the session lives.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import sqlalchemy as sa

from console.tables import presence, sessions

AVAILABLE, AWAY, OFF = "available", "away", "off"
STATUSES = (AVAILABLE, AWAY, OFF)
LABELS = {AVAILABLE: "受付中", AWAY: "離席", OFF: "対応終了"}


class PresenceRepository:
    def __init__(self, engine: sa.engine.Engine, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.clock = clock

    def status(self, operator_id: int) -> str:
        with self.engine.connect() as db:
            found = db.execute(sa.select(presence.c.status).where(presence.c.operator_id == operator_id)).scalar()
        return found or AWAY

    def statuses(self) -> dict[int, str]:
        with self.engine.connect() as db:
            return {row.operator_id: row.status for row in db.execute(sa.select(presence))}

    def _upsert(self, db: sa.engine.Connection, operator_id: int, values: dict[str, object]) -> None:
        if db.execute(presence.update().where(presence.c.operator_id == operator_id).values(**values)).rowcount:
            return
        row = {"status": AWAY, "changed_at": self.clock(), "stream_seen_at": None, **values}
        try:
            with db.begin_nested():
                db.execute(presence.insert().values(operator_id=operator_id, **row))
        except sa.exc.IntegrityError:  # another process inserted it just now
            db.execute(presence.update().where(presence.c.operator_id == operator_id).values(**values))

    def choose(self, operator_id: int, status: str, grace_seconds: float) -> None:
        """The operator picked a status in the header. A stream last seen longer ago than the grace is
        forgotten, so the sweep does not end the new status at once; an open stream touches it again."""
        if status not in STATUSES:
            raise ValueError(f"unknown status: {status}")
        now = self.clock()
        stale = presence.c.stream_seen_at < now - grace_seconds
        with self.engine.begin() as db:
            self._upsert(
                db,
                operator_id,
                {
                    "status": status,
                    "changed_at": now,
                    "stream_seen_at": sa.case((stale, None), else_=presence.c.stream_seen_at),
                },
            )

    def signed_in(self, operator_id: int) -> None:
        """A new sign-in starts away, unless the operator is already working in another browser."""
        with self.engine.begin() as db:
            current = db.execute(sa.select(presence.c.status).where(presence.c.operator_id == operator_id)).scalar()
            if current in (None, OFF):
                self._upsert(db, operator_id, {"status": AWAY, "changed_at": self.clock(), "stream_seen_at": None})

    def signed_out(self, operator_id: int) -> None:
        with self.engine.begin() as db:
            self._upsert(db, operator_id, {"status": OFF, "changed_at": self.clock(), "stream_seen_at": None})

    def touch(self, operator_id: int, grace_seconds: float) -> None:
        """One of the operator's streams is open. If their streams were all gone longer than the grace
        (the sweep may not have run yet), the status has ended all the same: off."""
        now = self.clock()
        gone = presence.c.stream_seen_at < now - grace_seconds
        with self.engine.begin() as db:
            self._upsert(
                db, operator_id, {"stream_seen_at": now, "status": sa.case((gone, OFF), else_=presence.c.status)}
            )

    def end_stale(self, grace_seconds: float) -> int:
        """Ends the status of operators whose last stream is gone for the grace period: how many."""
        now = self.clock()
        with self.engine.begin() as db:
            return db.execute(
                presence.update()
                .where(presence.c.status != OFF, presence.c.stream_seen_at < now - grace_seconds)
                .values(status=OFF, changed_at=now, stream_seen_at=None)
            ).rowcount

    def available(self, idle_seconds: float, grace_seconds: float) -> list[int]:
        """Operators 受付中 with a live session and (if they had one) a stream seen within the grace."""
        now = self.clock()
        live = sa.select(sessions.c.operator_id).where(sessions.c.last_seen >= now - idle_seconds)
        query = sa.select(presence.c.operator_id).where(
            presence.c.status == AVAILABLE,
            presence.c.operator_id.in_(live),
            sa.or_(presence.c.stream_seen_at.is_(None), presence.c.stream_seen_at >= now - grace_seconds),
        )
        with self.engine.connect() as db:
            return sorted(db.execute(query).scalars())
