"""Connecting to the tracker store for reading the report."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

# Let SQLite memory-map the tracker store: the report reads rows scattered over a big file, and
# through mmap a page already in the OS cache costs no system call. Reading only: Rasa is unaffected.
SQLITE_MMAP_BYTES = 8 * 1024**3


def tracker_engine(url: str) -> sa.engine.Engine:
    engine = sa.create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _mmap(connection: Any, _record: Any) -> None:
            connection.execute(f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES}")

    return engine
