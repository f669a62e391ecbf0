"""A Redis lock store whose ticket operations are atomic, for several Rasa servers sharing Redis.

Rasa Open Source's `RedisLockStore` updates the ticket lock with a plain GET, modify, SET. When two
Rasa servers receive messages of one conversation at the same moment, both can read the same lock,
both append "ticket N" and both believe they are being served: the two messages are processed at once
on the same tracker, and the tracker store keeps only one of them (it saves "the events after the
stored count"). Cleanup has the same window (finish serving, then "is anyone waiting?", then DELETE),
which can delete a ticket another server has just issued, and that server then fails with LockError.
(Upstream: RasaHQ/rasa#9213 "RedisLockStore don't tread safe"; the concurrent lock store of #11256
was reverted from Open Source in #11428.)

`AtomicRedisLockStore` keeps Rasa's ticket-lock format and algorithm (FIFO by ticket number) but runs
every read-modify-write inside a Redis WATCH/MULTI transaction that retries on conflict, so tickets
are unique and strictly ordered across processes. It also:
- gives the lock key a TTL (a crashed server's lock disappears with its tickets),
- polls for its turn every 10-100 ms instead of Rasa's 1 s,
- survives a Redis restart: a vanished ticket is re-issued instead of failing the message, and
  connection errors are retried for up to LOCK_STORE_RETRY_SECONDS (default 10) before giving up.

endpoints.yml selects it through the environment, with no file change:
    LOCK_STORE_TYPE=bot_server.lock_store.AtomicRedisLockStore
    LOCK_STORE_HOST / LOCK_STORE_PORT / LOCK_STORE_DB, and LOCK_STORE_PASSWORD (read here).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore

logger = logging.getLogger(__name__)

T = TypeVar("T")
KEY_TTL_MARGIN_SECONDS = 5.0
POLL_MIN_SECONDS = 0.01
POLL_MAX_SECONDS = 0.1


class AtomicRedisLockStore(RedisLockStore):
    def __init__(
        self,
        endpoint_config: Any = None,
        host: str = "localhost",
        port: int = 6379,
        db: int = 1,
        password: str | None = None,
        key_prefix: str | None = None,
        socket_timeout: float = 2.0,
        **kwargs: Any,
    ) -> None:
        if endpoint_config is not None:
            host = endpoint_config.url or host
            extra = dict(endpoint_config.kwargs)
            port = extra.pop("port", None) or port
            db = extra.pop("db", None) if extra.get("db") not in (None, "") else db
            password = extra.pop("password", None) or password
            key_prefix = extra.pop("key_prefix", None) or key_prefix
            kwargs.update(
                {
                    k: v
                    for k, v in extra.items()
                    if k in ("username", "use_ssl", "ssl_certfile", "ssl_keyfile", "ssl_ca_certs")
                }
            )
        password = password or os.environ.get("LOCK_STORE_PASSWORD") or None
        super().__init__(
            host=host,
            port=int(port),
            db=int(db),
            password=password,
            key_prefix=key_prefix,
            socket_timeout=socket_timeout,
            **kwargs,
        )
        self.retry_seconds = float(os.environ.get("LOCK_STORE_RETRY_SECONDS", "10"))

    # -- atomic read-modify-write ------------------------------------------------------------------

    def _transact(self, conversation_id: str, change: Callable[[TicketLock | None], tuple[T, TicketLock | None]]) -> T:
        """Apply `change` to the stored lock atomically. `change` returns (result, lock to store); a
        lock without tickets (or None) deletes the key."""
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                    result, new_lock = change(lock)
                    pipe.multi()
                    if new_lock is None or not new_lock.tickets:
                        pipe.delete(key)
                    else:
                        ttl = max(t.expires for t in new_lock.tickets) - time.time() + KEY_TTL_MARGIN_SECONDS
                        pipe.set(key, new_lock.dumps(), px=max(1, int(ttl * 1000)))
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another server changed the lock in between: read it again

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def change(lock: TicketLock | None) -> tuple[int, TicketLock]:
            lock = lock or self.create_lock(conversation_id)
            return lock.issue_ticket(lock_lifetime), lock

        try:
            return self._transact(conversation_id, change)
        except redis.RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def change(lock: TicketLock | None) -> tuple[None, TicketLock | None]:
            if lock:
                lock.remove_ticket_for(ticket_number)
            return None, lock

        self._transact(conversation_id, change)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # finish serving and "delete if nobody waits" in one transaction
        self.finish_serving(conversation_id, ticket_number)

    def update_lock(self, conversation_id: str) -> None:
        def change(lock: TicketLock | None) -> tuple[None, TicketLock | None]:
            if lock:
                lock.remove_expired_tickets()
            return None, lock

        self._transact(conversation_id, change)

    def save_lock(self, lock: TicketLock) -> None:
        self._transact(lock.conversation_id, lambda _old: (None, lock))

    # -- waiting for one's turn --------------------------------------------------------------------

    async def _retry(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a Redis call, retrying connection problems (Redis restarting) for a bounded time."""
        deadline = time.monotonic() + self.retry_seconds
        delay = 0.05
        while True:
            try:
                return fn(*args)
            except (redis.ConnectionError, redis.TimeoutError, LockError) as error:
                cause = error.__cause__ if isinstance(error, LockError) else error
                if not isinstance(cause, (redis.ConnectionError, redis.TimeoutError)) or time.monotonic() > deadline:
                    raise
                logger.warning("Lock store unreachable (%s); retrying in %.2f s", cause, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)

    @asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = POLL_MIN_SECONDS
    ) -> AsyncGenerator[TicketLock, None]:
        ticket = await self._retry(self.issue_ticket, conversation_id, lock_lifetime)
        try:
            lock, ticket = await self._wait_for_turn(conversation_id, ticket, lock_lifetime)
            yield lock
        finally:
            try:
                await self._retry(self.cleanup, conversation_id, ticket)
            except redis.RedisError as error:  # the ticket expires by itself
                logger.error("Could not release lock of '%s' (%s); it expires by itself.", conversation_id, error)

    async def _wait_for_turn(self, conversation_id: str, ticket: int, lock_lifetime: float) -> tuple[TicketLock, int]:
        # Tickets ahead of ours expire after lock_lifetime at the latest; bound the wait anyway.
        deadline = time.monotonic() + 3 * lock_lifetime + 10
        delay = POLL_MIN_SECONDS
        while time.monotonic() < deadline:
            lock = await self._retry(self.get_lock, conversation_id)
            if lock is None or lock._ticket_for_ticket_number(ticket) is None:
                # Our ticket is gone: Redis restarted (or flushed) or it expired. Queue again.
                logger.warning("Ticket %s of '%s' vanished; issuing a new one.", ticket, conversation_id)
                ticket = await self._retry(self.issue_ticket, conversation_id, lock_lifetime)
                continue
            if not lock.is_locked(ticket):
                return lock, ticket
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, POLL_MAX_SECONDS)
        raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
