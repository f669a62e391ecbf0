"""A Redis lock store whose ticket operations are atomic, for several Rasa servers sharing Redis.

Rasa Open Source's `RedisLockStore` updates the ticket lock with a plain GET, modify, SET. When two
Rasa servers receive messages of one conversation at the same moment, both can read the same lock,
both append "ticket N" and both believe they are being served: the two messages are processed at once
on the same tracker, and the tracker store keeps only one of them (it saves "the events after the
stored count"). Cleanup has the same window (finish serving, then "is anyone waiting?", then DELETE),
which can delete a ticket another server has just issued, and that server then fails with LockError.
(Upstream: RasaHQ/rasa#9213 "RedisLockStore don't tread safe"; the concurrent lock store of #11256
was reverted from Open Source in #11428.) tests/lock_store/ reproduces the race deterministically.

`AtomicRedisLockStore` keeps Rasa's ticket-lock format and algorithm (FIFO by ticket position) but runs
every read-modify-write inside a Redis WATCH/MULTI transaction that retries on conflict, so tickets
are unique and strictly ordered across processes. Beyond that:

- **The lifetime bounds silence, not work.** Rasa gives a ticket `lock_lifetime` from the moment it
  is issued, so time spent waiting in the queue counts, and a turn that makes two slow account-API calls
  (~21 s each) outlives a 20 s ticket: the next message of the conversation is then served at the same
  time. Here a ticket gets a fresh lifetime when its turn comes and is kept alive (every lifetime/3)
  while its holder works or waits; only a server that stops (crash) loses it, after one lifetime.
- **Ticket numbers never restart.** They come from a per-conversation counter (`<prefix>seq:<id>`,
  seeded from the clock, kept 24 h) instead of "last ticket + 1", so after the lock's key is deleted
  (all tickets expired, Redis flushed) a stale holder's number cannot match, and remove, a newer ticket.
- **A re-issued ticket is cleaned up too.** A waiter whose ticket vanished (Redis restarted) queues
  again; whatever ends the wait (error, timeout, cancellation) removes the ticket it holds *now*.
- **No blocking I/O on the event loop**: `lock()` uses redis.asyncio. (The synchronous LockStore
  methods Rasa's base class offers are not used by Rasa 3.6 besides `lock()`, and refuse to run here.)
- The lock key has a TTL (a crashed server's lock disappears with its tickets), the turn is polled every
  10-100 ms instead of Rasa's 1 s, and connection errors are retried for up to
  LOCK_STORE_RETRY_SECONDS (default 10) before giving up.

endpoints.yml selects it through the environment, with no file change:
    LOCK_STORE_TYPE=bot_server.lock_store.AtomicRedisLockStore
    LOCK_STORE_HOST / LOCK_STORE_PORT / LOCK_STORE_DB, and LOCK_STORE_PASSWORD (read here).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import redis
import redis.asyncio as aioredis
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore

logger = logging.getLogger(__name__)

T = TypeVar("T")
KEY_TTL_MARGIN_SECONDS = 5.0
SEQUENCE_TTL_SECONDS = 24 * 3600
POLL_MIN_SECONDS = 0.01
POLL_MAX_SECONDS = 0.1
_CONNECTION_ERRORS = (redis.ConnectionError, redis.TimeoutError)
_SSL_OPTIONS = ("username", "ssl_certfile", "ssl_keyfile", "ssl_ca_certs")


@dataclass
class HeldTicket:
    """The ticket a `lock()` call holds now (it changes when a vanished ticket is re-issued)."""

    number: int | None = None
    issuing: asyncio.Future[None] | None = None  # a ticket being issued, maybe for a cancelled caller


class RedisTickets:
    """Atomic ticket operations on one Redis database (asyncio client)."""

    def __init__(self, client: aioredis.Redis, key_prefix: str) -> None:
        self.client, self.key_prefix = client, key_prefix

    def key(self, conversation_id: str) -> str:
        return self.key_prefix + conversation_id

    def sequence_key(self, conversation_id: str) -> str:
        return f"{self.key_prefix}seq:{conversation_id}"

    async def read(self, conversation_id: str) -> TicketLock | None:
        raw = await self.client.get(self.key(conversation_id))
        return TicketLock.from_dict(json.loads(raw)) if raw else None

    async def _watched_read(self, pipe: Any, key: str) -> bytes | None:
        """The read inside a transaction (tests interleave another server's write after it)."""
        return await pipe.get(key)

    async def transact(
        self, conversation_id: str, change: Callable[[TicketLock | None], tuple[T, TicketLock | None]]
    ) -> T:
        """Apply `change` to the stored lock atomically; a lock without tickets deletes the key."""
        key = self.key(conversation_id)
        async with self.client.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(key)
                    raw = await self._watched_read(pipe, key)
                    result, lock = change(TicketLock.from_dict(json.loads(raw)) if raw else None)
                    pipe.multi()
                    if lock is None or not lock.tickets:
                        pipe.delete(key)
                    else:
                        ttl = max(t.expires for t in lock.tickets) - time.time() + KEY_TTL_MARGIN_SECONDS
                        pipe.set(key, lock.dumps(), px=max(1, int(ttl * 1000)))
                    await pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another server changed the lock in between: read it again

    async def next_number(self, conversation_id: str) -> int:
        """A ticket number never issued before for this conversation (seeded from the clock)."""
        key = self.sequence_key(conversation_id)
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.set(key, int(time.time() * 1_000_000), nx=True, ex=SEQUENCE_TTL_SECONDS)
            pipe.incr(key)
            pipe.expire(key, SEQUENCE_TTL_SECONDS)
            _, number, _ = await pipe.execute()
        return int(number)

    async def issue(self, conversation_id: str, lifetime: float) -> int:
        number = await self.next_number(conversation_id)

        def change(lock: TicketLock | None) -> tuple[int, TicketLock]:
            lock = lock or TicketLock(conversation_id)
            lock.remove_expired_tickets()
            lock.tickets.append(Ticket(number, time.time() + lifetime))
            return number, lock

        return await self.transact(conversation_id, change)

    async def extend(self, conversation_id: str, number: int, lifetime: float) -> bool:
        """Give ticket `number` `lifetime` more seconds from now; False if it is gone."""

        def change(lock: TicketLock | None) -> tuple[bool, TicketLock | None]:
            ticket = lock._ticket_for_ticket_number(number) if lock else None
            if ticket:
                ticket.expires = max(ticket.expires, time.time() + lifetime)
            return ticket is not None, lock

        return await self.transact(conversation_id, change)

    async def remove(self, conversation_id: str, number: int) -> None:
        def change(lock: TicketLock | None) -> tuple[None, TicketLock | None]:
            if lock:
                lock.remove_ticket_for(number)
            return None, lock

        await self.transact(conversation_id, change)


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
            kwargs.update({k: v for k, v in extra.items() if k in (*_SSL_OPTIONS, "use_ssl")})
        password = password or os.environ.get("LOCK_STORE_PASSWORD") or None
        options = dict(host=host, port=int(port), db=int(db), password=password, socket_timeout=socket_timeout)
        super().__init__(key_prefix=key_prefix, **options, **kwargs)
        client = aioredis.Redis(
            **options,
            socket_connect_timeout=socket_timeout,
            ssl=bool(kwargs.get("use_ssl")),
            **{k: kwargs[k] for k in _SSL_OPTIONS if k in kwargs},
        )
        self.tickets = RedisTickets(client, self.key_prefix)
        self.retry_seconds = float(os.environ.get("LOCK_STORE_RETRY_SECONDS", "10"))

    # Rasa's synchronous read-modify-write methods are the racy ones; Rasa 3.6 only calls lock().
    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        raise NotImplementedError("AtomicRedisLockStore: use `async with lock(...)`")

    def save_lock(self, lock: TicketLock) -> None:
        raise NotImplementedError("AtomicRedisLockStore: use `async with lock(...)`")

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        raise NotImplementedError("AtomicRedisLockStore: use `async with lock(...)`")

    async def _retry(self, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        """Run a Redis operation, retrying connection problems (Redis restarting) for a bounded time.

        The operation runs in its own task, shielded: a cancelled caller stops waiting at once, and
        the Redis client never sees the cancellation (redis-py 4.6's read timeout can swallow a
        cancellation that arrives as a reply does, and the turn would then go on waiting)."""
        task = asyncio.ensure_future(self._attempts(fn, *args))
        task.add_done_callback(lambda t: t.cancelled() or t.exception())  # retrieved even if nobody waits
        return await asyncio.shield(task)

    async def _attempts(self, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        deadline = time.monotonic() + self.retry_seconds
        delay = 0.05
        while True:
            try:
                return await fn(*args)
            except _CONNECTION_ERRORS as error:
                if time.monotonic() > deadline:
                    raise LockError(f"Lock store unreachable: {error}") from error
                logger.warning("Lock store unreachable (%s); retrying in %.2f s", error, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)

    @asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = POLL_MIN_SECONDS
    ) -> AsyncGenerator[TicketLock, None]:
        held = HeldTicket()
        try:
            await self._issue(conversation_id, held, lock_lifetime)
            lock = await self._wait_for_turn(conversation_id, held, lock_lifetime)
            keeper = asyncio.ensure_future(self._keep_alive(conversation_id, held, lock_lifetime))
            try:
                yield lock
            finally:
                keeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await keeper
        finally:
            # Shielded: a cancelled turn still gives its ticket back (else the next one waits a lifetime).
            release = asyncio.ensure_future(self._release(conversation_id, held))
            await asyncio.shield(release)

    async def _issue(self, conversation_id: str, held: HeldTicket, lifetime: float) -> None:
        """Issue a ticket into `held`, even when the caller is cancelled meanwhile (so it is released)."""

        async def issue() -> None:
            held.number = await self._retry(self.tickets.issue, conversation_id, lifetime)

        held.issuing = asyncio.ensure_future(issue())
        await asyncio.shield(held.issuing)

    async def _release(self, conversation_id: str, held: HeldTicket) -> None:
        if held.issuing is not None:
            with contextlib.suppress(Exception):
                await held.issuing
        if held.number is None:
            return
        try:
            await self._retry(self.tickets.remove, conversation_id, held.number)
        except (LockError, redis.RedisError) as error:  # the ticket expires by itself
            logger.error("Could not release lock of '%s' (%s); it expires by itself.", conversation_id, error)

    async def _keep_alive(self, conversation_id: str, held: HeldTicket, lifetime: float) -> None:
        """While the turn runs, keep its ticket from expiring (a slow turn is not a dead server), up to
        LOCK_STORE_MAX_TURN_SECONDS (default 300): a turn stuck beyond that frees its conversation."""
        give_up = time.monotonic() + float(os.environ.get("LOCK_STORE_MAX_TURN_SECONDS") or 300)
        while time.monotonic() < give_up:
            await asyncio.sleep(lifetime / 3)
            try:
                if not await self._retry(self.tickets.extend, conversation_id, held.number, lifetime):
                    logger.warning("The ticket of '%s' vanished while its turn ran (Redis restart?).", conversation_id)
                    return
            except (LockError, redis.RedisError) as error:
                logger.warning("Could not extend the lock of '%s' (%s); retrying.", conversation_id, error)

    async def _wait_for_turn(self, conversation_id: str, held: HeldTicket, lifetime: float) -> TicketLock:
        # Tickets ahead of ours are kept alive while their holders live; bound the wait anyway.
        deadline = time.monotonic() + 3 * lifetime + 10
        delay = POLL_MIN_SECONDS
        while time.monotonic() < deadline:
            lock = await self._retry(self.tickets.read, conversation_id)
            ticket = lock._ticket_for_ticket_number(held.number) if lock and held.number is not None else None
            if lock is None or ticket is None:
                # Our ticket is gone: Redis restarted (or flushed). Queue again; `held` follows.
                logger.warning("Ticket %s of '%s' vanished; issuing a new one.", held.number, conversation_id)
                await self._issue(conversation_id, held, lifetime)
                continue
            if not lock.is_locked(held.number):
                if await self._retry(self.tickets.extend, conversation_id, held.number, lifetime):  # a full turn
                    return lock
                continue
            if ticket.expires - time.time() < lifetime / 2:  # waiting is not dying
                await self._retry(self.tickets.extend, conversation_id, held.number, lifetime)
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, POLL_MAX_SECONDS)
        raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
