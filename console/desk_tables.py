"""The console store's tables for what an operator records inside one conversation: canned replies
(定型文), internal notes and the outcome of a handoff (with the time of the first operator message).

Kept apart from tables.py (the queue's own tables) on the same `metadata`, so Store creates them
with the others (SQLite by default, PostgreSQL in the scaled mode, where the console's role owns
its database: no extra grants).
"""

from __future__ import annotations

import sqlalchemy as sa

from console.tables import metadata

MAX_TEXT_CHARS = 1000  # as an operator message (console/handoff/views.py MAX_OPERATOR_MESSAGE_CHARS)

canned_replies = sa.Table(
    "console_canned_replies",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("topic", sa.String(64), nullable=False, index=True),  # an intent of actions/topics.py or "general"
    sa.Column("title", sa.String(64), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("updated_by", sa.Integer, nullable=True),  # None: seeded
    sa.Column("updated_at", sa.Float, nullable=False),
)

notes = sa.Table(
    "console_handoff_notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("handoff_id", sa.String(32), nullable=False, index=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("operator_id", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

outcomes = sa.Table(
    "console_handoff_outcomes",
    metadata,
    sa.Column("handoff_id", sa.String(32), primary_key=True),
    sa.Column("first_reply_at", sa.Float, nullable=True),  # the operator's first message to the customer
    sa.Column("outcome", sa.String(16), nullable=True),  # resolved | unresolved | callback (outcomes.py)
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("recorded_by", sa.Integer, nullable=True),
    sa.Column("recorded_at", sa.Float, nullable=True, index=True),
)
