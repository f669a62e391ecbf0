"""SQLite persistence for the account sandbox: one connection and transaction (database.py) with one
repository per table (repositories.py), schema in schema.py, row values in records.py.

`Store` is what the rest of the sandbox (and its tests, CLI and benchmark) opens and passes around.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .database import Database
from .records import Customer, Verification
from .repositories import (
    AccountRepository,
    AuditLog,
    IdempotencyRepository,
    KnownClientRepository,
    LockoutRepository,
    OutboxRepository,
    VerificationRepository,
)
from .schema import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "Customer", "Store", "Verification"]

FORGOTTEN_CONVERSATION = "forgotten"  # what a forgotten conversation's rows say instead of its id


class Store(Database):
    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.accounts = AccountRepository(self.conn)
        self.verifications = VerificationRepository(self.conn)
        self.lockout = LockoutRepository(self.conn)
        self.known_clients = KnownClientRepository(self.conn)
        self.outbox = OutboxRepository(self.conn)
        self.audit_log = AuditLog(self.conn)
        self.idempotency = IdempotencyRepository(self.conn)

    def purge_older_than(self, cutoff: float) -> dict[str, int]:
        """Deletes the sandbox's records of customers' conversations older than `cutoff` (a Unix time):
        what it sent (outbox) and the verifications; returns how many rows of each."""
        with self.transaction():
            return {
                "outbox": self.outbox.purge(cutoff),
                "verifications": self.verifications.purge(cutoff),
            }

    def forget_conversation(self, conversation_id: str) -> dict[str, int]:
        """A deletion request (bot_server/retention.py `forget` does the bot's side): the sandbox's rows keep
        counting for the code limits and the lockout (a forget must not reset a budget), but no longer name
        the conversation (a LINE user id, a web session). Returns how many rows of each were unlinked."""
        forgotten = FORGOTTEN_CONVERSATION
        with self.transaction():
            return {
                table: self.conn.execute(
                    f"UPDATE {table} SET conversation_id = ? WHERE conversation_id = ?", (value, conversation_id)
                ).rowcount
                for table, value in (("verifications", forgotten), ("wrong_codes", forgotten), ("audit_log", None))
            }

    # Short reads the tests and the CLI use.

    def customers(self) -> list[Customer]:
        return self.accounts.all()

    def connection_password_encrypted(self, number: str) -> str | None:
        return self.accounts.connection_password_encrypted(number)

    def verification(self, verification_id: str) -> Verification | None:
        return self.verifications.get(verification_id)

    def audit_entries(self) -> list[sqlite3.Row]:
        return self.audit_log.entries()
