"""Who may do what in the scaled mode's PostgreSQL, applied on every start (idempotent; a changed
password or a cluster made by an older version is brought in line):

- the tracker store's role (SCALED_PG_USER, default `rasa`) owns the tracker database and nothing else;
- the console's role (SCALED_CONSOLE_PG_USER, default `ocn_console`) owns the console's database
  (operators, sessions, handoff queue, review queue) and may only SELECT the tracker's tables (transcripts,
  report): granted now for the tables that exist and by default for those the tracker role creates later;
- neither is a superuser or may create roles or databases; nobody else may connect to either database,
  nor any role other than the superuser to the `postgres` database;
- the superuser `postgres` has its own password, which only deploy uses (SQL through psycopg2, so no
  password ever appears on a command line).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from deploy.settings import ScaledSettings

LIMITS = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"  # INHERIT: the public schema is pg_database_owner's


def _role(cur: Any, sql: Any, name: str, password: str) -> None:
    cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,))
    verb = "ALTER" if cur.fetchone() else "CREATE"
    cur.execute(sql.SQL(f"{verb} ROLE {{}} {LIMITS} PASSWORD %s").format(sql.Identifier(name)), (password,))


def _database(cur: Any, sql: Any, name: str, owner: str) -> None:
    cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
    if not cur.fetchone():
        cur.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(owner)))
    cur.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(sql.Identifier(name), sql.Identifier(owner)))
    cur.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(sql.Identifier(name)))


def ensure_roles(s: ScaledSettings, admin_connect: Callable[..., Any]) -> None:
    """Roles, databases and grants as the module docstring says; `admin_connect(db)` is the superuser."""
    from psycopg2 import sql

    tracker, console = s.pg_user, s.console_pg_user
    connection = admin_connect("postgres")  # autocommit; not `with connection`, which opens a transaction
    with connection.cursor() as cur:
        _role(cur, sql, tracker, s.pg_password)
        _role(cur, sql, console, s.console_pg_password)
        _database(cur, sql, s.pg_db, tracker)
        _database(cur, sql, s.console_pg_db, console)
        cur.execute(
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(s.pg_db), sql.Identifier(console))
        )
        cur.execute("REVOKE CONNECT ON DATABASE postgres FROM PUBLIC")
    connection.close()
    connection = admin_connect(s.pg_db)
    with connection.cursor() as cur:
        names = {"tracker": sql.Identifier(tracker), "console": sql.Identifier(console)}
        for statement in (
            "GRANT USAGE ON SCHEMA public TO {console}",
            "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {console}",
            "ALTER DEFAULT PRIVILEGES FOR ROLE {tracker} IN SCHEMA public GRANT SELECT ON TABLES TO {console}",
        ):
            cur.execute(sql.SQL(statement).format(**names))
    connection.close()
