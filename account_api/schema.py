"""The sandbox's SQLite schema, and building it (an older file is rebuilt, never migrated)."""

from __future__ import annotations

import sqlite3

# 2: connection passwords and outbox bodies encrypted (Fernet) instead of hashed / clear;
# 3: verifications.client and wrong_codes.client (keyed hash of the bot's client reference) for the
# per-client limits; 4: indexes for the per-client wrong-code budgets, a client's codes across accounts and
# the alarm's audit rows (README "Lockout").
# 5: verifications.named and wrong_codes.named (the identifier as typed, for the per-client limits) and .client_group (an
# IPv6 /48), and known_clients (clients that verified an account: never refused by account-wide limits).
# 6: wrong_codes.client_group: a group counts at most its share of an account's wrong codes (review 3, N1).
# 7: verifications.client_block and wrong_codes.client_block (an IPv6 /48 holding at most a few groups'
# shares), client_group now an IPv6 /56 (review 5, N1).
SCHEMA_VERSION = 7

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
    client_group    TEXT NOT NULL,    -- keyed hash of the client's group (an IPv6 /56; else the client)
    client_block    TEXT NOT NULL,    -- keyed hash of the group's block (an IPv6 /48; else the group)
    named           TEXT NOT NULL,    -- keyed hash of the identifier as typed (normalized)
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
CREATE INDEX IF NOT EXISTS verifications_any_account ON verifications(client, created_at);
CREATE INDEX IF NOT EXISTS verifications_named ON verifications(named, client, created_at);
CREATE INDEX IF NOT EXISTS verifications_group ON verifications(client_group, created_at);
CREATE INDEX IF NOT EXISTS verifications_block ON verifications(client_block, created_at);
-- Clients (as verifications.client) that verified an account: until expires_at, no account-wide limit
-- refuses them for it (README "Lockout").
CREATE TABLE IF NOT EXISTS known_clients (
    subject         TEXT NOT NULL,
    client          TEXT NOT NULL,
    expires_at      REAL NOT NULL,
    PRIMARY KEY (subject, client)
);
CREATE TABLE IF NOT EXISTS subjects (
    subject         TEXT PRIMARY KEY,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    last_failed_at  REAL,
    locked_until    REAL
);
-- Every wrong code, with the conversation and client it came from: the budgets per client and account
-- (README "Lockout") count them over the last 24 hours.
CREATE TABLE IF NOT EXISTS wrong_codes (
    id              INTEGER PRIMARY KEY,
    subject         TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    client          TEXT NOT NULL,    -- as verifications.client
    named           TEXT NOT NULL,    -- as verifications.named: the per-client budget counts per identifier
    client_group    TEXT NOT NULL,    -- as verifications.client_group: a group counts at most its share
    client_block    TEXT NOT NULL,    -- as verifications.client_block: a block at most block_shares shares
    at              REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS wrong_codes_named ON wrong_codes(named, client, at);
CREATE INDEX IF NOT EXISTS wrong_codes_subject ON wrong_codes(subject, at);
CREATE INDEX IF NOT EXISTS wrong_codes_client ON wrong_codes(subject, client, at);
CREATE INDEX IF NOT EXISTS wrong_codes_at ON wrong_codes(at);
CREATE INDEX IF NOT EXISTS wrong_codes_group ON wrong_codes(subject, client_group, at);
CREATE INDEX IF NOT EXISTS wrong_codes_block ON wrong_codes(subject, client_block, at);
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
CREATE INDEX IF NOT EXISTS audit_log_event ON audit_log(event, result, at);
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


def create_schema(conn: sqlite3.Connection) -> None:
    _drop_older_schema(conn)
    conn.executescript(SCHEMA)
    conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))


def table_names(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").fetchall()
    return [r[0] for r in rows]


def _drop_older_schema(conn: sqlite3.Connection) -> None:
    """An older sandbox file is rebuilt: its data is fictional and reseeded, and a schema-1 file
    holds only hashes of connection passwords, which cannot be turned into the current password."""
    has_meta = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()
    if not has_meta:
        return
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is not None and int(row[0]) >= SCHEMA_VERSION:
        return
    for name in table_names(conn):
        conn.execute(f'DROP TABLE IF EXISTS "{name}"')
