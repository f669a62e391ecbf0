"""Tracker stores that write conversations with one-time codes and phone numbers redacted,
and (SQL) ride out a database restart instead of silently forgetting a turn.

Referenced from endpoints.yml. The redaction happens on save, so the current turn still
sees what the customer typed (the form needs the code to check it) but nothing persists it.

Database restarts (measured in benchmarks/faults.py): stock Rasa's first queries after a
PostgreSQL restart fail on stale pooled connections, the FailSafeTrackerStore answers from
memory, and the turn is never stored. Here pooled connections are checked before use, and
reads and writes are retried on connection errors for TRACKER_STORE_RETRY_SECONDS (default
10, below Rasa's lock lifetime). A write stores "events not yet stored" in one transaction,
so a retried write stores each event once.

When the store cannot save, Rasa's FailSafeTrackerStore (rasa/core/agent.py, Rasa 3.6.21) keeps the
tracker in an InMemoryTrackerStore that is never evicted and holds it *unredacted*. `install()` (a
patch registered in bot_server/rasa_patches.py, so applied however the server starts) changes that
fallback: it keeps at most FALLBACK_MAX_TRACKERS conversations, redacted. A sender id longer than the
`sender_id` column (255, e.g. a 300-character id sent to the HTTP API) is refused with a clear
SenderIdTooLong error and kept nowhere, instead of failing the insert on PostgreSQL and falling back.
It also redacts the log records of the process (bot_server.redaction.install_log_redaction).
"""

from __future__ import annotations

import asyncio
import copy
import logging
import os
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from rasa.core.tracker_store import (
    FailSafeTrackerStore,
    InMemoryTrackerStore,
    SQLTrackerStore,
    TrackerStore,
    create_engine_kwargs,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot_server.rasa_patches import register
from bot_server.redaction import install_log_redaction, redact_events
from channels.senders import MAX_SENDER_ID_LENGTH

FALLBACK_MAX_TRACKERS = 1000

logger = logging.getLogger(__name__)
T = TypeVar("T")


class SenderIdTooLong(ValueError):
    """A conversation id the tracker store cannot hold (longer than its sender_id column)."""


def check_sender_id(sender_id: str) -> None:
    if len(sender_id) > MAX_SENDER_ID_LENGTH:
        raise SenderIdTooLong(
            f"Conversation id of {len(sender_id)} characters refused: at most {MAX_SENDER_ID_LENGTH} can be stored."
        )


def redacted_copy(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """A full tracker rebuilt from redacted events (its latest message is redacted too)."""
    events = redact_events(tracker.events)
    return DialogueStateTracker.from_events(
        tracker.sender_id,
        events,
        copy.deepcopy(list(tracker.slots.values())),
        max_event_history=tracker._max_event_history,
    )


def _is_connection_error(error: BaseException) -> bool:
    if isinstance(error, sa_exc.DBAPIError) and getattr(error, "connection_invalidated", False):
        return True
    return isinstance(error, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError))


async def _with_retries(call: Callable[[], Awaitable[T]], what: str) -> T:
    deadline = time.monotonic() + float(os.environ.get("TRACKER_STORE_RETRY_SECONDS") or 10)
    delay = 0.1
    while True:
        try:
            return await call()
        except Exception as error:  # noqa: BLE001 - only connection errors are retried
            if not _is_connection_error(error) or time.monotonic() + delay > deadline:
                raise
            logger.warning("Tracker store unreachable (%s); retrying %s in %.1f s", type(error).__name__, what, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)


def sqlite_engine(url: str | sa.engine.URL) -> sa.engine.Engine:
    """A SQLite file as the one-machine tracker store, without the waits that stock Rasa's engine has
    on every turn (measured with benchmarks/rest_latency.py, see benchmarks/README.md):
    - write-ahead log: a commit syncs the log once instead of the rollback journal and the database
      (equally durable with SQLite's default synchronous=FULL), and readers such as the console's
      transcript no longer block the bot's writes;
    - pooled connections (SQLAlchemy 2's default for SQLite files; 1.4 opens a new one per session,
      i.e. twice a turn).
    """
    engine = sa.create_engine(url, poolclass=sa.pool.QueuePool, connect_args={"check_same_thread": False})

    @sa.event.listens_for(engine, "connect")
    def _write_ahead_log(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA journal_mode=WAL")

    return engine


class RedactingSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore (SQLite by default, PostgreSQL in the scaled mode) with redaction."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        if url.get_backend_name() == "postgresql":
            # Replace stale pooled connections (after a database restart) before use.
            self.engine.dispose()
            self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
            self.sessionmaker.configure(bind=self.engine)
        elif url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            self.engine.dispose()
            self.engine = sqlite_engine(url)
            self.sessionmaker.configure(bind=self.engine)

    async def save(self, tracker: DialogueStateTracker) -> None:
        check_sender_id(tracker.sender_id)
        # The SQL store writes only `events` (those not stored yet) under `sender_id`, so a
        # shallow copy with redacted events will do; replaying the whole conversation on every
        # turn, as the in-memory store needs, would be work on the hot path.
        redacted = copy.copy(tracker)
        redacted.events = deque(redact_events(tracker.events))
        await _with_retries(lambda: SQLTrackerStore.save(self, redacted), "save")

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        return await _with_retries(
            lambda: SQLTrackerStore._retrieve(self, sender_id, fetch_events_from_all_sessions), "retrieve"
        )


class RedactingInMemoryTrackerStore(InMemoryTrackerStore):
    """Redacted and bounded (least recently saved conversations go first): `rasa shell`, tests, and the
    fallback when the real store fails."""

    def __init__(self, *args: Any, max_trackers: int = FALLBACK_MAX_TRACKERS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.store: OrderedDict[str, str] = OrderedDict()
        self.max_trackers = max_trackers

    async def save(self, tracker: DialogueStateTracker) -> None:
        check_sender_id(tracker.sender_id)
        await super().save(redacted_copy(tracker))
        self.store.move_to_end(tracker.sender_id)
        while len(self.store) > self.max_trackers:
            self.store.popitem(last=False)


_PATCHED = "_ocn_redacting_fallback"


def install() -> None:
    """Make Rasa's FailSafeTrackerStore fall back to a redacting, bounded store, and never for an id
    that is simply too long (idempotent; written against Rasa 3.6.21)."""
    install_log_redaction()  # Rasa's debug log prints every message: redact it in this process too
    if getattr(FailSafeTrackerStore, _PATCHED, False):
        return

    def fallback_tracker_store(self: FailSafeTrackerStore) -> TrackerStore:
        if not isinstance(self._fallback_tracker_store, RedactingInMemoryTrackerStore):
            primary = self._tracker_store
            self._fallback_tracker_store = RedactingInMemoryTrackerStore(primary.domain, primary.event_broker)
        return self._fallback_tracker_store

    async def save(self: FailSafeTrackerStore, tracker: DialogueStateTracker) -> None:
        try:
            await self._tracker_store.save(tracker)
        except SenderIdTooLong:
            logger.error("Tracker not stored: conversation id of %d characters.", len(tracker.sender_id))
            raise
        except Exception as error:  # noqa: BLE001 - Rasa's own behaviour: log, keep the turn in memory
            self.on_tracker_store_error(error)
            await self.fallback_tracker_store.save(tracker)

    FailSafeTrackerStore.fallback_tracker_store = property(fallback_tracker_store)  # type: ignore[assignment]
    FailSafeTrackerStore.save = save  # type: ignore[method-assign]
    setattr(FailSafeTrackerStore, _PATCHED, True)


register(
    "redacting, bounded tracker-store fallback; no fallback for over-long conversation ids",
    install,
    rasa_version="3.6.21",
    replaces={
        # fallback_tracker_store (a property) is replaced with it; save is the one that uses it
        "rasa.core.tracker_store:FailSafeTrackerStore.save": "8426dc08f58d71102f7c031ade8a26b0b1458c8bae162be7b091d288699a5e9b",
    },
)
