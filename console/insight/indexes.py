"""Indexes the report needs on Rasa's `events` table (Rasa itself creates only sender_id's).

Each holds every column its queries read, including the one JSON value they need (a slot's value,
a bot reply's response name), so the report does not parse the big `data` column of rows it does
not need. (SQLite before 3.41 still reads the row to get an indexed expression's value; the
connection memory-maps the file so those reads are cheap: see store.py.)

Created by `python -m console.insight index` (run it once per tracker store; the console and the
report command also run it, which costs nothing once the indexes exist). On PostgreSQL they are
built CONCURRENTLY, so a live bot keeps writing while they are built. Only the table's owner may create
them: in the scaled mode `deploy.scaled up` does, as the tracker's role; the console's role only reads.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from console.insight.dialect import Dialect, dialect_of

logger = logging.getLogger(__name__)
INSUFFICIENT_PRIVILEGE = "42501"  # PostgreSQL's SQLSTATE


def index_definitions(d: Dialect) -> dict[str, str]:
    return {
        # Customer messages, pauses, handoff actions and (with their value) slots.
        "ix_events_insight_type": f"(type_name, action_name, timestamp, sender_id, intent_name, ({d.slot_value}))",
        # Customer messages by the NLU's confidence: the low-confidence ones for review.
        "ix_events_insight_user": f"(({d.intent_confidence}), timestamp) WHERE type_name = 'user'",
        # The bot's replies by the response they were built from.
        "ix_events_insight_bot": f"(({d.bot_utter_action}), timestamp, sender_id) WHERE type_name = 'bot'",
    }


def ensure_indexes(engine: sa.engine.Engine) -> list[str]:
    """Create the missing indexes; returns the names it created."""
    definitions = index_definitions(dialect_of(engine.dialect.name))
    catalog = (
        "SELECT indexname FROM pg_indexes WHERE tablename = 'events'"
        if engine.dialect.name == "postgresql"
        else "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'"
    )
    with engine.connect() as connection:
        existing = set(connection.execute(sa.text(catalog)).scalars())
    missing = [name for name in definitions if name not in existing]
    concurrently = " CONCURRENTLY" if engine.dialect.name == "postgresql" else ""
    for name in missing:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            try:
                connection.execute(
                    sa.text(f"CREATE INDEX{concurrently} IF NOT EXISTS {name} ON events {definitions[name]}")
                )
            except sa.exc.DBAPIError as error:
                if getattr(error.orig, "pgcode", None) != INSUFFICIENT_PRIVILEGE:
                    raise
                # A reader that does not own the table (the console in the scaled mode): the owner makes them.
                logger.warning("Cannot create the report's indexes as this role (not the owner of events).")
                return []
    if missing:
        # Statistics for the new indexes, or the planner may prefer a worse one.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("ANALYZE events"))
    return missing
