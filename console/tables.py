"""The console store's tables (operators, their sign-in sessions, the handoff queue) and its engine.

SQLAlchemy Core over SQLite (default, under var/) or PostgreSQL (scaled mode), so N Rasa
instances and consoles share one queue.
"""

from __future__ import annotations

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
    # waiting -> active (taken) -> ending -> returned (to the bot) | closed;
    # waiting -> cancelled (by the customer) | withdrawn (never paused) | timed_out (chose the contact
    # page after the waiting timeout, or never answered: waiting -> expiring -> timed_out): console/handoff_queue.py
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("operator_id", sa.Integer, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("taken_at", sa.Float, nullable=True),
    sa.Column("ended_at", sa.Float, nullable=True),
    # Who asked, as the channel saw it (channels/client_ref.py, opaque): the per-client queue limit.
    sa.Column("client_ref", sa.String(64), nullable=True, index=True),
    # The account a verified conversation verified, as an opaque key from the action server
    # (actions/handoff_desk.py): one waiting row per account (console/queue_admission.py).
    sa.Column("account_ref", sa.String(32), nullable=True, index=True),
    # Routing (console/routing.py): the available operator the waiting conversation is offered to;
    # a transfer's note and who passed it on.
    sa.Column("offered_to", sa.Integer, nullable=True),
    sa.Column("transfer_note", sa.String(500), nullable=True),
    sa.Column("transferred_from", sa.Integer, nullable=True),
    # Waiting (console/waiting.py): when the waiting timeout started counting (queued, or the customer
    # chose to wait on), when the customer was asked whether to keep waiting, the place last told.
    sa.Column("wait_from", sa.Float, nullable=True),
    sa.Column("wait_offer_at", sa.Float, nullable=True),
    sa.Column("told_position", sa.Integer, nullable=True),
)

# An operator's own status (console/presence.py): available (受付中) | away (離席) | off (対応終了), and when
# one of their live streams (queue, conversation, any page) last said it was open.
presence = sa.Table(
    "console_presence",
    metadata,
    sa.Column("operator_id", sa.Integer, primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("changed_at", sa.Float, nullable=False),
    sa.Column("stream_seen_at", sa.Float, nullable=True),
)

# Columns added to console_handoffs after stores were created, with their SQL type.
_ADDED_COLUMNS = {
    "client_ref": "VARCHAR(64)",
    "account_ref": "VARCHAR(32)",
    "offered_to": "INTEGER",
    "transfer_note": "VARCHAR(500)",
    "transferred_from": "INTEGER",
    "wait_from": "FLOAT",
    "wait_offer_at": "FLOAT",
    "told_position": "INTEGER",
}


def add_missing_columns(engine: sa.engine.Engine) -> None:
    """Columns added after a store was created (create_all makes only missing tables)."""
    present = {column["name"] for column in sa.inspect(engine).get_columns(handoffs.name)}
    missing = [(name, kind) for name, kind in _ADDED_COLUMNS.items() if name not in present]
    if missing:
        with engine.begin() as db:
            for name, kind in missing:
                db.execute(sa.text(f"ALTER TABLE {handoffs.name} ADD COLUMN {name} {kind}"))


def make_engine(url: str) -> sa.engine.Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 15, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _wal(connection, _record) -> None:  # type: ignore[no-untyped-def]
            # Readers (the live transcript) do not block the writer.
            connection.execute("PRAGMA journal_mode=WAL")

        return engine
    return sa.create_engine(url, pool_pre_ping=True)
