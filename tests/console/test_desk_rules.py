"""The desk's rules on the console store itself (no server), on SQLite and on PostgreSQL (the scaled
mode): status, capacity, offers, transfer, the waiting timeout and places in the queue. A clock the
test moves; a Rasa that records calls."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from console.handoff.rasa_api import RasaApiError
from console.presence import AVAILABLE, AWAY, OFF
from console.routing import Desk, route, transfer
from console.store import Operator, Store
from console.tables import handoffs, metadata
from console.waiting import WaitTimes, keep_waiting, sweep, worth_telling
from tests.support.private_postgres import private_postgres

GRACE = 20.0
DESK = Desk(capacity=2, idle_seconds=1800, grace_seconds=GRACE)
TIMES = WaitTimes(timeout_seconds=300, answer_seconds=120)


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


class FakeRasa:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.down = False

    async def execute(self, conversation_id: str, action: str) -> None:
        if self.down:
            raise RasaApiError("Rasa unreachable")
        self.calls.append(("execute", conversation_id, action))

    async def resume(self, conversation_id: str, action: str) -> None:
        if self.down:
            raise RasaApiError("Rasa unreachable")
        self.calls.append(("resume", conversation_id, action))


@pytest.fixture(scope="module")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The scaled mode's store: a private PostgreSQL (advisory locks, savepoints, CASE updates)."""
    with private_postgres(tmp_path_factory.mktemp("pg-desk")) as (s, _):
        yield f"postgresql://{s.pg_user}:{s.pg_password}@127.0.0.1:{s.ports.postgres}/{s.pg_db}"


@pytest.fixture(params=["sqlite", "postgresql"])
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Store, Clock, list[Operator]]:
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
        engine = sa.create_engine(url)
        metadata.drop_all(engine)  # a clean store for each test
        engine.dispose()
    else:
        url = f"sqlite:///{tmp_path / 'console.sqlite3'}"
    store = Store(url)
    clock = Clock()
    store.handoffs.clock = clock
    store.presence.clock = clock
    operators = []
    for name in ("alice", "bob", "carol"):
        store.operators.add(name, name.title(), "x")
        operator = store.password_hash(name)[0]
        store.sessions.create(operator)
        store.presence.signed_in(operator.id)
        operators.append(operator)
    return store, clock, operators


def available(store: Store) -> list[int]:
    return store.presence.available(DESK.idle_seconds, DESK.grace_seconds)


def test_only_operators_who_chose_available_count_and_a_closed_last_tab_ends_it(desk) -> None:
    store, clock, (alice, bob, _) = desk
    assert available(store) == []  # signed in: 離席 until they choose
    store.presence.choose(alice.id, AVAILABLE, GRACE)
    store.presence.choose(bob.id, AWAY, GRACE)
    assert available(store) == [alice.id]
    store.presence.touch(alice.id, GRACE)  # a console tab's stream is open
    clock.now += GRACE - 1
    assert store.presence.end_stale(GRACE) == 0 and available(store) == [alice.id]  # a reload is within the grace
    clock.now += 2  # the last tab has been gone for longer than the grace
    assert available(store) == []
    store.presence.touch(alice.id, GRACE)  # a tab opened again before the sweep ran: ended all the same
    assert store.presence.status(alice.id) == OFF
    store.presence.choose(alice.id, AVAILABLE, GRACE)
    clock.now += GRACE + 1
    assert store.presence.end_stale(GRACE) == 1 and store.presence.status(alice.id) == OFF
    store.presence.choose(alice.id, AVAILABLE, GRACE)  # back: the stale stream does not end it again
    assert store.presence.end_stale(GRACE) == 0 and available(store) == [alice.id]
    store.presence.signed_out(alice.id)
    assert available(store) == [] and store.presence.status(alice.id) == OFF


def test_waiting_conversations_are_offered_to_the_least_busy_available_operator_within_capacity(desk) -> None:
    store, _, (alice, bob, carol) = desk
    for operator in (alice, bob):
        store.presence.choose(operator.id, AVAILABLE, GRACE)
    held, _ = store.handoffs.enqueue("web:held", "web", None)
    assert store.handoffs.take(held.id, alice.id, DESK.capacity)  # alice holds one
    ids = [store.handoffs.enqueue(f"web:c{n}", "web", None)[0].id for n in range(4)]
    route(store.handoffs, store.presence, DESK)
    offers = [store.handoffs.get(i).offered_to for i in ids]
    # bob (0) first, then both at one... until both are full (2 each); carol is 離席 and gets nothing.
    assert offers == [bob.id, alice.id, bob.id, None]
    assert carol.id not in offers
    # Alice takes her offer: at capacity now, she cannot take another.
    assert store.handoffs.take(ids[1], alice.id, DESK.capacity)
    assert not store.handoffs.take(ids[3], alice.id, DESK.capacity)
    assert store.handoffs.get(ids[3]).status == "waiting"
    # Bob goes 離席: his offers move on (to nobody with room: alice is full).
    store.presence.choose(bob.id, AWAY, GRACE)
    route(store.handoffs, store.presence, DESK)
    assert [store.handoffs.get(i).offered_to for i in (ids[0], ids[2], ids[3])] == [None, None, None]


def test_a_transfer_moves_the_same_handoff_with_its_note_only_to_an_operator_with_room(desk) -> None:
    store, _, (alice, bob, _) = desk
    first, _ = store.handoffs.enqueue("line:U1", "line", None)
    store.handoffs.take(first.id, alice.id, DESK.capacity)
    for n in range(2):  # bob is full
        other, _ = store.handoffs.enqueue(f"web:b{n}", "web", None)
        store.handoffs.take(other.id, bob.id, DESK.capacity)
    assert not transfer(store.handoffs, first.id, alice.id, bob.id, "ID の件", DESK.capacity)
    store.handoffs.finish(other.id, bob.id, "closed")
    assert not transfer(store.handoffs, first.id, bob.id, alice.id, "not his", DESK.capacity)  # bob does not hold it
    assert transfer(store.handoffs, first.id, alice.id, bob.id, "お客さま番号は確認済みです", DESK.capacity)
    moved = store.handoffs.get(first.id)
    assert (moved.status, moved.operator_id, moved.transferred_from) == ("active", bob.id, alice.id)
    assert moved.transfer_note == "お客さま番号は確認済みです" and moved.conversation_id == "line:U1"
    assert not transfer(store.handoffs, first.id, alice.id, bob.id, "again", DESK.capacity)  # once


def run_sweeps(store: Store, rasa: FakeRasa, times: int = 1) -> None:
    async def go() -> None:
        # Two console processes sweeping at once do each thing once.
        for _ in range(times):
            await asyncio.gather(*(sweep(store.handoffs, store.presence, rasa, DESK, TIMES) for _ in range(2)))

    asyncio.run(go())


def test_after_the_waiting_timeout_the_customer_is_asked_once_then_the_row_ends_with_the_bot_back(desk) -> None:
    store, clock, _ = desk
    rasa = FakeRasa()
    handoff, _ = store.handoffs.enqueue("web:slow", "web", None)
    run_sweeps(store, rasa)
    assert rasa.calls == []
    clock.now += TIMES.timeout_seconds + 1
    run_sweeps(store, rasa)
    assert rasa.calls == [("execute", "web:slow", "action_handoff_wait_offer")]
    # 「待ちます」: the timeout counts again from now.
    assert keep_waiting(store.handoffs, "web:slow")
    clock.now += TIMES.answer_seconds + 1
    run_sweeps(store, rasa)
    assert store.handoffs.get(handoff.id).status == "waiting" and len(rasa.calls) == 1
    clock.now += TIMES.timeout_seconds
    run_sweeps(store, rasa)
    assert rasa.calls[-1] == ("execute", "web:slow", "action_handoff_wait_offer") and len(rasa.calls) == 2
    # No answer this time: Rasa down first (the row waits again), then the row ends with the bot back.
    clock.now += TIMES.answer_seconds + 1
    rasa.down = True
    run_sweeps(store, rasa)
    assert store.handoffs.get(handoff.id).status == "waiting"
    rasa.down = False
    clock.now += TIMES.answer_seconds + 1
    run_sweeps(store, rasa)
    assert rasa.calls[-1] == ("resume", "web:slow", "action_handoff_timed_out")
    ended = store.handoffs.get(handoff.id)
    assert ended.status == "timed_out" and ended.ended_at is not None
    assert store.handoffs.open() == []  # no stale row
    assert not keep_waiting(store.handoffs, "web:slow")


def test_a_row_left_expiring_by_a_stopped_console_ends_and_the_conversation_may_queue_again(desk) -> None:
    """Security review 4: a console stopped between `expiring` and `timed_out` left the row open for good,
    so that conversation could never queue again. One more answer window after the claim it ends."""
    store, clock, _ = desk
    rasa = FakeRasa()
    handoff, _ = store.handoffs.enqueue("web:crashed", "web", None)
    with store.handoffs.engine.begin() as db:  # what _end_unanswered leaves when the process stops
        db.execute(
            sa.update(handoffs)
            .where(handoffs.c.id == handoff.id)
            .values(status="expiring", wait_offer_at=clock.now - TIMES.answer_seconds - 1)
        )
    run_sweeps(store, rasa)
    assert store.handoffs.get(handoff.id).status == "expiring"  # a live process may still be resuming it
    clock.now += TIMES.answer_seconds + 1
    run_sweeps(store, rasa)
    ended = store.handoffs.get(handoff.id)
    assert ended.status == "timed_out" and ended.ended_at is not None and rasa.calls == []
    again, _ = store.handoffs.enqueue("web:crashed", "web", None)
    assert again.id != handoff.id and again.status == "waiting"


def test_choosing_the_contact_page_ends_the_row_and_a_taken_conversation_cannot_be_left(desk) -> None:
    store, _, (alice, _, _) = desk
    handoff, _ = store.handoffs.enqueue("line:Ucontact", "line", None)
    assert store.handoffs.cancel("line:Ucontact", "timed_out")
    assert store.handoffs.get(handoff.id).status == "timed_out"
    taken, _ = store.handoffs.enqueue("line:Utaken", "line", None)
    store.handoffs.take(taken.id, alice.id, DESK.capacity)
    assert not store.handoffs.cancel("line:Utaken", "timed_out")


def test_places_in_the_queue_are_told_on_the_web_at_each_change_and_on_line_only_when_it_matters(desk) -> None:
    store, clock, (alice, _, _) = desk
    rasa = FakeRasa()

    def queued(conversation_id: str):
        clock.now += 1  # one after the other
        return store.handoffs.enqueue(conversation_id, conversation_id.split(":")[0], None)[0]

    ahead = [queued(f"web:a{n}") for n in range(7)]
    assert queued("web:me").told_position == 8
    assert queued("line:Ume").told_position == 9
    run_sweeps(store, rasa)
    assert rasa.calls == []  # the places they were told when queued
    told = {"web:me": 0, "line:Ume": 0}
    for handoff in ahead:
        store.handoffs.take(handoff.id, alice.id)
        run_sweeps(store, rasa)
        for conversation in told:
            told[conversation] = rasa.calls.count(("execute", conversation, "action_handoff_position"))
    assert told["web:me"] == 7  # 7, 6, ..., 1: every change
    assert worth_telling("line", 9, 4) and not worth_telling("line", 9, 5) and worth_telling("line", 4, 1)
    assert told["line:Ume"] == 2  # 9 -> 4 (half), 4 -> 2 (half): at most about log2 pushes


def test_worth_telling_never_pushes_line_for_small_or_backward_changes() -> None:
    assert worth_telling("web", 3, 2) and not worth_telling("web", 2, 2)
    assert not worth_telling("line", 5, 4) and worth_telling("line", 2, 1) and not worth_telling("line", 1, 2)


def test_takes_at_once_never_go_over_capacity(desk) -> None:
    """One operator (two tabs, a double click) taking several conversations at the same moment."""
    import threading

    store, clock, (alice, _, _) = desk
    ids = []
    for n in range(6):
        clock.now += 1
        ids.append(store.handoffs.enqueue(f"web:rush{n}", "web", None)[0].id)
    start = threading.Barrier(len(ids))
    results: list[bool] = []

    def take(handoff_id: str) -> None:
        start.wait()
        results.append(store.handoffs.take(handoff_id, alice.id, DESK.capacity))

    threads = [threading.Thread(target=take, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [False] * 4 + [True] * 2
    assert sum(h.status == "active" for h in store.handoffs.open()) == DESK.capacity
