"""The console's own store: operators, their sign-in sessions and the handoff queue.

SQLAlchemy Core over SQLite (default, under var/) or PostgreSQL (scaled mode), so N Rasa
instances and consoles share one queue. Calls are blocking; the app runs them in a thread.
Taking a conversation is one conditional UPDATE, so two operators can never both get it.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass

import sqlalchemy as sa

metadata = sa.MetaData()

operators = sa.Table(
    "console_operators",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("display_name", sa.String(64), nullable=False),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

sessions = sa.Table(
    "console_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),  # the cookie is never stored
    sa.Column("operator_id", sa.Integer, nullable=False, index=True),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("last_seen", sa.Float, nullable=False, index=True),
)

handoffs = sa.Table(
    "console_handoffs",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("topic", sa.String(64), nullable=True),
    # waiting -> active (taken) -> returned (to the bot) | closed; waiting -> cancelled (by the customer)
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("operator_id", sa.Integer, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("taken_at", sa.Float, nullable=True),
    sa.Column("ended_at", sa.Float, nullable=True),
)

OPEN = ("waiting", "active")


@dataclass(frozen=True)
class Operator:
    id: int
    username: str
    display_name: str


@dataclass(frozen=True)
class Session:
    operator: Operator
    csrf_token: str


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


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def make_engine(url: str) -> sa.engine.Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 15, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _wal(connection, _record) -> None:  # type: ignore[no-untyped-def]
            # Readers (the live transcript) do not block the writer.
            connection.execute("PRAGMA journal_mode=WAL")

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


class Store:
    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        metadata.create_all(self.engine)

    # ---- operators ---------------------------------------------------------------------

    def add_operator(self, username: str, display_name: str, password_hash: str) -> None:
        with self.engine.begin() as db:
            db.execute(
                operators.insert().values(
                    username=username, display_name=display_name, password_hash=password_hash, created_at=time.time()
                )
            )

    def set_password(self, username: str, password_hash: str) -> bool:
        with self.engine.begin() as db:
            result = db.execute(
                operators.update().where(operators.c.username == username).values(password_hash=password_hash)
            )
            if result.rowcount:
                # A new password signs the operator out everywhere.
                ids = sa.select(operators.c.id).where(operators.c.username == username).scalar_subquery()
                db.execute(sessions.delete().where(sessions.c.operator_id == ids))
            return bool(result.rowcount)

    def password_hash(self, username: str) -> tuple[Operator, str] | None:
        with self.engine.connect() as db:
            row = db.execute(operators.select().where(operators.c.username == username)).first()
        if row is None:
            return None
        return Operator(row.id, row.username, row.display_name), row.password_hash

    def operator_names(self) -> dict[int, str]:
        with self.engine.connect() as db:
            return {row.id: row.display_name for row in db.execute(sa.select(operators.c.id, operators.c.display_name))}

    # ---- sessions ----------------------------------------------------------------------

    def create_session(self, operator: Operator) -> str:
        token = secrets.token_urlsafe(32)
        now = time.time()
        with self.engine.begin() as db:
            db.execute(
                sessions.insert().values(
                    token_hash=_hash_token(token),
                    operator_id=operator.id,
                    csrf_token=secrets.token_urlsafe(32),
                    created_at=now,
                    last_seen=now,
                )
            )
        return token

    def session(self, token: str, idle_seconds: int, max_seconds: int) -> Session | None:
        """The live session for a cookie (and it is touched), or None if unknown or expired."""
        now = time.time()
        key = _hash_token(token)
        with self.engine.begin() as db:
            row = db.execute(
                sa.select(sessions, operators.c.username, operators.c.display_name)
                .join(operators, operators.c.id == sessions.c.operator_id)
                .where(sessions.c.token_hash == key)
            ).first()
            if row is None:
                return None
            if now - row.last_seen > idle_seconds or now - row.created_at > max_seconds:
                db.execute(sessions.delete().where(sessions.c.token_hash == key))
                return None
            db.execute(sessions.update().where(sessions.c.token_hash == key).values(last_seen=now))
        return Session(Operator(row.operator_id, row.username, row.display_name), row.csrf_token)

    def end_session(self, token: str) -> None:
        with self.engine.begin() as db:
            db.execute(sessions.delete().where(sessions.c.token_hash == _hash_token(token)))

    def operators_signed_in(self, idle_seconds: int) -> int:
        """Operators with a session used within the idle limit (the console page keeps it fresh)."""
        since = time.time() - idle_seconds
        with self.engine.connect() as db:
            return int(
                db.execute(
                    sa.select(sa.func.count(sa.distinct(sessions.c.operator_id))).where(sessions.c.last_seen >= since)
                ).scalar_one()
            )

    # ---- handoff queue -----------------------------------------------------------------

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

    def open_handoffs(self) -> list[Handoff]:
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
