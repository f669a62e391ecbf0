"""One SQLite connection (stdlib sqlite3, WAL) and its re-entrant transaction, shared by every repository.

One connection per process. The Sanic handlers call it synchronously from the single event-loop
thread, so each handler's transaction runs without interleaving; BEGIN IMMEDIATE additionally keeps
the CLI or a second process from racing it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import schema


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Autocommit mode; transactions are explicit (Database.transaction).
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn = connect(path)
        self._depth = 0

    def close(self) -> None:
        self.conn.close()

    def create_schema(self) -> None:
        schema.create_schema(self.conn)

    def table_names(self) -> list[str]:
        return schema.table_names(self.conn)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Re-entrant: only the outermost block begins and commits."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._depth = 0
