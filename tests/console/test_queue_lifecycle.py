"""The queue and the conversation never disagree, and the queue cannot be flooded: in-process over a
real console store (SQLite) and a tracker-store table like Rasa's, with a fake clock and a fake Rasa
API whose calls the test holds and releases (no sleeps, no timing luck)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest

from console.handoff.lifecycle import end_handoff, withdraw_unconfirmed
from console.handoff.transcript import TranscriptReader
from console.store import QueueFull, QueueLimits, Store


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture()
def store(tmp_path: Path, clock: FakeClock) -> Store:
    store = Store(
        f"sqlite:///{tmp_path / 'console.sqlite3'}",
        QueueLimits(max_waiting=4, max_waiting_per_client=2, max_waiting_unverified_per_client=2),
    )
    store.handoffs.clock = clock
    return store


def _operator(store: Store, name: str = "alice") -> int:
    store.operators.add(name, name.title(), "hash")
    return store.operators.password_hash(name)[0].id


# ---- caps --------------------------------------------------------------------------------


def test_one_client_cannot_fill_the_queue(store: Store) -> None:
    for n in range(2):
        store.handoffs.enqueue(f"web:mine-{n}", "web", None, "cr1_same")
    with pytest.raises(QueueFull) as refused:
        store.handoffs.enqueue("web:mine-2", "web", None, "cr1_same")
    assert refused.value.per_client
    # Another client still gets in; the refused conversation was not queued.
    store.handoffs.enqueue("web:other", "web", None, "cr1_other")
    assert "web:mine-2" not in {h.conversation_id for h in store.handoffs.open()}


def test_the_64s_of_one_ipv6_56_share_a_part_of_the_queue_and_others_still_get_in(tmp_path: Path) -> None:
    """Review N1: ten /64s of one /56 filled the queue (3 rows each). The /56 lies in one network (its /48,
    channels/client_ref.py) with 2 unverified rows (review 4, M2); a customer from another address gets in."""
    from channels.client_ref import client_ref

    limits = QueueLimits(max_waiting=30, max_waiting_per_client=3, max_waiting_per_group=6)
    store = Store(f"sqlite:///{tmp_path / 'console.sqlite3'}", limits)
    queued = refused = 0
    for n in range(10):
        ref = client_ref("address", f"2001:db8:4c1:77{n:02x}::{n + 1:x}")
        for k in range(3):
            try:
                store.handoffs.enqueue(f"web:flood-{n}-{k}", "web", None, ref)
                queued += 1
            except QueueFull as full:
                assert full.per_client
                refused += 1
    assert (queued, refused) == (2, 28)
    customer, position = store.handoffs.enqueue("web:customer", "web", None, client_ref("address", "192.0.2.200"))
    assert customer.status == "waiting" and position == 3


def test_the_queue_stops_at_its_overall_limit_but_a_queued_conversation_keeps_its_place(store: Store) -> None:
    first, _ = store.handoffs.enqueue("web:c0", "web", None, "cr1_0")
    for n in range(1, 4):
        store.handoffs.enqueue(f"web:c{n}", "web", None, f"cr1_{n}")
    with pytest.raises(QueueFull) as refused:
        store.handoffs.enqueue("web:c4", "web", None, "cr1_4")
    assert not refused.value.per_client
    again, position = store.handoffs.enqueue("web:c0", "web", None, "cr1_0")  # asked again: same ticket
    assert again.id == first.id and position == 1
    assert len([h for h in store.handoffs.open() if h.status == "waiting"]) == 4


def test_the_limits_hold_when_many_ask_at_once(store: Store) -> None:
    """Twelve requests at once (half from one client): never more than the limits, whatever the order."""
    import contextlib
    import threading

    start = threading.Barrier(12)

    def ask(n: int) -> None:
        start.wait()
        with contextlib.suppress(QueueFull):
            store.handoffs.enqueue(f"web:rush-{n}", "web", None, "cr1_rush" if n % 2 else f"cr1_{n}")

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    waiting = [h for h in store.handoffs.open() if h.status == "waiting"]
    assert len(waiting) == 4 and sum(h.client_ref == "cr1_rush" for h in waiting) <= 2


# ---- hand back: exactly once ---------------------------------------------------------------


class HeldRasa:
    """A Rasa API whose first resume waits until the test releases it (later ones answer at once)."""

    def __init__(self) -> None:
        self.resumed: list[tuple[str, str]] = []
        self.entered = asyncio.Event()
        self.release = asyncio.Event()

    async def resume(self, conversation_id: str, action: str) -> None:
        self.resumed.append((conversation_id, action))
        if not self.entered.is_set():
            self.entered.set()
            await self.release.wait()


def test_two_hand_back_requests_at_once_hand_back_exactly_once(store: Store) -> None:
    alice = _operator(store)
    handoff, _ = store.handoffs.enqueue("web:double-click", "web", None)
    assert store.handoffs.take(handoff.id, alice)

    async def scenario() -> list[tuple[int, dict]]:
        rasa = HeldRasa()
        first = asyncio.create_task(end_handoff(store.handoffs, rasa, handoff.id, alice, "returned"))
        await rasa.entered.wait()  # the first click is telling Rasa...
        second = await end_handoff(store.handoffs, rasa, handoff.id, alice, "returned")  # ...the second arrives
        rasa.release.set()
        results = [await first, second]
        assert rasa.resumed == [("web:double-click", "action_handoff_returned")]
        return results

    results = asyncio.run(scenario())
    assert [code for code, _ in results] == [200, 409]
    assert store.handoffs.get(handoff.id).status == "returned"


def test_a_hand_back_rasa_did_not_take_leaves_the_conversation_with_the_operator(store: Store) -> None:
    from console.handoff.rasa_api import RasaApiError

    class DownRasa:
        async def resume(self, conversation_id: str, action: str) -> None:
            raise RasaApiError("Rasa unreachable")

    alice = _operator(store)
    handoff, _ = store.handoffs.enqueue("web:rasa-down", "web", None)
    store.handoffs.take(handoff.id, alice)
    code, _ = asyncio.run(end_handoff(store.handoffs, DownRasa(), handoff.id, alice, "closed"))
    assert code == 502 and store.handoffs.get(handoff.id).status == "active"


# ---- a handoff whose conversation was never paused -------------------------------------------


def _tracker_events(path: Path, rows: list[tuple[str, str, float]]) -> None:
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY AUTOINCREMENT, sender_id VARCHAR(255), "
            "type_name VARCHAR(255), timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"
        )
        for sender, kind, at in rows:
            db.execute(
                "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, ?, ?)",
                (sender, kind, at, json.dumps({})),
            )


def test_a_handoff_whose_conversation_was_never_paused_leaves_the_queue(
    store: Store, clock: FakeClock, tmp_path: Path
) -> None:
    """action_handoff queued it but its answer never reached Rasa (timeout): the customer was told it
    failed and talks to the bot. The queue must not show that conversation as waiting for a person."""
    tracker = tmp_path / "tracker.sqlite3"
    reader = TranscriptReader(f"sqlite:///{tracker}")
    paused, _ = store.handoffs.enqueue("web:paused", "web", None)
    lost, _ = store.handoffs.enqueue("web:answer-lost", "web", None)
    carried, _ = store.handoffs.enqueue("web:session-expired", "web", None)
    _tracker_events(
        tracker,
        [
            ("web:paused", "session_started", clock.now - 10),
            ("web:paused", "pause", clock.now + 1),
            ("web:answer-lost", "session_started", clock.now - 10),
            # Paused, then a new Rasa session carried the pause over (bot_server/handoff_pause.py).
            ("web:session-expired", "pause", clock.now + 1),
            ("web:session-expired", "session_started", clock.now + 3700),
            ("web:session-expired", "pause", clock.now + 3700),
        ],
    )
    clock.now += 30
    assert withdraw_unconfirmed(store.handoffs, reader, confirm_seconds=60) == []  # the pause may be on its way
    clock.now += 31
    assert withdraw_unconfirmed(store.handoffs, reader, confirm_seconds=60) == [lost.id]
    assert {h.id: h.status for h in store.handoffs.open()} == {paused.id: "waiting", carried.id: "waiting"}
    assert store.handoffs.get(lost.id).status == "withdrawn"
