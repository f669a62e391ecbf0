"""The console's Prometheus metrics: the handoff queue as the console store has it, read when Prometheus
scrapes (`GET /metrics`, bearer token: bot_server/metrics_endpoint.py). Every console of a scaled
deployment reads the same queue (PostgreSQL), so take `max` over them, not `sum`.

| series | labels | what |
|---|---|---|
| `ocn_console_handoffs` (gauge) | state | open handoffs: `waiting` (queued, nobody took it yet) and `active` (an operator has it): the conversations paused for a person |
| `ocn_console_queue_longest_wait_seconds` (gauge) | — | how long the longest-waiting conversation has waited (0 when nobody waits) |
| `ocn_console_operators_available` (gauge) | — | operators signed in and active within the session idle limit (what the bot asks before it queues) |
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from prometheus_client import Gauge
from sanic import Blueprint, Sanic

from bot_server.metrics_endpoint import add_metrics_route
from console.handoff_queue import Handoff
from console.store import Store

blueprint = Blueprint("console_metrics")
NAV: list = []
STATES = ("waiting", "active")

HANDOFFS = Gauge("ocn_console_handoffs", "Open handoffs by state", ["state"])
LONGEST_WAIT = Gauge("ocn_console_queue_longest_wait_seconds", "Longest wait of a queued conversation")
OPERATORS = Gauge("ocn_console_operators_available", "Operators signed in and active")


@dataclass(frozen=True)
class QueueSnapshot:
    waiting: int
    active: int
    longest_wait: float
    operators: int


def snapshot(open_handoffs: list[Handoff], operators: int, now: float) -> QueueSnapshot:
    waiting = [h for h in open_handoffs if h.status == "waiting"]
    longest = max((now - h.created_at for h in waiting), default=0.0)
    active = sum(1 for h in open_handoffs if h.status == "active")
    return QueueSnapshot(len(waiting), active, max(0.0, longest), operators)


def _read(store: Store, idle_seconds: int) -> QueueSnapshot:
    return snapshot(store.handoffs.open(), store.sessions.operators_signed_in(idle_seconds), time.time())


async def refresh(app: Sanic) -> None:
    found = await asyncio.to_thread(_read, app.ctx.store, app.ctx.settings.session_idle_seconds)
    HANDOFFS.labels("waiting").set(found.waiting)
    HANDOFFS.labels("active").set(found.active)
    LONGEST_WAIT.set(found.longest_wait)
    OPERATORS.set(found.operators)


def setup(app: Sanic) -> None:
    add_metrics_route(app, refresh=refresh)
