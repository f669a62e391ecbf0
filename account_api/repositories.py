"""One repository per table (or per table and the rows that belong to it), over the shared connection.

Each runs its statements in whatever transaction the caller opened (Store.transaction); none commits.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from .records import Customer, Origin, SubjectState, Verification

_CUSTOMER_COLUMNS = (
    "customer_number, ocn_id, connection_id, name, mobile, contact_mail, postal_code, address_region, address_line"
)


def capped_per_origin(rows: list[sqlite3.Row], per_group: int, per_block: int) -> list[float]:
    """From (block, group, time) rows oldest first: each group's `per_group` latest times, and of those each
    block's `per_block` latest, oldest first. Their count is what the group and its block add to an
    account-wide count now, and stays so as the window slides."""
    by_group: dict[tuple[str, str], list[float]] = {}
    for block, group, at in rows:
        by_group.setdefault((block, group), []).append(at)
    by_block: dict[str, list[float]] = {}
    for (block, _group), times in by_group.items():
        by_block.setdefault(block, []).extend(times[-per_group:])
    return sorted(at for times in by_block.values() for at in sorted(times)[-per_block:])


class Repository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn


class AccountRepository(Repository):
    """Customers, their login history and the password-reset links issued to them."""

    def add(self, customer: Customer, connection_password_encrypted: str, now: float) -> bool:
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

    def by_number(self, number: str) -> Customer | None:
        return self._one("customer_number", number)

    def by_ocn_id(self, ocn_id: str) -> Customer | None:
        return self._one("ocn_id", ocn_id)

    def by_connection_id(self, connection_id: str) -> Customer | None:
        return self._one("connection_id", connection_id)

    def share_without_mobile(self) -> float:
        """The share of accounts whose codes go by mail (0 when there are none)."""
        total, without = self.conn.execute("SELECT count(*), count(*) - count(mobile) FROM customers").fetchone()
        return without / total if total else 0.0

    def _one(self, column: str, value: str) -> Customer | None:
        row = self.conn.execute(f"SELECT {_CUSTOMER_COLUMNS} FROM customers WHERE {column} = ?", (value,)).fetchone()
        return Customer(**dict(row)) if row else None

    def all(self) -> list[Customer]:
        rows = self.conn.execute(f"SELECT {_CUSTOMER_COLUMNS} FROM customers ORDER BY rowid").fetchall()
        return [Customer(**dict(r)) for r in rows]

    def connection_password_encrypted(self, number: str) -> str | None:
        row = self.conn.execute(
            "SELECT connection_password_encrypted FROM customers WHERE customer_number = ?", (number,)
        ).fetchone()
        return str(row[0]) if row else None

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


class VerificationRepository(Repository):
    def add(self, v: Verification) -> None:
        self.conn.execute(
            "INSERT INTO verifications (id, conversation_id, subject, client, client_group, client_block, named,"
            " customer_number, code_hash, status, created_at, expires_at, verified_until)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                v.id,
                v.conversation_id,
                v.subject,
                v.client,
                v.client_group,
                v.client_block,
                v.named,
                v.customer_number,
                v.code_hash,
                v.status,
                v.created_at,
                v.expires_at,
                v.verified_until,
            ),
        )

    def get(self, verification_id: str) -> Verification | None:
        row = self.conn.execute("SELECT * FROM verifications WHERE id = ?", (verification_id,)).fetchone()
        return Verification(**dict(row)) if row else None

    def recent_code_times(self, since: float, **where: str) -> list[float]:
        """Start times of the codes since `since` matching every `column=value` given (subject,
        conversation_id, client, client_group, client_block, named: a client, group or block alone counts
        its codes for all accounts), oldest first."""
        assert where and set(where) <= {"subject", "conversation_id", "client", "client_group", "client_block", "named"}
        condition = " AND ".join(f"{column} = ?" for column in where)
        rows = self.conn.execute(
            f"SELECT created_at FROM verifications WHERE {condition} AND created_at > ? ORDER BY created_at",
            (*where.values(), since),
        ).fetchall()
        return [r[0] for r in rows]

    def account_code_times_capped(self, subject: str, since: float, per_group: int, per_block: int) -> list[float]:
        """The account's code times since `since` as its ceilings count them: each client group adds at most
        its `per_group` latest (a group at its share stays there until all but share-1 age out), each block
        at most `per_block`, oldest first."""
        rows = self.conn.execute(
            "SELECT client_block, client_group, created_at FROM verifications WHERE subject = ? AND created_at > ?"
            " ORDER BY created_at",
            (subject, since),
        ).fetchall()
        return capped_per_origin(rows, per_group, per_block)

    def void_pending(
        self,
        *,
        subject: str,
        conversation_id: str | None = None,
        client: str | None = None,
        named: str | None = None,
        except_known_at: float | None = None,
    ) -> None:
        """Void the account's pending codes (only this conversation's / this client's, if given; with
        `except_known_at`, not those of clients known for the account at that time)."""
        sql = "UPDATE verifications SET status = 'void', code_hash = NULL WHERE subject = ? AND status = 'pending'"
        args: tuple[Any, ...] = (subject,)
        for column, value in (("conversation_id", conversation_id), ("client", client), ("named", named)):
            if value is not None:
                sql += f" AND {column} = ?"
                args += (value,)
        if except_known_at is not None:
            sql += " AND client NOT IN (SELECT client FROM known_clients WHERE subject = ? AND expires_at > ?)"
            args += (subject, except_known_at)
        self.conn.execute(sql, args)

    def void(self, verification_id: str) -> None:
        self.conn.execute(
            "UPDATE verifications SET status = 'void', code_hash = NULL WHERE id = ? AND status = 'pending'",
            (verification_id,),
        )

    def purge(self, older_than: float) -> int:
        """Verifications whose code and verified state both ended before `older_than` (retention)."""
        return self.conn.execute(
            "DELETE FROM verifications WHERE max(expires_at, coalesce(verified_until, 0)) < ?", (older_than,)
        ).rowcount

    def mark_verified(self, verification_id: str, verified_until: float) -> None:
        self.conn.execute(
            "UPDATE verifications SET status = 'verified', code_hash = NULL, verified_until = ? WHERE id = ?",
            (verified_until, verification_id),
        )


class LockoutRepository(Repository):
    """The wrong-code counter and lock of each subject (account or conversation), and every wrong code."""

    def state(self, subject: str) -> SubjectState:
        row = self.conn.execute(
            "SELECT failed_attempts, last_failed_at, locked_until FROM subjects WHERE subject = ?",
            (subject,),
        ).fetchone()
        return SubjectState(**dict(row)) if row else SubjectState(0, None, None)

    def save_state(self, subject: str, state: SubjectState) -> None:
        self.conn.execute(
            "INSERT INTO subjects (subject, failed_attempts, last_failed_at, locked_until)"
            " VALUES (?, ?, ?, ?) ON CONFLICT(subject) DO UPDATE SET"
            " failed_attempts = excluded.failed_attempts, last_failed_at = excluded.last_failed_at,"
            " locked_until = excluded.locked_until",
            (subject, state.failed_attempts, state.last_failed_at, state.locked_until),
        )

    def add_wrong_code(self, subject: str, named: str, conversation_id: str, origin: Origin, at: float) -> None:
        self.conn.execute(
            "INSERT INTO wrong_codes (subject, named, conversation_id, client, client_group, client_block, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (subject, named, conversation_id, origin.client, origin.group, origin.block, at),
        )

    def origin_wrong_code_times(self, subject: str, since: float, level: str, value: str) -> list[float]:
        """The account's wrong codes since `since` from one client group (`level` "client_group") or block
        ("client_block"), oldest first."""
        assert level in ("client_group", "client_block")
        rows = self.conn.execute(
            f"SELECT at FROM wrong_codes WHERE subject = ? AND {level} = ? AND at > ? ORDER BY at",
            (subject, value, since),
        ).fetchall()
        return [row[0] for row in rows]

    def account_wrong_code_times_capped(
        self, subject: str, since: float, per_group: int, per_block: int
    ) -> list[float]:
        """The account's wrong codes since `since` as its throttle and guessing bound count them: each client
        group adds at most its `per_group` latest, each block at most `per_block`, oldest first."""
        rows = self.conn.execute(
            "SELECT client_block, client_group, at FROM wrong_codes WHERE subject = ? AND at > ? ORDER BY at",
            (subject, since),
        ).fetchall()
        return capped_per_origin(rows, per_group, per_block)

    def wrong_code_times(
        self, subject: str, since: float, client: str | None = None, named: str | None = None
    ) -> list[float]:
        """When the account's wrong codes since `since` were typed (from one client, for one identifier as
        typed, if given), oldest first."""
        sql, args = "SELECT at FROM wrong_codes WHERE subject = ? AND at > ?", (subject, since)
        if client is not None:
            sql, args = sql + " AND client = ?", (*args, client)
        if named is not None:
            sql, args = sql + " AND named = ?", (*args, named)
        return [row[0] for row in self.conn.execute(sql + " ORDER BY at", args).fetchall()]

    def all_wrong_codes_since(self, since: float) -> int:
        return int(self.conn.execute("SELECT count(*) FROM wrong_codes WHERE at > ?", (since,)).fetchone()[0])

    def wrong_codes_since_capped_per_group(self, since: float, per_group: int, per_block: int) -> int:
        """Wrong codes across all accounts, each client group counting at most `per_group` of them and each
        block at most `per_block`."""
        row = self.conn.execute(
            "SELECT coalesce(sum(min(b, ?)), 0) FROM ("
            " SELECT sum(min(n, ?)) AS b FROM ("
            "  SELECT client_block, count(*) AS n FROM wrong_codes WHERE at > ? GROUP BY client_block, client_group"
            " ) GROUP BY client_block)",
            (per_block, per_group, since),
        ).fetchone()
        return int(row[0])

    def purge_wrong_codes(self, older_than: float) -> None:
        self.conn.execute("DELETE FROM wrong_codes WHERE at < ?", (older_than,))


class KnownClientRepository(Repository):
    """Clients that verified an account (keyed hashes, as verifications.client), until an expiry."""

    def remember(self, subject: str, client: str, expires_at: float) -> None:
        self.conn.execute(
            "INSERT INTO known_clients (subject, client, expires_at) VALUES (?, ?, ?)"
            " ON CONFLICT(subject, client) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)",
            (subject, client, expires_at),
        )

    def is_known(self, subject: str, client: str, now: float) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM known_clients WHERE subject = ? AND client = ? AND expires_at > ?", (subject, client, now)
        ).fetchone()
        return row is not None

    def purge(self, now: float) -> int:
        return self.conn.execute("DELETE FROM known_clients WHERE expires_at <= ?", (now,)).rowcount


class OutboxRepository(Repository):
    """What the sandbox "sent" (its stand-in for the customer's phone, mailbox and letterbox)."""

    def add(
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

    def latest(self, to: str | None = None, last: int = 20) -> list[sqlite3.Row]:
        """Newest `last` messages (oldest first); `to` matches the destination or the customer number."""
        if to:
            rows = self.conn.execute(
                "SELECT * FROM outbox WHERE destination = ? OR customer_number = ? ORDER BY id DESC LIMIT ?",
                (to, to, last),
            ).fetchall()
        else:
            rows = self.conn.execute("SELECT * FROM outbox ORDER BY id DESC LIMIT ?", (last,)).fetchall()
        return list(reversed(rows))

    def purge(self, older_than: float) -> int:
        """Messages sent before `older_than` (the retention period, account_api/cli.py `purge`)."""
        return self.conn.execute("DELETE FROM outbox WHERE created_at < ?", (older_than,)).rowcount


class AuditLog(Repository):
    def add(
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

    def entries(self) -> list[sqlite3.Row]:
        return self.conn.execute("SELECT * FROM audit_log ORDER BY id").fetchall()

    def last_at(self, event: str, result: str) -> float | None:
        """When `event` last had `result` (None: never)."""
        row = self.conn.execute(
            "SELECT max(at) FROM audit_log WHERE event = ? AND result = ?", (event, result)
        ).fetchone()
        return row[0]

    def count(self, event: str, result: str) -> int:
        """How many times `event` had `result`: a counter for the operators' metrics."""
        return int(
            self.conn.execute(
                "SELECT count(*) FROM audit_log WHERE event = ? AND result = ?", (event, result)
            ).fetchone()[0]
        )


class IdempotencyRepository(Repository):
    """The stored reply to each (service token, path, Idempotency-Key)."""

    def response(self, token_hash: str, path: str, key: str) -> sqlite3.Row | None:
        return self.conn.execute(
            "SELECT request_hash, status, body FROM idempotency WHERE token_hash = ? AND path = ? AND key = ?",
            (token_hash, path, key),
        ).fetchone()

    def save_response(
        self, token_hash: str, path: str, key: str, request_hash: str, status: int, body: str, now: float
    ) -> None:
        self.conn.execute(
            "INSERT INTO idempotency (token_hash, path, key, request_hash, status, body, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (token_hash, path, key, request_hash, status, body, now),
        )

    def purge(self, older_than: float) -> None:
        self.conn.execute("DELETE FROM idempotency WHERE created_at < ?", (older_than,))
