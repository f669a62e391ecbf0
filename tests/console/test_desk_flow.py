"""The desk's flow over HTTP, on a console process of its own (no Rasa behind it): the status decides
availability, a closed last tab ends it, capacity holds, a transfer carries its note, the queue is
pushed over server-sent events, and the bot's waiting calls."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator

import pytest
import requests
from console_support import SERVICE_TOKEN, Operator, add_operator, enqueue, start_console

BOT = {"Authorization": f"Bearer {SERVICE_TOKEN}"}


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict]]:
    stack, url, env = start_console(
        tmp_path_factory.mktemp("desk"), CONSOLE_MAX_CONVERSATIONS_PER_OPERATOR="1", CONSOLE_PRESENCE_GRACE_SECONDS="2"
    )
    for name in ("erin", "frank", "gina"):
        add_operator(env, name)
    yield url, env
    stack.stop()


def available(url: str) -> int:
    return requests.get(f"{url}/desk/v1/availability", headers=BOT, timeout=10).json()["operators_available"]


def until(condition, seconds: float, what: str) -> None:
    """Awaits a condition the console reaches by itself (its sweep), within a deadline."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(what)
        time.sleep(0.1)


class QueueStream:
    """The queue page's stream, read event by event."""

    def __init__(self, operator: Operator) -> None:
        self.response = operator.http.get(f"{operator.base_url}/queue/stream", stream=True, timeout=(10, 10))
        self.response.raise_for_status()
        self.lines = self.response.iter_lines(chunk_size=None, decode_unicode=True)

    def next_state(self) -> dict:
        for line in self.lines:
            if line.startswith("data: "):
                return json.loads(line[len("data: ") :])
        raise AssertionError("the queue stream ended")

    def close(self) -> None:
        self.response.close()


def test_only_operators_who_chose_available_make_the_desk_available(desk) -> None:
    url, _ = desk
    erin = Operator(url, "erin", status=None)
    assert erin.signed_in and available(url) == 0  # signed in: 離席 until chosen
    assert enqueue(url, "web:nobody").json()["error"] == "no_operator"
    assert "受付中" in erin.get("/queue", headers={"Accept": "text/html"}).text  # the header's choice
    erin.choose("available")
    assert available(url) == 1
    erin.choose("away")
    assert available(url) == 0
    assert erin.post("/presence", {"status": "asleep"}).status_code == 400
    erin.choose("available")
    erin.post("/signout")
    assert available(url) == 0


def test_closing_the_last_console_tab_ends_the_status_after_a_grace(desk) -> None:
    url, _ = desk
    frank = Operator(url, "frank")
    stream = QueueStream(frank)
    assert stream.next_state()["me"]["status"] == "available"
    stream.close()  # the last tab goes
    until(lambda: available(url) == 0, 15, "a closed last tab kept the operator available")
    again = QueueStream(frank)
    assert again.next_state()["me"]["status"] == "off"  # 対応終了: they choose again when back
    again.close()


def test_capacity_holds_and_a_transfer_passes_the_conversation_with_its_note(desk) -> None:
    url, _ = desk
    erin, gina = Operator(url, "erin"), Operator(url, "gina")
    first = enqueue(url, f"line:U{uuid.uuid4().hex}", "line").json()["handoff_id"]
    second = enqueue(url, f"web:{uuid.uuid4().hex}").json()["handoff_id"]
    assert erin.post(f"/handoffs/{first}/take").status_code == 200
    full = erin.post(f"/handoffs/{second}/take")  # capacity 1
    assert full.status_code == 409 and full.json()["error"] == "at_capacity"
    assert gina.post(f"/handoffs/{second}/take").status_code == 200
    # Gina is full: no transfer to her; once she ends hers, there is room.
    targets = erin.get("/api/operators").json()["operators"]
    assert all(t["name"] != "Gina" for t in targets)
    assert erin.post(f"/handoffs/{first}/transfer", {"to": 999, "note": "x"}).status_code == 409
    gina.post(f"/handoffs/{second}/close")  # Rasa is not there: the close does not go through
    gina_row = next(r for r in gina.queue() if r["id"] == second)
    assert gina_row["status"] == "active"  # still hers, so still full
    frank = Operator(url, "frank")
    frank_id = next(t["id"] for t in erin.get("/api/operators").json()["operators"] if t["name"] == "Frank")
    note = "お客さま番号の確認まで済んでいます"
    moved = erin.post(f"/handoffs/{first}/transfer", {"to": frank_id, "note": note})
    assert moved.status_code == 200 and moved.json()["status"] == "transferred"
    row = next(r for r in frank.queue() if r["id"] == first)
    assert row["mine"] and row["transfer_note"] == note and row["transferred_from"] == "Erin"
    assert erin.post(f"/handoffs/{first}/messages", {"text": "まだ私が"}).status_code == 409
    assert "お客さま番号の確認まで済んでいます" in frank.get(f"/handoffs/{first}", headers={"Accept": "text/html"}).text


def test_the_queue_is_pushed_a_new_waiting_customer_arrives_on_the_open_stream(desk) -> None:
    url, _ = desk
    gina = Operator(url, "gina")
    stream = QueueStream(gina)
    try:
        before = stream.next_state()
        conversation = f"web:{uuid.uuid4().hex}"
        started = time.monotonic()
        handoff_id = enqueue(url, conversation).json()["handoff_id"]
        while True:
            state = stream.next_state()
            if any(row["id"] == handoff_id for row in state["rows"]):
                break
        assert time.monotonic() - started < 2
        assert state["waiting"] == before["waiting"] + 1
    finally:
        stream.close()


def test_the_bots_waiting_calls(desk) -> None:
    url, _ = desk
    Operator(url, "erin")
    conversation = f"line:U{uuid.uuid4().hex}"
    enqueue(url, conversation, "line")

    def call(path: str, body: dict, headers: dict | None = BOT) -> requests.Response:
        return requests.post(f"{url}/desk/v1/{path}", json=body, headers=headers, timeout=10)

    assert call("positions", {"conversation_id": conversation}, headers={}).status_code == 401
    assert call("positions", {"conversation_id": 5}).status_code == 400
    assert call("positions", {"conversation_id": conversation}).json()["position"] >= 1
    assert call("waits", {"conversation_id": conversation}).json()["status"] == "waiting"
    assert call("cancellations", {"conversation_id": conversation, "reason": "bored"}).status_code == 400
    assert call("cancellations", {"conversation_id": conversation, "reason": "timeout"}).status_code == 200
    assert call("waits", {"conversation_id": conversation}).status_code == 409  # no longer waiting
    assert call("positions", {"conversation_id": conversation}).json()["position"] is None


def test_two_console_processes_share_status_queue_and_the_push(tmp_path) -> None:
    """Scaled: two console processes over one store. A status chosen through one counts on the other;
    a customer queued through one is pushed onto a queue stream open on the other."""
    shared = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, url_a, env = start_console(tmp_path / "a", CONSOLE_STORE_URL=shared)
    second, url_b, _ = start_console(tmp_path / "b", CONSOLE_STORE_URL=shared)
    try:
        add_operator(env, "hana")
        hana = Operator(url_a, "hana", status=None)
        assert available(url_b) == 0
        hana.choose("available")
        assert available(url_b) == 1
        stream = QueueStream(hana)
        try:
            stream.next_state()
            handoff_id = enqueue(url_b, f"web:{uuid.uuid4().hex}").json()["handoff_id"]
            while not any(row["id"] == handoff_id for row in stream.next_state()["rows"]):
                pass
        finally:
            stream.close()
    finally:
        first.stop()
        second.stop()
