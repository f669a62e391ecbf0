"""`GET /metrics` on every server of the product (Rasa, action server, console): Prometheus's text format,
for the monitoring system only.

Who may read it: whoever presents `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time).
The servers listen on loopback (devstack, scaled mode) and nginx never routes /metrics, so in the scaled
mode only Prometheus on the same machine reaches it, and with the token; in Kubernetes the pods' ports
are reachable inside the cluster, so the token is what keeps the series to the monitoring system
(Prometheus reads it from a file: deploy/monitoring/prometheus.yml). Without METRICS_TOKEN the route
answers 404: metrics are off. The series carry no customer data: their labels are bounded sets
(channel, intent, call, outcome), never a sender id, text, account or code.

METRICS_TOKEN is read here, for the three servers (one rule, one place); devstack/config.py gives the
one-machine default and the scaled mode generates one (deploy/settings.py).
"""

from __future__ import annotations

import asyncio
import hmac
import os
from collections.abc import Awaitable, Callable

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, disable_created_metrics, generate_latest
from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json, raw

# No `_created` sample beside every counter and histogram: half the series, nothing the rules read.
disable_created_metrics()

METRICS_PATH = "/metrics"
TOKEN_VARIABLE = "METRICS_TOKEN"
_ROUTE_NAME = "ocn_metrics"


def metrics_token() -> str:
    return os.environ.get(TOKEN_VARIABLE, "").strip()


def authorized(header: str | None, token: str) -> bool:
    """A `Bearer` header carrying exactly the token; never true when no token is set."""
    if not token or not header or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header[len("Bearer ") :].strip().encode(), token.encode())


def refusal(request: Request) -> HTTPResponse | None:
    """Why this request may not read the metrics (404 off, 401 no or wrong token), or None."""
    token = metrics_token()
    if not token:
        return json({"error": "metrics_disabled", "message": f"set {TOKEN_VARIABLE} to expose metrics"}, status=404)
    if not authorized(request.headers.get("authorization"), token):
        return json({"error": "unauthorized"}, status=401, headers={"WWW-Authenticate": "Bearer"})
    return None


def add_metrics_route(
    app: Sanic, registry: CollectorRegistry = REGISTRY, refresh: Callable[[Sanic], Awaitable[None]] | None = None
) -> None:
    """Adds `GET /metrics` to a Sanic app before it starts (idempotent). `refresh` sets the gauges that
    are read at scrape time (the console's queue), after the token was checked."""
    if any(route.name.endswith(_ROUTE_NAME) for route in app.router.routes):
        return

    async def metrics(request: Request) -> HTTPResponse:
        refused = refusal(request)
        if refused is not None:
            return refused
        if refresh is not None:
            await refresh(request.app)
        # Rendering a few thousand samples takes milliseconds: not on the event loop that answers customers.
        return raw(await asyncio.to_thread(generate_latest, registry), content_type=CONTENT_TYPE_LATEST)

    app.add_route(metrics, METRICS_PATH, methods=["GET"], name=_ROUTE_NAME)
