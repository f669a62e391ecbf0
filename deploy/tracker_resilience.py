"""Ride out a PostgreSQL restart instead of silently forgetting conversations.

Measured (benchmarks/faults.py, postgres): with stock behaviour, the first queries after a
PostgreSQL restart fail on stale pooled connections, Rasa's FailSafeTrackerStore falls back to an
in-memory store, the customer still gets an answer, but the message is never written to PostgreSQL
and the next turn starts from an empty tracker (lost context). This module:

- adds `pool_pre_ping=True` to the engine of PostgreSQL tracker stores (stale connections are
  replaced before use), and
- retries the tracker store's reads and writes on connection errors for up to
  TRACKER_STORE_RETRY_SECONDS (default 10; below TICKET_LOCK_LIFETIME) with backoff, so a restart
  delays the turn instead of losing it. A write is one transaction of "events not yet stored", so a
  retried write stores each event once.

`install()` patches bot_server.tracker_stores.RedactingSQLTrackerStore (idempotent). The scaled
mode's Rasa entry (deploy/rasa_server.py) calls it; see deploy/README.md for moving it into
bot_server.
"""
from __future__ import annotations

import asyncio
import functools
import logging
import os
import time
from typing import Any, Callable

logger = logging.getLogger(__name__)
_MARK = "_ocn_pg_resilient"


def _retry_seconds() -> float:
    try:
        return float(os.environ.get("TRACKER_STORE_RETRY_SECONDS") or 10)
    except ValueError:
        return 10.0


def _is_connection_error(error: BaseException) -> bool:
    import sqlalchemy.exc as sa_exc

    if isinstance(error, sa_exc.DBAPIError) and getattr(error, "connection_invalidated", False):
        return True
    return isinstance(error, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError))


def _retrying(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    async def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        deadline = time.monotonic() + _retry_seconds()
        delay = 0.1
        while True:
            try:
                return await fn(self, *args, **kwargs)
            except Exception as error:  # noqa: BLE001
                if not _is_connection_error(error) or time.monotonic() + delay > deadline:
                    raise
                logger.warning("Tracker store unreachable (%s); retrying %s in %.1f s",
                               type(error).__name__, fn.__name__, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)

    setattr(wrapper, _MARK, True)
    return wrapper


def install() -> None:
    import rasa.core.tracker_store as ts

    from bot_server.tracker_stores import RedactingSQLTrackerStore

    if not getattr(ts.create_engine_kwargs, _MARK, False):
        original_kwargs = ts.create_engine_kwargs

        def create_engine_kwargs(url: Any) -> dict:
            kwargs = original_kwargs(url)
            if ts.is_postgresql_url(url):
                kwargs["pool_pre_ping"] = True
            return kwargs

        setattr(create_engine_kwargs, _MARK, True)
        ts.create_engine_kwargs = create_engine_kwargs
    for name in ("save", "_retrieve"):
        method = getattr(RedactingSQLTrackerStore, name)
        if not getattr(method, _MARK, False):
            setattr(RedactingSQLTrackerStore, name, _retrying(method))
