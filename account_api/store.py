"""SQLite persistence (stdlib sqlite3, WAL) for the account sandbox.

One connection per process. The Sanic handlers call it synchronously from the single event-loop
thread, so each handler's transaction runs without interleaving; BEGIN IMMEDIATE additionally keeps
the CLI or a second process from racing it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# 2: connection passwords and outbox bodies encrypted (Fernet) instead of hashed / clear;
# 3: verifications.client and wrong_codes.client (keyed hash of the bot's client reference) for the
# per-client limits.
SCHEMA_VERSION = 3

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS customers (
    customer_number          TEXT PRIMARY KEY,          -- N + 9 digits
    ocn_id                   TEXT NOT NULL UNIQUE,      -- lower-case mail address
    connection_id            TEXT NOT NULL UNIQUE,
    connection_password_encrypted TEXT NOT NULL,        -- Fernet token; the key lives outside the DB
    name                     TEXT NOT NULL,
    mobile                   TEXT,                      -- digits only; NULL = contact by mail
    contact_mail             TEXT NOT NULL,
    postal_code              TEXT NOT NULL,
    address_region           TEXT NOT NULL,             -- prefecture + city: the part shown masked
    address_line             TEXT NOT NULL,
    created_at               REAL NOT NULL
);
-- subject: keyed hash of the account (or of an unknown identifier) so limits and lockout
-- behave identically whether or not the account exists.
CREATE TABLE IF NOT EXISTS verifications (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    subject         TEXT NOT NULL,
    client          TEXT NOT NULL,    -- keyed hash of the client reference (or of the conversation)
    customer_number TEXT REFERENCES customers(customer_number),  -- NULL for decoys
    code_hash       TEXT,             -- NULL for decoys and once the code is used or void
    status          TEXT NOT NULL CHECK (status IN ('pending', 'verified', 'void')),
    created_at      REAL NOT NULL,
    expires_at      REAL NOT NULL,
    verified_until  REAL
);
CREATE INDEX IF NOT EXISTS verifications_subject ON verifications(subject, created_at);
CREATE INDEX IF NOT EXISTS verifications_client ON verifications(subject, client, created_at);
CREATE INDEX IF NOT EXISTS verifications_conversation ON verifications(conversation_id, created_at);
CREATE TABLE IF NOT EXISTS subjects (
    subject         TEXT PRIMARY KEY,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    last_failed_at  REAL,
    locked_until    REAL
);
-- Every wrong code, with the conversation and client it came from: the account-wide lock needs many of
-- them from several clients (a stranger alone locks only their own conversation; see README "Lockout").
CREATE TABLE IF NOT EXISTS wrong_codes (
    id              INTEGER PRIMARY KEY,
    subject         TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    client          TEXT NOT NULL,    -- as verifications.client
    at              REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS wrong_codes_subject ON wrong_codes(subject, at);
CREATE INDEX IF NOT EXISTS wrong_codes_at ON wrong_codes(at);
CREATE TABLE IF NOT EXISTS logins (
    id              INTEGER PRIMARY KEY,
    customer_number TEXT NOT NULL REFERENCES customers(customer_number),
    at              REAL NOT NULL,
    region          TEXT NOT NULL,
    device          TEXT NOT NULL,
    success         INTEGER NOT NULL,
    unfamiliar      INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS logins_customer ON logins(customer_number, at);
CREATE TABLE IF NOT EXISTS password_resets (
    token_hash      TEXT PRIMARY KEY,
    customer_number TEXT NOT NULL REFERENCES customers(customer_number),
    created_at      REAL NOT NULL,
    expires_at      REAL NOT NULL
);
-- What the sandbox "sent" (it stands in for the customer's phone, mailbox and letterbox). The body
-- holds codes and passwords, so it is a Fernet token too; read only through /dev/outbox and the CLI.
CREATE TABLE IF NOT EXISTS outbox (
    id              INTEGER PRIMARY KEY,
    created_at      REAL NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('sms', 'mail', 'post')),
    destination     TEXT NOT NULL,
    customer_number TEXT,
    kind            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL     -- Fernet token
);
CREATE INDEX IF NOT EXISTS outbox_destination ON outbox(destination, id);
CREATE INDEX IF NOT EXISTS outbox_customer ON outbox(customer_number, id);
CREATE TABLE IF NOT EXISTS audit_log (
    id              INTEGER PRIMARY KEY,
    at              REAL NOT NULL,
    event           TEXT NOT NULL,
    conversation_id TEXT,
    verification_id TEXT,
    customer_number TEXT,
    subject         TEXT,
    result          TEXT NOT NULL,
    detail          TEXT
);
CREATE TABLE IF NOT EXISTS idempotency (
    token_hash      TEXT NOT NULL,
    path            TEXT NOT NULL,
    key             TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    status          INTEGER NOT NULL,
    body            TEXT NOT NULL,
    created_at      REAL NOT NULL,
    PRIMARY KEY (token_hash, path, key)
);
"""


@dataclass(frozen=True)
class Customer:
    customer_number: str
    ocn_id: str
    connection_id: str
    name: str
    mobile: str | None
    contact_mail: str
    postal_code: str
    address_region: str
    address_line: str

    @property
    def contact_channel(self) -> str:
        return "sms" if self.mobile else "mail"

    @property
    def contact_destination(self) -> str:
        return self.mobile or self.contact_mail

    @property
    def postal_address(self) -> str:
        return f"〒{self.postal_code} {self.address_region}{self.address_line}"


@dataclass(frozen=True)
class Verification:
    id: str
    conversation_id: str
    subject: str
    client: str
    customer_number: str | None
    code_hash: str | None
    status: str
    created_at: float
    expires_at: float
    verified_until: float | None


@dataclass(frozen=True)
class SubjectState:
    failed_attempts: int
    last_failed_at: float | None
    locked_until: float | None


_CUSTOMER_COLUMNS = (
    "customer_number, ocn_id, connection_id, name, mobile, contact_mail, postal_code, address_region, address_line"
)


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Autocommit mode; transactions are explicit (Store.transaction).
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn = connect(path)
        self._depth = 0

    def close(self) -> None:
        self.conn.close()

    def create_schema(self) -> None:
        self._drop_older_schema()
        self.conn.executescript(SCHEMA)
        self.conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

    def _drop_older_schema(self) -> None:
        """An older sandbox file is rebuilt: its data is fictional and reseeded, and a schema-1 file
        holds only hashes of connection passwords, which cannot be turned into the current password."""
        has_meta = self.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()
        if not has_meta:
            return
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is not None and int(row[0]) >= SCHEMA_VERSION:
            return
        for name in self.table_names():
            self.conn.execute(f'DROP TABLE IF EXISTS "{name}"')

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

    # -- customers -------------------------------------------------------------------------------

    def add_customer(self, customer: Customer, connection_password_encrypted: str, now: float) -> bool:
        cur = self.conn.execute(
            f"INSERT OR IGNORE INTO customers ({_CUSTOMER_COLUMNS}, connection_password_encrypted, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                customer.customer_number,
                customer.ocn_id,
                customer.connection_id,
                customer.name,
                customer.mobile,
                customer.contact_mail,
                customer.postal_code,
                customer.address_region,
                customer.address_line,
                connection_password_encrypted,
                now,
            ),
        )
        return cur.rowcount == 1

    def customer_by_number(self, number: str) -> Customer | None:
        row = self.conn.execute(
            f"SELECT {_CUSTOMER_COLUMNS} FROM customers WHERE customer_number = ?", (number,)
        ).fetchone()
        return Customer(**dict(row)) if row else None

    def customer_by_ocn_id(self, ocn_id: str) -> Customer | None:
        row = self.conn.execute(f"SELECT {_CUSTOMER_COLUMNS} FROM customers WHERE ocn_id = ?", (ocn_id,)).fetchone()
        return Customer(**dict(row)) if row else None

    def customers(self) -> list[Customer]:
        rows = self.conn.execute(f"SELECT {_CUSTOMER_COLUMNS} FROM customers ORDER BY rowid").fetchall()
        return [Customer(**dict(r)) for r in rows]

    def connection_password_encrypted(self, number: str) -> str | None:
        row = self.conn.execute(
            "SELECT connection_password_encrypted FROM customers WHERE customer_number = ?", (number,)
        ).fetchone()
        return str(row[0]) if row else None

    # -- verifications -----------------------------------------------------------------------------

    def add_verification(self, v: Verification) -> None:
        self.conn.execute(
            "INSERT INTO verifications (id, conversation_id, subject, client, customer_number, code_hash,"
            " status, created_at, expires_at, verified_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                v.id,
                v.conversation_id,
                v.subject,
                v.client,
                v.customer_number,
                v.code_hash,
                v.status,
                v.created_at,
                v.expires_at,
                v.verified_until,
            ),
        )

    def verification(self, verification_id: str) -> Verification | None:
        row = self.conn.execute("SELECT * FROM verifications WHERE id = ?", (verification_id,)).fetchone()
        return Verification(**dict(row)) if row else None

    def recent_code_times(self, since: float, **where: str) -> list[float]:
        """Start times of the codes since `since` matching every `column=value` given (subject,
        conversation_id, client), oldest first."""
        assert where and set(where) <= {"subject", "conversation_id", "client"}
        condition = " AND ".join(f"{column} = ?" for column in where)
        rows = self.conn.execute(
            f"SELECT created_at FROM verifications WHERE {condition} AND created_at > ? ORDER BY created_at",
            (*where.values(), since),
        ).fetchall()
        return [r[0] for r in rows]

    def void_pending(self, *, subject: str, conversation_id: str | None = None) -> None:
        sql = "UPDATE verifications SET status = 'void', code_hash = NULL WHERE subject = ? AND status = 'pending'"
        args: tuple[Any, ...] = (subject,)
        if conversation_id is not None:
            sql += " AND conversation_id = ?"
            args += (conversation_id,)
        self.conn.execute(sql, args)

    def mark_verified(self, verification_id: str, verified_until: float) -> None:
        self.conn.execute(
            "UPDATE verifications SET status = 'verified', code_hash = NULL, verified_until = ? WHERE id = ?",
            (verified_until, verification_id),
        )

    # -- wrong-code counter and lockout ------------------------------------------------------------

    def subject_state(self, subject: str) -> SubjectState:
        row = self.conn.execute(
            "SELECT failed_attempts, last_failed_at, locked_until FROM subjects WHERE subject = ?",
            (subject,),
        ).fetchone()
        return SubjectState(**dict(row)) if row else SubjectState(0, None, None)

    def save_subject_state(self, subject: str, state: SubjectState) -> None:
        self.conn.execute(
            "INSERT INTO subjects (subject, failed_attempts, last_failed_at, locked_until)"
            " VALUES (?, ?, ?, ?) ON CONFLICT(subject) DO UPDATE SET"
            " failed_attempts = excluded.failed_attempts, last_failed_at = excluded.last_failed_at,"
            " locked_until = excluded.locked_until",
            (subject, state.failed_attempts, state.last_failed_at, state.locked_until),
        )

    def add_wrong_code(self, subject: str, conversation_id: str, client: str, at: float) -> None:
        self.conn.execute(
            "INSERT INTO wrong_codes (subject, conversation_id, client, at) VALUES (?, ?, ?, ?)",
            (subject, conversation_id, client, at),
        )

    def wrong_codes_since(self, subject: str, since: float) -> tuple[int, int]:
        """(wrong codes, distinct clients they came from) for one account since `since`."""
        row = self.conn.execute(
            "SELECT count(*), count(DISTINCT client) FROM wrong_codes WHERE subject = ? AND at > ?",
            (subject, since),
        ).fetchone()
        return int(row[0]), int(row[1])

    def all_wrong_codes_since(self, since: float) -> int:
        return int(self.conn.execute("SELECT count(*) FROM wrong_codes WHERE at > ?", (since,)).fetchone()[0])

    def purge_wrong_codes(self, older_than: float) -> None:
        self.conn.execute("DELETE FROM wrong_codes WHERE at < ?", (older_than,))

    # -- logins, password resets -------------------------------------------------------------------

    def has_logins(self, number: str) -> bool:
        return (
            self.conn.execute("SELECT 1 FROM logins WHERE customer_number = ? LIMIT 1", (number,)).fetchone()
            is not None
        )

    def add_login(self, number: str, at: float, region: str, device: str, success: bool, unfamiliar: bool) -> None:
        self.conn.execute(
            "INSERT INTO logins (customer_number, at, region, device, success, unfamiliar) VALUES (?, ?, ?, ?, ?, ?)",
            (number, at, region, device, int(success), int(unfamiliar)),
        )

    def recent_logins(self, number: str, limit: int) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT at, region, device, success, unfamiliar FROM logins WHERE customer_number = ?"
            " ORDER BY at DESC, id DESC LIMIT ?",
            (number, limit),
        ).fetchall()

    def add_password_reset(self, token_hash: str, number: str, now: float, expires_at: float) -> None:
        self.conn.execute(
            "INSERT INTO password_resets (token_hash, customer_number, created_at, expires_at) VALUES (?, ?, ?, ?)",
            (token_hash, number, now, expires_at),
        )

    # -- outbox and audit --------------------------------------------------------------------------

    def add_outbox(
        self,
        *,
        now: float,
        channel: str,
        destination: str,
        customer_number: str | None,
        kind: str,
        subject: str,
        body: str,
    ) -> int:
        cur = self.conn.execute(
            "INSERT INTO outbox (created_at, channel, destination, customer_number, kind, subject, body)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (now, channel, destination, customer_number, kind, subject, body),
        )
        return int(cur.lastrowid)

    def outbox(self, to: str | None = None, last: int = 20) -> list[sqlite3.Row]:
        """Newest `last` messages (oldest first); `to` matches the destination or the customer number."""
        if to:
            rows = self.conn.execute(
                "SELECT * FROM outbox WHERE destination = ? OR customer_number = ? ORDER BY id DESC LIMIT ?",
                (to, to, last),
            ).fetchall()
        else:
            rows = self.conn.execute("SELECT * FROM outbox ORDER BY id DESC LIMIT ?", (last,)).fetchall()
        return list(reversed(rows))

    def audit(
        self,
        *,
        now: float,
        event: str,
        result: str,
        conversation_id: str | None = None,
        verification_id: str | None = None,
        customer_number: str | None = None,
        subject: str | None = None,
        detail: str | None = None,
    ) -> None:
        self.conn.execute(
            "INSERT INTO audit_log (at, event, conversation_id, verification_id, customer_number,"
            " subject, result, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (now, event, conversation_id, verification_id, customer_number, subject, result, detail),
        )

    def audit_entries(self) -> list[sqlite3.Row]:
        return self.conn.execute("SELECT * FROM audit_log ORDER BY id").fetchall()

    # -- idempotency -------------------------------------------------------------------------------

    def idempotent_response(self, token_hash: str, path: str, key: str) -> sqlite3.Row | None:
        return self.conn.execute(
            "SELECT request_hash, status, body FROM idempotency WHERE token_hash = ? AND path = ? AND key = ?",
            (token_hash, path, key),
        ).fetchone()

    def save_idempotent_response(
        self, token_hash: str, path: str, key: str, request_hash: str, status: int, body: str, now: float
    ) -> None:
        self.conn.execute(
            "INSERT INTO idempotency (token_hash, path, key, request_hash, status, body, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (token_hash, path, key, request_hash, status, body, now),
        )

    def purge_idempotency(self, older_than: float) -> None:
        self.conn.execute("DELETE FROM idempotency WHERE created_at < ?", (older_than,))

    # -- introspection (tests, CLI) ---------------------------------------------------------------

    def table_names(self) -> list[str]:
        rows = self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
        return [r[0] for r in rows]
