"""Least privilege in the scaled mode, without starting it: each process's environment holds only the
secrets it needs, no secret is on a command line or in a URL, the sandbox's dev endpoints are off, state
files are 0600, and (on a private PostgreSQL started as `up` starts it) the tracker's and the console's
roles are not superusers and reach only their own database (the console: SELECT on the tracker's)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

from deploy import nginx, redis_server
from deploy.environment import process_env
from deploy.scaled_parts import ScaledParts
from deploy.settings import ScaledSettings, load
from tests.support.private_postgres import private_postgres

SECRETS = (
    "rasa_api_token",
    "pg_password",
    "pg_admin_password",
    "console_pg_password",
    "redis_password",
    "web_session_secret",
    "console_service_token",
    "sandbox_token",
    "sandbox_pepper",
    "sandbox_encryption_key",
    "metrics_token",
)
# What each part needs (deploy/environment.py's table). The database passwords reach the processes only
# through their PGPASSFILE, so they appear in no environment at all.
NEEDS = {
    "rasa": {"rasa_api_token", "redis_password", "web_session_secret", "metrics_token"},
    "actions": {"sandbox_token", "console_service_token", "metrics_token"},
    "sandbox": {"sandbox_token", "sandbox_pepper", "sandbox_encryption_key"},
    "console": {"rasa_api_token", "console_service_token", "metrics_token"},
    "retention": set(),  # its database passwords are in its PGPASSFILE
    "redis": set(),
    "nginx": set(),
}
CALLER = {  # the environment `up` runs in: an operator's shell with settings and unrelated secrets
    "PATH": "/usr/bin:/bin",
    "HANDOFF_HOURS": "00:00-24:00",
    "RATE_LIMIT_PER_MINUTE": "30",
    "AWS_SECRET_ACCESS_KEY": "unrelated-secret-of-the-shell",
    "SCALED_PG_PASSWORD": "",
}


@pytest.fixture
def settings(tmp_path: Path) -> ScaledSettings:
    return load(env={"SCALED_MODEL": "model.tar.gz"}, base_port=23000, state_dir=tmp_path / "scaled")


def secrets_in(text: str, s: ScaledSettings) -> set[str]:
    return {name for name in SECRETS if getattr(s, name) in text}


@pytest.mark.parametrize("part", sorted(NEEDS))
def test_each_process_gets_only_the_secrets_it_needs(settings: ScaledSettings, part: str) -> None:
    env = process_env(settings, part, ["http://127.0.0.1:23020"], caller=CALLER)
    assert secrets_in(" ".join(env.values()), settings) == NEEDS[part]
    assert "AWS_SECRET_ACCESS_KEY" not in env  # nothing of the shell but PATH, locale and its own settings
    assert ("HANDOFF_HOURS" in env) == (part == "actions")
    assert ("RATE_LIMIT_PER_MINUTE" in env) == (part == "rasa")


def test_database_roles_come_from_their_own_password_files(settings: ScaledSettings) -> None:
    rasa = process_env(settings, "rasa", caller=CALLER)
    console = process_env(settings, "console", caller=CALLER)
    assert rasa["PGPASSFILE"] != console["PGPASSFILE"]
    assert f"//{settings.pg_user}@" in rasa["TRACKER_STORE_URL"]
    assert f"//{settings.console_pg_user}@" in console["TRACKER_STORE_URL"]
    assert f"//{settings.console_pg_user}@" in console["CONSOLE_STORE_URL"]
    assert (
        console["CONSOLE_STORE_URL"].endswith("/" + settings.console_pg_db) and settings.console_pg_db != settings.pg_db
    )


def test_the_sandbox_runs_with_its_own_secrets_and_without_dev_endpoints(settings: ScaledSettings) -> None:
    from account_api.settings import Settings as SandboxSettings

    sandbox = SandboxSettings.from_env(process_env(settings, "sandbox", caller=CALLER))
    assert not sandbox.uses_dev_secrets and not sandbox.dev_endpoints
    opted_in = load(
        env={"SCALED_MODEL": "m", "SCALED_SANDBOX_DEV_ENDPOINTS": "1"}, base_port=23000, state_dir=settings.state_dir
    )
    assert SandboxSettings.from_env(process_env(opted_in, "sandbox", caller=CALLER)).dev_endpoints


def test_no_secret_on_a_command_line_or_in_a_url(settings: ScaledSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    commands: dict[str, list[str]] = {}
    monkeypatch.setattr(ScaledParts, "_start", lambda self, name, command, marker: commands.update({name: command}))
    parts = ScaledParts(settings, lambda part: {})
    parts.start_sandbox()
    parts.start_actions(0)
    parts.start_rasa(0)
    parts.start_console()
    commands["redis"] = redis_server.command(redis_server.write_conf(settings))
    for name, command in commands.items():
        assert not secrets_in(" ".join(command), settings), name
    urls = [settings.tracker_store_url, settings.console_store_url, settings.console_tracker_url]
    urls += [v for part in NEEDS for k, v in process_env(settings, part, caller=CALLER).items() if "://" in v]
    assert not secrets_in(" ".join(urls), settings)


def test_state_files_are_for_our_user_only(settings: ScaledSettings, tmp_path: Path) -> None:
    old_umask = os.umask(0o022)  # a permissive shell
    try:
        written = [
            redis_server.write_conf(settings),
            nginx.write(settings, [23020], [23010]),
            settings.state_dir / "secrets" / "rasa_api_token",
        ]
        parts = ScaledParts(settings, lambda kind: {"PATH": os.environ["PATH"]})
        part = parts._start("actions-0", ["sleep", "30"], marker="30")  # how `up` starts every process
        written += [part.pid_file, part.log_path]
        modes = {path: stat.S_IMODE(path.stat().st_mode) for path in written}  # before stop removes the pid file
        part.stop(grace=1)
        sandbox_db = touch_sandbox_db(parts)
        modes[sandbox_db] = stat.S_IMODE(sandbox_db.stat().st_mode)
    finally:
        os.umask(old_umask)
    assert modes == dict.fromkeys(modes, 0o600)
    assert not stat.S_IMODE(settings.state_dir.stat().st_mode) & 0o044  # nobody else lists or reads it


def touch_sandbox_db(parts: ScaledParts) -> Path:
    parts._start = lambda *args, **kwargs: None  # type: ignore[method-assign]
    parts.start_sandbox()
    return parts.s.sandbox_db


@pytest.fixture(scope="module")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScaledSettings]:
    with private_postgres(tmp_path_factory.mktemp("pg-roles")) as (settings, _):
        yield settings


def connect(s: ScaledSettings, user: str, password: str, db: str) -> psycopg2.extensions.connection:
    connection = psycopg2.connect(
        host="127.0.0.1", port=s.ports.postgres, user=user, password=password, dbname=db, connect_timeout=5
    )
    connection.autocommit = True
    return connection


def test_the_roles_are_not_superusers_and_reach_only_their_own_data(postgres: ScaledSettings) -> None:
    s = postgres
    tracker = connect(s, s.pg_user, s.pg_password, s.pg_db)
    with tracker.cursor() as cur:
        cur.execute("SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user")
        assert cur.fetchone() == (False, False, False)
        cur.execute("CREATE TABLE events (id serial PRIMARY KEY, data text)")  # as Rasa does on first start
        cur.execute("INSERT INTO events (data) VALUES ('hello')")
    console = connect(s, s.console_pg_user, s.console_pg_password, s.pg_db)
    with console.cursor() as cur:
        cur.execute("SELECT data FROM events")  # transcripts and the report: read only
        assert cur.fetchall() == [("hello",)]
        for write in ("INSERT INTO events (data) VALUES ('x')", "CREATE INDEX ix_x ON events (data)"):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(write)
    with connect(s, s.console_pg_user, s.console_pg_password, s.console_pg_db).cursor() as cur:
        cur.execute("CREATE TABLE console_probe (id int)")  # its own database: its tables
    for user, password, db in (
        (s.pg_user, s.pg_password, s.console_pg_db),  # the tracker never reaches the console's data
        (s.pg_user, s.pg_password, "postgres"),
        (s.console_pg_user, s.console_pg_password, "postgres"),
        ("postgres", s.pg_password, "postgres"),  # the app's password is not the superuser's
    ):
        with pytest.raises(psycopg2.OperationalError):
            connect(s, user, password, db)


def test_each_roles_password_file_logs_it_in(postgres: ScaledSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    for role, user, db in (("tracker", postgres.pg_user, postgres.pg_db), ("console", postgres.console_pg_user, None)):
        path = postgres.pgpass_file(role)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        dsn = f"host=127.0.0.1 port={postgres.ports.postgres} user={user} dbname={db or postgres.console_pg_db}"
        monkeypatch.setenv("PGPASSFILE", str(path))
        psycopg2.connect(dsn, connect_timeout=5).close()
