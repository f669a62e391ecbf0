"""An ended handoff does not open a window on the customer's later conversation: once a conversation
is handed back or closed, its transcript in the console stops where the handoff ended. A LINE
customer's conversation id never changes, so without this bound an operator who once handled it could
follow everything that customer writes afterwards."""

from __future__ import annotations

import time

from console_support import Operator, enqueue, store_event

from console.store import Store

SENDER = "line:U0000000000000000000000000000ended"


def _store_event(path, kind: str, text: str, at: float) -> None:
    store_event(path, SENDER, kind, {"text": text}, at)


def test_transcript_of_an_ended_handoff_stops_where_it_ended(console) -> None:
    tracker = console.var_dir / "tracker.sqlite3"
    _store_event(tracker, "user", "担当者と話したい", time.time())
    alice = Operator(console.url, "alice")
    handoff_id = enqueue(console.url, SENDER, channel="line").json()["handoff_id"]
    assert alice.post(f"/handoffs/{handoff_id}/take").status_code == 200  # no Rasa behind: taken with a warning
    store = Store(console.env["CONSOLE_STORE_URL"])
    alice_id = store.password_hash("alice")[0].id
    assert store.finish(handoff_id, alice_id, "returned")
    # The customer goes on talking to the bot, days later too.
    _store_event(tracker, "user", "N123456789 のログイン履歴を見たい", time.time() + 1)

    for reader in (alice, Operator(console.url, "bob")):
        texts = [line["text"] for line in reader.get(f"/handoffs/{handoff_id}/transcript").json()["lines"]]
        assert texts == ["担当者と話したい"]
