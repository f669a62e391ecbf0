"""Indexes the report needs on Rasa's `events` table (Rasa itself creates only sender_id's).

Created by `python -m console.insight index` (run it once per tracker store; the console and the
report command also run it, which costs nothing once the indexes exist). On PostgreSQL they are
built CONCURRENTLY, so a live bot keeps writing while they are built.
"""

from __future__ import annotations

import sqlalchemy as sa

INDEXES = {
    # Every report query reads one event type over a time range.
    "ix_events_type_name_timestamp": "(type_name, timestamp)",
}


def ensure_indexes(engine: sa.engine.Engine) -> list[str]:
    """Create the missing indexes; returns the names it created."""
    existing = {ix["name"] for ix in sa.inspect(engine).get_indexes("events")}
    missing = [name for name in INDEXES if name not in existing]
    concurrently = " CONCURRENTLY" if engine.dialect.name == "postgresql" else ""
    for name in missing:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text(f"CREATE INDEX{concurrently} IF NOT EXISTS {name} ON events {INDEXES[name]}"))
    return missing
