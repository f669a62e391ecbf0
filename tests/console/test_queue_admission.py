"""Security review 3: many cheap addresses cannot fill the handoff queue for everyone. The last places are
kept for conversations that are hard to mass-produce: LINE users and conversations that verified themselves
(console/queue_admission.py)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from channels.client_ref import client_ref
from console.handoff_queue import HandoffQueue, QueueFull, QueueLimits
from console.tables import handoffs

# What it now takes to fill the 20 unreserved places: 5 networks (an unverified web/REST row: 1 per client,
# 2 per IPv6 /56, 4 per IPv4 /24 or IPv6 /48; security reviews 4 M2, 5 N1).
FLOODS = {
    "5 IPv4 /24s x 6 addresses x 3": [
        client_ref("address", f"198.51.{net}.{n + 1}") for net in range(5) for n in range(6) for _ in range(3)
    ],
    "5 IPv6 /48s x 4 /56s x 6": [
        client_ref("address", f"2001:db8:{net:x}:{g:x}{n:02x}::1")
        for net in range(5)
        for g in range(4)
        for n in range(6)
    ],
}
# Security review 4, M2: these filled the 20 unreserved places and shut out every unverified web customer.
REVIEW4_FLOODS = {
    "7 IPv4 addresses x 3": [client_ref("address", f"198.51.100.{n + 1}") for n in range(7) for _ in range(3)],
    "4 /56s of one /48 x 6": [client_ref("address", f"2001:db8:0:{g:x}{n:02x}::1") for g in range(4) for n in range(6)],
}


def new_queue() -> HandoffQueue:
    engine = sa.create_engine("sqlite://")
    handoffs.metadata.create_all(engine)
    return HandoffQueue(
        engine, QueueLimits(max_waiting=30, max_waiting_per_client=3, max_waiting_per_group=6, reserved_for_priority=10)
    )


@pytest.mark.parametrize("refs", list(FLOODS.values()), ids=list(FLOODS))
def test_a_flood_from_many_addresses_leaves_room_for_line_and_verified_customers(refs: list[str | None]) -> None:
    queue = new_queue()
    queued = 0
    for n, ref in enumerate(refs):
        try:
            queue.enqueue(f"web:flood{n}", "web", None, ref)
            queued += 1
        except QueueFull:
            pass
    assert queued == 20  # the web rows stop short of the reserved places
    with pytest.raises(QueueFull):  # another unverified web conversation is told the queue is full
        queue.enqueue("web:next", "web", None, client_ref("address", "203.0.113.9"))

    line, _ = queue.enqueue("line:U1234", "line", None, client_ref("line-user", "U1234"))
    verified, position = queue.enqueue("web:verified", "web", None, client_ref("address", "203.0.113.10"), True)
    assert line.status == verified.status == "waiting" and position == 22


@pytest.mark.parametrize("refs", list(REVIEW4_FLOODS.values()), ids=list(REVIEW4_FLOODS))
def test_a_flood_from_one_network_leaves_room_for_an_unverified_web_customer(refs: list[str | None]) -> None:
    queue = new_queue()
    queued = 0
    for n, ref in enumerate(refs):
        try:
            queue.enqueue(f"web:flood{n}", "web", None, ref)
            queued += 1
        except QueueFull:
            pass
    assert queued == 4  # one /24 or one /48: 4 unverified rows
    customer, position = queue.enqueue("web:customer", "web", None, client_ref("address", "203.0.113.9"))
    rest, _ = queue.enqueue("rest:customer", "rest", None, client_ref("address", "2001:db8:99::1"))
    assert customer.status == rest.status == "waiting" and position == 5
    with pytest.raises(QueueFull):  # an unverified client needs one row, not two
        queue.enqueue("web:customer-again", "web", None, client_ref("address", "203.0.113.9"))
    verified, _ = queue.enqueue("web:verified", "web", None, client_ref("address", "203.0.113.9"), True)
    assert verified.status == "waiting"  # a verified conversation keeps the wider per-client cap


def test_one_line_in_a_carriers_shared_48_leaves_the_queue_to_the_other_subscribers() -> None:
    """Security review 5, N1: a mobile carrier or an IPoE provider puts many subscribers in one /48; with 2
    unverified rows per /48, a stranger's two /64s closed the queue to all of them. One line (a /56, its
    /64s as often as the stranger reconnects) now holds 2 of the /48's 4, and its neighbours get in."""
    queue = new_queue()
    queued = 0
    for n in range(20):  # the stranger's line, reconnecting: a new /64 of its /56 each time
        try:
            queue.enqueue(f"web:stranger{n}", "web", None, client_ref("address", f"2400:db8:4c1:77{n:02x}::1"))
            queued += 1
        except QueueFull:
            pass
    assert queued == 2
    for n, address in enumerate(("2400:db8:4c1:1200::5", "2400:db8:4c1:9a00::7")):  # two subscribers beside it
        row, position = queue.enqueue(f"web:neighbour{n}", "web", None, client_ref("address", address))
        assert row.status == "waiting" and position == 3 + n


def test_the_reserved_places_fill_up_too() -> None:
    queue = new_queue()
    for n in range(30):
        queue.enqueue(f"line:U{n}", "line", None, client_ref("line-user", f"U{n}"))
    with pytest.raises(QueueFull):
        queue.enqueue("line:U-late", "line", None, client_ref("line-user", "U-late"))


def test_one_verified_account_waits_once_and_cannot_fill_the_reserved_places() -> None:
    """Security review 5 (low): a customer with a real account, verifying it from ten addresses (a code to
    their own phone each time), filled all 30 places with verified rows. An account now waits once."""
    queue = new_queue()
    mine = "c" * 32
    row, _ = queue.enqueue("web:v0", "web", None, client_ref("address", "203.0.113.1"), True, mine)
    assert row.status == "waiting"
    for n in range(1, 10):
        with pytest.raises(QueueFull):
            queue.enqueue(f"web:v{n}", "web", None, client_ref("address", f"203.0.113.{n + 1}"), True, mine)
    other, position = queue.enqueue("web:o", "web", None, client_ref("address", "198.51.100.5"), True, "d" * 32)
    assert other.status == "waiting" and position == 2
    queue.cancel("web:v0")
    again, _ = queue.enqueue("web:v1", "web", None, client_ref("address", "203.0.113.2"), True, mine)
    assert again.status == "waiting"  # once the first row left the queue, the account may wait again


def test_the_desk_api_keeps_the_reserved_place_for_a_verified_conversation(tmp_path) -> None:  # noqa: ANN001
    """End to end through the action server's desk client and the console's desk API."""
    import asyncio

    from console_support import SERVICE_TOKEN, Operator, add_operator, start_console

    from actions.handoff_desk import ConsoleDesk, DeskUnavailable
    from actions.handoff_desk import QueueFull as DeskQueueFull
    from actions.settings import load_handoff_settings

    stack, url, env = start_console(tmp_path, CONSOLE_QUEUE_MAX_WAITING="3", CONSOLE_QUEUE_RESERVED_FOR_PRIORITY="1")
    try:
        add_operator(env, "dana")
        Operator(url, "dana")
        desk = ConsoleDesk(load_handoff_settings({"HANDOFF_DESK_URL": url, "CONSOLE_SERVICE_TOKEN": SERVICE_TOKEN}))

        def ask(conversation_id: str, verified: bool = False, account: str | None = None) -> object:
            ref = client_ref("address", f"192.0.2.{len(conversation_id)}{conversation_id[-1:].encode()[0] % 9}")
            return asyncio.run(desk.enqueue(conversation_id, "web", None, ref, verified, verified_account=account))

        assert ask("web:a1").position == 1
        assert ask("web:bb2", verified=True, account="a" * 32).position == 2
        with pytest.raises(DeskQueueFull):
            ask("web:ccc3")
        with pytest.raises(DeskQueueFull):  # the same account, verified in another conversation, waits already
            ask("web:eeeee5", verified=True, account="a" * 32)
        with pytest.raises(DeskUnavailable):  # not a key the action server makes: refused as a bad request
            ask("web:ffffff6", verified=True, account="N123456789")
        assert ask("web:dddd4", verified=True, account="b" * 32).position == 3
    finally:
        stack.stop()
