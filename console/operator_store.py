"""Operators and their sign-in sessions, as the console store keeps them (only hashes of passwords and
of session cookies)."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa

from console.tables import operators, sessions


@dataclass(frozen=True)
class Operator:
    id: int
    username: str
    display_name: str


@dataclass(frozen=True)
class Session:
    operator: Operator
    csrf_token: str


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class OperatorRepository:
    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine

    def add(self, username: str, display_name: str, password_hash: str) -> None:
        with self.engine.begin() as db:
            db.execute(
                operators.insert().values(
                    username=username, display_name=display_name, password_hash=password_hash, created_at=time.time()
                )
            )

    def set_password(self, username: str, password_hash: str) -> bool:
        with self.engine.begin() as db:
            result = db.execute(
                operators.update().where(operators.c.username == username).values(password_hash=password_hash)
            )
            if result.rowcount:
                # A new password signs the operator out everywhere.
                ids = sa.select(operators.c.id).where(operators.c.username == username).scalar_subquery()
                db.execute(sessions.delete().where(sessions.c.operator_id == ids))
            return bool(result.rowcount)

    def password_hash(self, username: str) -> tuple[Operator, str] | None:
        with self.engine.connect() as db:
            row = db.execute(operators.select().where(operators.c.username == username)).first()
        if row is None:
            return None
        return Operator(row.id, row.username, row.display_name), row.password_hash

    def names(self) -> dict[int, str]:
        with self.engine.connect() as db:
            return {row.id: row.display_name for row in db.execute(sa.select(operators.c.id, operators.c.display_name))}


class SessionRepository:
    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine

    def create(self, operator: Operator) -> str:
        token = secrets.token_urlsafe(32)
        now = time.time()
        with self.engine.begin() as db:
            db.execute(
                sessions.insert().values(
                    token_hash=_hash_token(token),
                    operator_id=operator.id,
                    csrf_token=secrets.token_urlsafe(32),
                    created_at=now,
                    last_seen=now,
                )
            )
        return token

    def live(self, token: str, idle_seconds: int, max_seconds: int) -> Session | None:
        """The live session for a cookie (and it is touched), or None if unknown or expired."""
        now = time.time()
        key = _hash_token(token)
        with self.engine.begin() as db:
            row = db.execute(
                sa.select(sessions, operators.c.username, operators.c.display_name)
                .join(operators, operators.c.id == sessions.c.operator_id)
                .where(sessions.c.token_hash == key)
            ).first()
            if row is None:
                return None
            if now - row.last_seen > idle_seconds or now - row.created_at > max_seconds:
                db.execute(sessions.delete().where(sessions.c.token_hash == key))
                return None
            db.execute(sessions.update().where(sessions.c.token_hash == key).values(last_seen=now))
        return Session(Operator(row.operator_id, row.username, row.display_name), row.csrf_token)

    def end(self, token: str) -> None:
        with self.engine.begin() as db:
            db.execute(sessions.delete().where(sessions.c.token_hash == _hash_token(token)))

    def operators_signed_in(self, idle_seconds: int) -> int:
        """Operators with a session used within the idle limit (the console page keeps it fresh)."""
        since = time.time() - idle_seconds
        with self.engine.connect() as db:
            return int(
                db.execute(
                    sa.select(sa.func.count(sa.distinct(sessions.c.operator_id))).where(sessions.c.last_seen >= since)
                ).scalar_one()
            )
