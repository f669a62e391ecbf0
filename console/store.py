"""The console's own store: operators and their sign-in sessions (operator_store.py), their status
(presence.py), the handoff queue (handoff_queue.py), and what operators record in a conversation
(canned_replies.py, notes.py, outcomes.py), over one engine and the tables of tables.py and desk_tables.py.

SQLAlchemy Core over SQLite (default, under var/) or PostgreSQL (scaled mode), so N Rasa
instances and consoles share one queue. Calls are blocking; the app runs them in a thread.
"""

from __future__ import annotations

from console import desk_tables  # noqa: F401  (its tables join `metadata` before create_all)
from console.canned_replies import CannedReplyRepository
from console.handoff_queue import Handoff, HandoffQueue, QueueFull, QueueLimits
from console.notes import NoteRepository
from console.operator_store import Operator, OperatorRepository, SessionRepository
from console.outcomes import OutcomeRepository
from console.presence import PresenceRepository
from console.tables import add_missing_columns, make_engine, metadata

__all__ = ["Handoff", "Operator", "QueueFull", "QueueLimits", "Store", "make_engine"]


class Store:
    def __init__(self, url: str, queue_limits: QueueLimits | None = None) -> None:
        self.engine = make_engine(url)
        metadata.create_all(self.engine)
        add_missing_columns(self.engine)
        self.operators = OperatorRepository(self.engine)
        self.sessions = SessionRepository(self.engine)
        self.handoffs = HandoffQueue(self.engine, queue_limits)
        # What the operator records inside one conversation (console/desk_tables.py).
        self.canned = CannedReplyRepository(self.engine)
        self.canned.seed_if_empty()
        self.notes = NoteRepository(self.engine)
        self.outcomes = OutcomeRepository(self.engine)
        self.presence = PresenceRepository(self.engine)

    # Kept on the store: the console tests use them.

    def password_hash(self, username: str) -> tuple[Operator, str] | None:
        return self.operators.password_hash(username)

    def finish(self, handoff_id: str, operator_id: int, status: str) -> bool:
        return self.handoffs.finish(handoff_id, operator_id, status)
