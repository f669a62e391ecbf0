"""One-machine defaults for every service's environment. Anything already set wins."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from devstack.api_token import checkout_token

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"


@dataclass(frozen=True)
class Ports:
    rasa: int = 5005
    actions: int = 5055
    account_api: int = 5056
    web: int = 8080
    console: int = 5057


def ports_from_env(env: Mapping[str, str]) -> Ports:
    return Ports(
        rasa=int(env.get("RASA_PORT", 5005)),
        actions=int(env.get("ACTION_PORT", 5055)),
        account_api=int(env.get("ACCOUNT_API_PORT", 5056)),
        web=int(env.get("WEB_PORT", 8080)),
        console=int(env.get("CONSOLE_PORT", 5057)),
    )


def service_env(ports: Ports, base: Mapping[str, str] | None = None, var_dir: Path = VAR) -> dict[str, str]:
    """The environment every child process gets (set values in `base` take precedence)."""
    env = dict(os.environ if base is None else base)
    defaults = {
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{ports.actions}/webhook",
        "TRACKER_STORE_URL": f"sqlite:///{var_dir / 'tracker.sqlite3'}",
        "LOCK_STORE_TYPE": "in_memory",
        "LOCK_STORE_HOST": "127.0.0.1",
        "LOCK_STORE_PORT": "6379",
        "LOCK_STORE_DB": "1",
        "ACCOUNT_API_URL": f"http://127.0.0.1:{ports.account_api}",
        "ACCOUNT_API_TOKEN": "dev-service-token",
        "ACCOUNT_API_DB": str(var_dir / "account_api.sqlite3"),
        "LINE_CHANNEL_SECRET": "",
        "LINE_CHANNEL_ACCESS_TOKEN": "",
        "LINE_API_BASE_URL": "https://api.line.me",
        # Operator console (console/) and the bot's way to it (actions/handoff_desk.py)
        "CONSOLE_PORT": str(ports.console),
        "CONSOLE_STORE_URL": f"sqlite:///{var_dir / 'console.sqlite3'}",
        "CONSOLE_SERVICE_TOKEN": "dev-console-token",
        "HANDOFF_DESK_URL": f"http://127.0.0.1:{ports.console}",
        "RASA_URL": f"http://127.0.0.1:{ports.rasa}",
        # GET /metrics on Rasa, actions and console (bot_server/metrics_endpoint.py, docs/operations.md)
        "METRICS_TOKEN": "dev-metrics-token",
        # The help page's origins: the only pages whose widget may use socket.io and get CORS answers
        # from Rasa (bot_server/http_api.py).
        "WEB_ORIGINS": f"http://127.0.0.1:{ports.web},http://localhost:{ports.web}",
        # Data lifecycle (bot_server/retention.py): RETENTION_DAYS defaults to 90 there
        "RETENTION_AUDIT_LOG": str(var_dir / "retention-audit.log"),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "SANIC_HOST": "127.0.0.1",
        "PYTHONUNBUFFERED": "1",
    }
    for key, value in defaults.items():
        if not env.get(key):
            env[key] = value
    # Rasa's HTTP API token (bot_server/api_token.py): the server's RASA_API_TOKEN, the console's
    # RASA_AUTH_TOKEN; this checkout's own unless the environment names one.
    token = env.get("RASA_API_TOKEN") or env.get("RASA_AUTH_TOKEN") or checkout_token(var_dir)
    env["RASA_API_TOKEN"] = env.get("RASA_API_TOKEN") or token
    env["RASA_AUTH_TOKEN"] = env.get("RASA_AUTH_TOKEN") or token
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env
