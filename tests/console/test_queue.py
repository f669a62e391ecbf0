"""The queue: only with an operator signed in; one handoff per conversation; one operator per take."""

from __future__ import annotations

import threading
import uuid

from console_support import SERVICE_TOKEN, Operator, add_operator, enqueue, start_console


def _take(start: threading.Barrier, results: dict, name: str, operator: Operator, handoff_id: str) -> None:
    start.wait()  # both requests leave together
    results[name] = operator.post(f"/handoffs/{handoff_id}/take").status_code


def test_two_operators_taking_the_same_conversation_at_once_exactly_one_gets_it(console) -> None:
    alice, bob = Operator(console.url, "alice"), Operator(console.url, "bob")
    for _ in range(10):
        handoff_id = enqueue(console.url, f"web:{uuid.uuid4().hex}").json()["handoff_id"]
        start = threading.Barrier(2)
        results: dict[str, int] = {}

        threads = [
            threading.Thread(target=_take, args=(start, results, name, operator, handoff_id))
            for name, operator in (("alice", alice), ("bob", bob))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(results.values()) == [200, 409], results
        row = next(r for r in alice.queue() if r["id"] == handoff_id)
        assert row["status"] == "active" and row["operator"] in ("Alice", "Bob")


def test_a_conversation_is_queued_once_and_positions_count_up(console) -> None:
    Operator(console.url, "alice")
    first = enqueue(console.url, f"line:{uuid.uuid4().hex}", "line", "OCN IDの確認").json()
    assert enqueue(console.url, "", "web").status_code == 400
    assert enqueue(console.url, "web:x", "fax").status_code == 400
    second_id = f"web:{uuid.uuid4().hex}"
    second = enqueue(console.url, second_id).json()
    assert enqueue(console.url, second_id).json()["handoff_id"] == second["handoff_id"]
    assert second["position"] > first["position"]


def test_only_the_operator_holding_a_conversation_can_write_or_end_it(console) -> None:
    alice, bob = Operator(console.url, "alice"), Operator(console.url, "bob")
    handoff_id = enqueue(console.url, f"web:{uuid.uuid4().hex}").json()["handoff_id"]
    assert alice.post(f"/handoffs/{handoff_id}/messages", {"text": "こんにちは"}).status_code == 409  # not taken
    assert alice.post(f"/handoffs/{handoff_id}/take").status_code == 200
    assert bob.post(f"/handoffs/{handoff_id}/messages", {"text": "横から"}).status_code == 409
    assert bob.post(f"/handoffs/{handoff_id}/handback", {"outcome": "resolved"}).status_code == 409
    assert bob.post(f"/handoffs/{handoff_id}/close", {"outcome": "resolved"}).status_code == 409


def test_nothing_is_queued_while_no_operator_is_signed_in(tmp_path) -> None:
    stack, url, env = start_console(tmp_path)
    try:
        add_operator(env, "carol")
        refused = enqueue(url, "web:nobody-there")
        assert refused.status_code == 503 and refused.json()["error"] == "no_operator"
        carol = Operator(url, "carol")
        assert carol.queue() == []
        assert enqueue(url, "web:now-someone").status_code == 201
        carol.post("/signout")
        assert enqueue(url, "web:gone-again").status_code == 503
    finally:
        stack.stop()


def test_a_line_group_or_room_is_never_queued(console) -> None:
    Operator(console.url, "alice")
    for sender in ("line:group:C0123456789abcdef", "line:room:R0123456789abcdef"):
        refused = enqueue(console.url, sender, channel="line")
        assert refused.status_code == 403 and refused.json()["error"] == "shared_chat"


def test_the_queue_has_limits_per_client_and_overall_and_the_bot_hears_which(tmp_path) -> None:
    """50 /request_human from one client used to queue 50 conversations; now the client gets its share
    (CONSOLE_QUEUE_MAX_WAITING_PER_CLIENT) and the queue its size (CONSOLE_QUEUE_MAX_WAITING). The
    action server's desk client (actions/handoff_desk.py) turns the answers into QueueFull."""
    import asyncio

    import pytest

    from actions.handoff_desk import ConsoleDesk, QueueFull
    from actions.settings import load_handoff_settings

    stack, url, env = start_console(
        tmp_path,
        CONSOLE_QUEUE_MAX_WAITING="3",
        CONSOLE_QUEUE_MAX_WAITING_PER_CLIENT="2",
        CONSOLE_QUEUE_MAX_WAITING_UNVERIFIED_PER_CLIENT="2",  # 1 by default: test_queue_admission.py
        CONSOLE_QUEUE_RESERVED_FOR_PRIORITY="0",  # the reserved places: test_queue_admission.py
    )
    try:
        add_operator(env, "dana")
        Operator(url, "dana")
        desk = ConsoleDesk(load_handoff_settings({"HANDOFF_DESK_URL": url, "CONSOLE_SERVICE_TOKEN": SERVICE_TOKEN}))

        def ask(conversation_id: str, client: str) -> object:
            return asyncio.run(desk.enqueue(conversation_id, "web", None, client))

        for n in range(2):
            assert ask(f"web:flood-{n}", "cr1_flood").position == n + 1
        with pytest.raises(QueueFull) as refused:
            ask("web:flood-2", "cr1_flood")
        assert refused.value.per_client
        assert ask("web:flood-0", "cr1_flood").position == 1  # already queued: its ticket again
        assert ask("web:someone", "cr1_someone").position == 3
        with pytest.raises(QueueFull) as refused:
            ask("web:one-too-many", "cr1_late")
        assert not refused.value.per_client
        assert enqueue(url, "web:x", client_ref=123).status_code == 400  # type: ignore[arg-type]
    finally:
        stack.stop()
