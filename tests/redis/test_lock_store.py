"""The lock store against a real Redis: one message of a conversation at a time, across servers.

Each test reproduces one defect deterministically (events and conditions, no timing races): two
"servers" are two store objects on one Redis, like two Rasa processes.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import redis
from rasa.core.lock_store import RedisLockStore

from bot_server.lock_store import AtomicRedisLockStore, RedisTickets

LIFETIME = 1.0  # seconds; a turn below takes several lifetimes


def store(port: int) -> AtomicRedisLockStore:
    return AtomicRedisLockStore(host="127.0.0.1", port=port, db=5)


def conversation() -> str:
    return f"web:{uuid.uuid4().hex[:12]}"


async def until(condition: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


async def quick() -> None:
    await asyncio.sleep(0)


class Turns:
    """Records which turns run at the same time."""

    def __init__(self) -> None:
        self.running: set[str] = set()
        self.overlaps: list[tuple[str, ...]] = []
        self.order: list[str] = []

    async def run(self, s: AtomicRedisLockStore, cid: str, name: str, work: Callable[[], Awaitable[Any]]) -> None:
        async with s.lock(cid, lock_lifetime=LIFETIME):
            if self.running:
                self.overlaps.append((*sorted(self.running), name))
            self.running.add(name)
            self.order.append(name)
            try:
                await work()
            finally:
                self.running.discard(name)


# -- the upstream race (RasaHQ/rasa#9213), kept as the model of these tests ------------------------------


def test_stock_store_issues_one_ticket_twice_and_ours_does_not(redis_client: redis.Redis, redis_port: int) -> None:
    """Server B issues a ticket between server A's read and write of the lock."""
    cid = conversation()
    a, b = RedisLockStore(port=redis_port, db=5), RedisLockStore(port=redis_port, db=5)
    b_ticket: dict[str, int] = {}
    original = a.save_lock

    def save_lock(lock: Any) -> None:
        if not b_ticket:
            b_ticket["n"] = b.issue_ticket(cid)
        original(lock)

    a.save_lock = save_lock  # type: ignore[method-assign]
    assert a.issue_ticket(cid) == b_ticket["n"] == 0  # both "now serving": two messages at once

    async def ours() -> tuple[int, int]:
        cid2 = conversation()
        a2, b2 = store(redis_port), store(redis_port)
        read = a2.tickets._watched_read

        async def read_then_interfere(pipe: Any, key: str) -> Any:
            value = await read(pipe, key)
            if not b_ticket.get("ours"):
                b_ticket["ours"] = await b2.tickets.issue(cid2, LIFETIME)
            return value

        a2.tickets._watched_read = read_then_interfere  # type: ignore[method-assign]
        mine = await a2.tickets.issue(cid2, LIFETIME)
        lock = await a2.tickets.read(cid2)
        assert lock is not None and [t.number for t in lock.tickets] == [b_ticket["ours"], mine]
        return mine, b_ticket["ours"]

    a_ours, b_ours = asyncio.run(ours())
    assert a_ours != b_ours


# -- defect 1: the lifetime counted waiting time, and a slow turn outlived its ticket --------------------


def test_a_slow_turn_keeps_the_conversation_locked(redis_port: int, redis_client: redis.Redis) -> None:
    """A turn that makes two slow API calls (3 lifetimes here) is not joined by the next message."""

    async def scenario() -> Turns:
        cid, turns = conversation(), Turns()
        a, b = store(redis_port), store(redis_port)
        started = asyncio.Event()

        async def slow() -> None:
            started.set()
            await asyncio.sleep(3 * LIFETIME)

        first = asyncio.ensure_future(turns.run(a, cid, "slow", slow))
        await started.wait()
        await turns.run(b, cid, "next", quick)
        await first
        return turns

    turns = asyncio.run(scenario())
    assert turns.overlaps == [] and turns.order == ["slow", "next"]


def test_waiting_does_not_use_up_the_next_turns_lifetime(redis_port: int, redis_client: redis.Redis) -> None:
    """B waits 0.8 lifetime behind A, then works 0.8 lifetime: C must not join B's turn."""

    async def scenario() -> Turns:
        cid, turns = conversation(), Turns()
        a, b, c = store(redis_port), store(redis_port), store(redis_port)
        a_in, b_queued = asyncio.Event(), asyncio.Event()

        async def a_work() -> None:
            a_in.set()
            await b_queued.wait()
            await asyncio.sleep(0.8 * LIFETIME)

        async def b_work() -> None:
            await asyncio.sleep(0.8 * LIFETIME)

        first = asyncio.ensure_future(turns.run(a, cid, "a", a_work))
        await a_in.wait()
        second = asyncio.ensure_future(turns.run(b, cid, "b", b_work))
        await until(lambda: _ticket_count(redis_port, cid, 2))
        b_queued.set()
        await until(lambda: _is_running(turns, "b"))
        await turns.run(c, cid, "c", quick)
        await asyncio.gather(first, second)
        return turns

    turns = asyncio.run(scenario())
    assert turns.overlaps == [] and turns.order == ["a", "b", "c"]


async def _ticket_count(port: int, cid: str, n: int) -> bool:
    lock = await store(port).tickets.read(cid)
    return lock is not None and len(lock.tickets) >= n


async def _is_running(turns: Turns, name: str) -> bool:
    return name in turns.running


# -- defect 2: ticket numbers restarted when the lock's key was deleted ----------------------------------


def test_a_stale_holder_cannot_release_a_newer_ticket(redis_port: int, redis_client: redis.Redis) -> None:
    """A holds; the key vanishes (flush, TTL during a stall); B is served; A finishing must not free C."""

    async def scenario() -> Turns:
        cid, turns = conversation(), Turns()
        a, b, c = store(redis_port), store(redis_port), store(redis_port)
        a_in, a_may_finish, b_in, b_may_finish = (asyncio.Event() for _ in range(4))

        async def a_work() -> None:
            a_in.set()
            await a_may_finish.wait()

        async def b_work() -> None:
            b_in.set()
            await b_may_finish.wait()

        first = asyncio.ensure_future(turns.run(a, cid, "a", a_work))
        await a_in.wait()
        redis_client.delete(a.tickets.key(cid))  # A's ticket is gone, A does not know
        second = asyncio.ensure_future(turns.run(b, cid, "b", b_work))
        await b_in.wait()
        a_may_finish.set()
        await first  # A releases "its" ticket number
        third = asyncio.ensure_future(turns.run(c, cid, "c", quick))
        await until(lambda: _ticket_count(redis_port, cid, 2))
        await asyncio.sleep(0.2)  # C keeps waiting behind B (condition: still 2 tickets, C not running)
        assert "c" not in turns.running
        b_may_finish.set()
        await asyncio.gather(second, third)
        return turns

    turns = asyncio.run(scenario())
    assert ("b", "c") not in turns.overlaps and turns.order[-2:] == ["b", "c"]


def test_ticket_numbers_never_repeat_after_the_key_is_deleted(redis_port: int, redis_client: redis.Redis) -> None:
    async def scenario() -> list[int]:
        cid, tickets = conversation(), store(redis_port).tickets
        numbers = []
        for _ in range(3):
            numbers.append(await tickets.issue(cid, LIFETIME))
            await tickets.remove(cid, numbers[-1])  # the last ticket gone: the key is deleted
        redis_client.delete(tickets.sequence_key(cid))  # even the counter lost (Redis flushed)
        numbers.append(await tickets.issue(cid, LIFETIME))
        return numbers

    numbers = asyncio.run(scenario())
    assert len(set(numbers)) == 4 and numbers == sorted(numbers)


# -- defect 3: a re-issued waiting ticket was not cleaned up on error ------------------------------------


def test_a_cancelled_waiter_removes_its_reissued_ticket(redis_port: int, redis_client: redis.Redis) -> None:
    async def scenario() -> float:
        cid = conversation()
        holder, waiter, later = store(redis_port), store(redis_port), store(redis_port)
        release, held = asyncio.Event(), asyncio.Event()

        async def hold() -> None:
            async with holder.lock(cid, lock_lifetime=5.0):
                held.set()
                await release.wait()

        holding = asyncio.ensure_future(hold())
        await held.wait()

        async def wait_in_line() -> None:
            async with waiter.lock(cid, lock_lifetime=5.0):
                raise AssertionError("the waiter must not get the turn")

        waiting = asyncio.ensure_future(wait_in_line())
        await until(lambda: _ticket_count(redis_port, cid, 2))
        lock = await holder.tickets.read(cid)
        assert lock is not None
        first_wait = lock.tickets[1].number
        await holder.tickets.remove(cid, first_wait)  # the waiter's ticket vanishes: it queues again

        async def reissued() -> bool:
            lock = await holder.tickets.read(cid)
            return lock is not None and len(lock.tickets) == 2 and lock.tickets[1].number != first_wait

        await until(reissued)
        waiting.cancel()  # e.g. the request timed out
        with pytest.raises(asyncio.CancelledError):
            await waiting
        release.set()
        await holding
        started = time.monotonic()
        async with later.lock(cid, lock_lifetime=5.0):
            return time.monotonic() - started

    waited = asyncio.run(scenario())
    assert waited < 1.0  # not the 5 s lifetime of an orphaned ticket


# -- defect 4: the Redis client blocked the event loop --------------------------------------------------


def test_waiting_on_redis_does_not_block_the_event_loop(redis_port: int, redis_client: redis.Redis) -> None:
    """Redis stalls for 1 s (DEBUG SLEEP); other coroutines of the server must keep running."""

    async def scenario() -> float:
        s = store(redis_port)
        await s.tickets.client.ping()  # connected before the stall
        stall = threading.Thread(target=lambda: redis.Redis(port=redis_port).execute_command("DEBUG", "SLEEP", "1"))
        largest_gap, ticking = 0.0, True

        async def tick() -> None:
            nonlocal largest_gap
            last = time.monotonic()
            while ticking:
                await asyncio.sleep(0.01)
                now = time.monotonic()
                largest_gap, last = max(largest_gap, now - last), now

        ticker = asyncio.ensure_future(tick())
        await asyncio.sleep(0.05)
        stall.start()
        await asyncio.sleep(0.1)  # the stall has begun
        async with s.lock(conversation(), lock_lifetime=5.0):
            pass
        ticking = False
        await ticker
        stall.join()
        return largest_gap

    assert asyncio.run(scenario()) < 0.3


def test_the_lock_key_and_counter_expire(redis_port: int, redis_client: redis.Redis) -> None:
    async def scenario() -> tuple[int, int]:
        cid, tickets = conversation(), store(redis_port).tickets
        await tickets.issue(cid, LIFETIME)
        return redis_client.pttl(tickets.key(cid)), redis_client.ttl(tickets.sequence_key(cid))

    key_ttl, sequence_ttl = asyncio.run(scenario())
    assert 0 < key_ttl <= (LIFETIME + 5) * 1000 and 0 < sequence_ttl <= 24 * 3600
    assert json.loads(redis_client.get(next(iter(redis_client.keys("lock:web:*"))))).get("tickets")


def test_keys_follow_rasas_prefix() -> None:
    assert RedisTickets(None, "lock:").key("web:x") == "lock:web:x"  # type: ignore[arg-type]


def test_a_stuck_turn_frees_its_conversation_after_the_turn_limit(
    redis_port: int, redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOCK_STORE_MAX_TURN_SECONDS", "0.5")

    async def scenario() -> float:
        cid, stuck, other = conversation(), store(redis_port), store(redis_port)
        inside, release = asyncio.Event(), asyncio.Event()

        async def hang() -> None:
            async with stuck.lock(cid, lock_lifetime=0.3):
                inside.set()
                await release.wait()

        hanging = asyncio.ensure_future(hang())
        await inside.wait()
        started = time.monotonic()
        async with other.lock(cid, lock_lifetime=0.3):
            waited = time.monotonic() - started
        release.set()
        await hanging
        return waited

    assert asyncio.run(scenario()) < 3.0  # not forever


def test_a_message_handed_on_from_a_crashed_server_is_served_within_a_customers_patience(
    redis_port: int, redis_client: redis.Redis
) -> None:
    """benchmarks/faults.py (rasa): nginx hands a message a killed server held to another server, which
    waits for the dead server's ticket. With the scaled mode's lifetime it waits less than the load
    client's 20 s (with the former 20 s it waited past it, and the customer re-sent: a duplicate)."""
    from deploy.settings import ScaledSettings

    lifetime = float(ScaledSettings.__dataclass_fields__["ticket_lock_lifetime"].default)
    cid = conversation()

    async def scenario() -> float:
        crashed = store(redis_port)
        await crashed.tickets.issue(cid, lifetime)  # a server took the message, then died: nobody extends it
        started = time.monotonic()
        async with store(redis_port).lock(cid, lifetime):
            return time.monotonic() - started

    waited = asyncio.run(scenario())
    assert waited < 20 - 5  # served, with time to spare for the turn itself
