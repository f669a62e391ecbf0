"""Each scaled-mode process's environment, explicitly: only the addresses and secrets that part needs.

A part never inherits the environment `up` runs in (it may hold anything). It gets a few basics (PATH,
locale, PYTHONPATH), the operator's settings it reads itself (`PASS_THROUGH`: its own settings module's
variables, never a secret of another part), then what deploy decides for it, which wins:

| part | secrets it gets |
|---|---|
| rasa | tracker role (PGPASSFILE), Redis password, Rasa API token (environment, not argv), web session secret, metrics token |
| actions | sandbox token, console desk token, metrics token |
| sandbox | its token, pepper and encryption key; dev endpoints off unless SCALED_SANDBOX_DEV_ENDPOINTS=1 |
| console | console role (PGPASSFILE; its own database, SELECT on the tracker's), Rasa API token, desk token, metrics token |
| retention | the tracker and console roles (one PGPASSFILE with both: it deletes old rows in both stores), the sandbox's database file |
| redis, nginx | none (Redis reads its password from its 0600 config file) |

Database URLs carry no password: libpq reads it from the part's PGPASSFILE (0600, one role per file).
tests/deploy/test_least_privilege.py checks this table.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from deploy.private_files import write_private
from deploy.settings import ROOT, ScaledSettings

# Read from the environment `up` runs in, per part: its own settings (names or prefixes).
PASS_THROUGH: dict[str, tuple[str, ...]] = {
    "rasa": (
        "RATE_LIMIT_",
        "LINE_",
        "WEB_",  # the widget's settings (channels/socketio.py); WEB_SESSION_SECRET is deploy's and wins
        "SOCKETIO_",
        "TRACKER_STORE_RETRY_SECONDS",
        "LOCK_STORE_RETRY_SECONDS",
        "LOCK_STORE_MAX_TURN_SECONDS",
    ),
    "actions": ("OCN_", "HANDOFF_", "ACCOUNT_API_CONNECT_TIMEOUT", "ACCOUNT_API_READ_TIMEOUT", "ACCOUNT_API_RETRIES"),
    "sandbox": ("ACCOUNT_API_MYPAGE_URL", "ACCOUNT_API_ACCESS_LOG", "ACCOUNT_API_CODE_TTL_SECONDS"),
    "console": (
        "CONSOLE_SESSION_",
        "CONSOLE_HTTP_TIMEOUT",
        "CONSOLE_TRUSTED_PROXIES",
        "CONSOLE_MAX_BODY_BYTES",
        "INSIGHT_",
    ),
    "retention": ("RETENTION_",),
    "redis": (),
    "nginx": (),
}
BASICS = ("PATH", "LANG", "LC_ALL", "TZ", "HOME")
PYTHON_PARTS = ("rasa", "actions", "sandbox", "console", "retention")


def _base(part: str, caller: Mapping[str, str]) -> dict[str, str]:
    env = {name: caller[name] for name in BASICS if caller.get(name)}
    env.setdefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
    prefixes = PASS_THROUGH[part]
    env.update({name: value for name, value in caller.items() if name.startswith(prefixes) and value})
    if part in PYTHON_PARTS:
        env.update(
            PYTHONPATH=str(ROOT),
            PYTHONUNBUFFERED="1",
            RASA_TELEMETRY_ENABLED="false",
            TF_CPP_MIN_LOG_LEVEL="2",
            SQLALCHEMY_SILENCE_UBER_WARNING="1",
            SANIC_HOST="127.0.0.1",
        )
    return env


def server_env(caller: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a server that is not ours (PostgreSQL's initdb and pg_ctl): the basics of the
    caller's and nothing else, so no token of the operator's shell reaches it (security review 8, S3)."""
    caller = os.environ if caller is None else caller
    env = {name: caller[name] for name in BASICS if caller.get(name)}
    env.setdefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
    return env


def _pgpass_line(s: ScaledSettings, user: str, password: str) -> str:
    def escape(value: str) -> str:
        return value.replace("\\", "\\\\").replace(":", "\\:")

    return f"127.0.0.1:{s.ports.postgres}:*:{escape(user)}:{escape(password)}\n"


def write_pgpass_files(s: ScaledSettings) -> None:
    """One PGPASSFILE per role (0600): the Rasa servers' and the console's."""
    write_private(s.pgpass_file("tracker"), _pgpass_line(s, s.pg_user, s.pg_password))
    write_private(s.pgpass_file("console"), _pgpass_line(s, s.console_pg_user, s.console_pg_password))
    write_private(
        s.pgpass_file("retention"),
        _pgpass_line(s, s.pg_user, s.pg_password) + _pgpass_line(s, s.console_pg_user, s.console_pg_password),
    )


def _rasa(s: ScaledSettings) -> dict[str, str]:
    return dict(
        ACTION_ENDPOINT_URL=s.action_endpoint_url,
        TRACKER_STORE_URL=s.tracker_store_url,
        PGPASSFILE=str(s.pgpass_file("tracker")),
        SQL_POOL_SIZE=s.sql_pool_size,
        SQL_MAX_OVERFLOW=s.sql_max_overflow,
        LOCK_STORE_TYPE=s.lock_store_type,
        LOCK_STORE_HOST="127.0.0.1",
        LOCK_STORE_PORT=str(s.ports.redis),
        LOCK_STORE_DB=s.lock_store_db,
        LOCK_STORE_PASSWORD=s.redis_password,
        TICKET_LOCK_LIFETIME=s.ticket_lock_lifetime,
        # bot_server/__main__.py hands it to Rasa's --auth-token, so it is never on a command line.
        RASA_API_TOKEN=s.rasa_api_token,
        WEB_SESSION_SECRET=s.web_session_secret,
        # Every Rasa server reaches every web session through Redis (channels/socketio.py).
        SOCKETIO_MESSAGE_QUEUE=f"redis://127.0.0.1:{s.ports.redis}/2",
        SOCKETIO_MESSAGE_QUEUE_PASSWORD=s.redis_password,
        METRICS_TOKEN=s.metrics_token,  # what Prometheus presents at GET /metrics (bot_server/metrics_endpoint.py)
    )


# credentials.yml names them: Rasa refuses to start when one is not set at all (LINE off when empty).
LINE_DEFAULTS = {"LINE_CHANNEL_SECRET": "", "LINE_CHANNEL_ACCESS_TOKEN": "", "LINE_API_BASE_URL": "https://api.line.me"}


def _actions(s: ScaledSettings) -> dict[str, str]:
    return dict(
        ACCOUNT_API_URL=s.sandbox_url,
        ACCOUNT_API_TOKEN=s.sandbox_token,
        HANDOFF_DESK_URL=f"http://127.0.0.1:{s.ports.console}",
        CONSOLE_SERVICE_TOKEN=s.console_service_token,
        METRICS_TOKEN=s.metrics_token,
    )


def _sandbox(s: ScaledSettings) -> dict[str, str]:
    return dict(
        ACCOUNT_API_DB=str(s.sandbox_db),
        ACCOUNT_API_HOST="127.0.0.1",
        ACCOUNT_API_PORT=str(s.ports.sandbox),
        ACCOUNT_API_TOKEN=s.sandbox_token,
        ACCOUNT_API_PEPPER=s.sandbox_pepper,
        ACCOUNT_API_ENCRYPTION_KEY=s.sandbox_encryption_key,
        ACCOUNT_API_DEV_ENDPOINTS="1" if s.sandbox_dev_endpoints else "0",
    )


def _console(s: ScaledSettings, rasa_urls: list[str]) -> dict[str, str]:
    return dict(
        CONSOLE_PORT=str(s.ports.console),
        CONSOLE_HOST="127.0.0.1",
        CONSOLE_STORE_URL=s.console_store_url,
        TRACKER_STORE_URL=s.console_tracker_url,
        PGPASSFILE=str(s.pgpass_file("console")),
        CONSOLE_SERVICE_TOKEN=s.console_service_token,
        # The console reaches the Rasa servers directly (their HTTP API is not public); any of them will do.
        RASA_URL=",".join(rasa_urls),
        RASA_AUTH_TOKEN=s.rasa_api_token,
        METRICS_TOKEN=s.metrics_token,
    )


def _retention(s: ScaledSettings) -> dict[str, str]:
    """devstack/retention.py: `bot_server retention` (the tracker store as its owner, the console's store)
    and `account_api purge` (the sandbox's file)."""
    return dict(
        TRACKER_STORE_URL=s.tracker_store_url,
        CONSOLE_STORE_URL=s.console_store_url,
        PGPASSFILE=str(s.pgpass_file("retention")),
        ACCOUNT_API_DB=str(s.sandbox_db),
        RETENTION_AUDIT_LOG=str(s.state_dir / "retention-audit.log"),
    )


def process_env(
    s: ScaledSettings, part: str, rasa_urls: list[str] | None = None, caller: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment of one part: "rasa", "actions", "sandbox", "console", "retention", "redis" or "nginx"."""
    env = _base(part, os.environ if caller is None else caller)
    if part == "rasa":
        env.update(_rasa(s))
        for name, value in LINE_DEFAULTS.items():
            env.setdefault(name, value)
    elif part == "actions":
        env.update(_actions(s))
    elif part == "sandbox":
        env.update(_sandbox(s))
    elif part == "console":
        env.update(_console(s, rasa_urls or []))
    elif part == "retention":
        env.update(_retention(s))
    return env
