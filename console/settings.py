"""Every environment variable the console reads, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bot_server.forwarded import Network, networks

ROOT = Path(__file__).resolve().parent.parent
DEV_SERVICE_TOKEN = "dev-console-token"  # development default; refused off loopback
# Forms and JSON posts are a few kB; Sanic refuses anything larger with 413, chunked or not.
DEFAULT_MAX_BODY_BYTES = 64 * 1024


def _env(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


@dataclass(frozen=True)
class ConsoleSettings:
    host: str
    port: int
    # SQLAlchemy URL of the console's own store (operators, sessions, handoff queue):
    # SQLite under var/ by default, PostgreSQL in the scaled mode (same style as TRACKER_STORE_URL).
    store_url: str
    tracker_store_url: str  # read-only: transcripts come from the (redacted) tracker store
    rasa_url: str  # Rasa HTTP API: operator messages, pause/resume
    rasa_token: str
    service_token: str  # what the action server presents (actions/handoff_desk.py)
    session_idle_seconds: int
    session_max_seconds: int
    http_timeout: float
    queue_max_waiting: int  # conversations waiting for a person at once, overall ...
    queue_max_waiting_per_client: int  # ... and from one client (channels/client_ref.py)
    queue_max_waiting_per_group: int  # ... and from one client group (an IPv6 /56)
    queue_max_waiting_unverified_per_client: int  # an unverified web/REST conversation: 1 row per client ...
    queue_max_waiting_unverified_per_network: int  # ... 4 per IPv4 /24 or IPv6 /48 (console/README.md) ...
    queue_max_waiting_unverified_per_group: int  # ... and 2 per IPv6 /56
    queue_max_waiting_per_account: int  # a verified conversation: its account waits once
    queue_reserved_for_priority: int  # the last places: LINE users, verified conversations (queue_admission.py)
    # A waiting handoff whose conversation is still not paused this long after it was queued was
    # never handed over (action_handoff's answer was lost): it leaves the queue (handoff/reconcile.py).
    handoff_confirm_seconds: float
    # Reverse proxies whose X-Forwarded-For is believed (sign-in throttle); none by default: the console
    # is reached directly on loopback, where anyone could write the header.
    trusted_proxies: tuple[Network, ...] = ()
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    # The desk's flow (console/presence.py, routing.py, waiting.py; README "For support operators"):
    # conversations one operator holds at once; how long a customer waits before being asked whether
    # to keep waiting, and how long for their answer; how long after an operator's last console
    # stream (tab) closed their status 受付中／離席 ends.
    max_conversations_per_operator: int = 3
    wait_timeout_seconds: float = 300.0
    wait_answer_seconds: float = 120.0
    presence_grace_seconds: float = 20.0

    @property
    def secure_cookies(self) -> bool:
        return self.host not in ("127.0.0.1", "localhost", "::1")


def load_settings() -> ConsoleSettings:
    var = ROOT / "var"
    return ConsoleSettings(
        host=_env("CONSOLE_HOST", "127.0.0.1"),
        port=int(_env("CONSOLE_PORT", "5057")),
        store_url=_env("CONSOLE_STORE_URL", f"sqlite:///{var / 'console.sqlite3'}"),
        tracker_store_url=_env("TRACKER_STORE_URL", f"sqlite:///{var / 'tracker.sqlite3'}"),
        rasa_url=_env("RASA_URL", f"http://127.0.0.1:{_env('RASA_PORT', '5005')}").rstrip("/"),
        rasa_token=_env("RASA_AUTH_TOKEN", ""),
        service_token=_env("CONSOLE_SERVICE_TOKEN", DEV_SERVICE_TOKEN),
        session_idle_seconds=int(_env("CONSOLE_SESSION_IDLE_SECONDS", str(30 * 60))),
        session_max_seconds=int(_env("CONSOLE_SESSION_MAX_SECONDS", str(12 * 3600))),
        http_timeout=float(_env("CONSOLE_HTTP_TIMEOUT", "5")),
        trusted_proxies=networks(_env("CONSOLE_TRUSTED_PROXIES", "")),
        max_body_bytes=int(_env("CONSOLE_MAX_BODY_BYTES", str(DEFAULT_MAX_BODY_BYTES))),
        queue_max_waiting=int(_env("CONSOLE_QUEUE_MAX_WAITING", "30")),
        queue_max_waiting_per_client=int(_env("CONSOLE_QUEUE_MAX_WAITING_PER_CLIENT", "3")),
        queue_max_waiting_per_group=int(_env("CONSOLE_QUEUE_MAX_WAITING_PER_GROUP", "6")),
        queue_max_waiting_unverified_per_client=int(_env("CONSOLE_QUEUE_MAX_WAITING_UNVERIFIED_PER_CLIENT", "1")),
        queue_max_waiting_unverified_per_network=int(_env("CONSOLE_QUEUE_MAX_WAITING_UNVERIFIED_PER_NETWORK", "4")),
        queue_max_waiting_unverified_per_group=int(_env("CONSOLE_QUEUE_MAX_WAITING_UNVERIFIED_PER_GROUP", "2")),
        queue_max_waiting_per_account=int(_env("CONSOLE_QUEUE_MAX_WAITING_PER_ACCOUNT", "1")),
        queue_reserved_for_priority=int(_env("CONSOLE_QUEUE_RESERVED_FOR_PRIORITY", "10")),
        handoff_confirm_seconds=float(_env("CONSOLE_HANDOFF_CONFIRM_SECONDS", "60")),
        max_conversations_per_operator=int(_env("CONSOLE_MAX_CONVERSATIONS_PER_OPERATOR", "3")),
        wait_timeout_seconds=float(_env("CONSOLE_WAIT_TIMEOUT_SECONDS", "300")),
        wait_answer_seconds=float(_env("CONSOLE_WAIT_ANSWER_SECONDS", "120")),
        presence_grace_seconds=float(_env("CONSOLE_PRESENCE_GRACE_SECONDS", "20")),
    )
