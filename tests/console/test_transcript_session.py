"""The operator reads only the handoff's own part of a conversation, redacted: a LINE customer's
conversation id never changes, so without a bound the console showed everything they ever wrote
(earlier sessions, with the IDs they typed). Here the tracker store is a table like Rasa's own,
written directly (with timestamps in the past, no waiting) and, like a store that does not redact,
with a phone number and a code in clear text."""

from __future__ import annotations

import time

from console_support import Operator, enqueue, store_event

SENDER = "line:U0000000000000000000000000session"


def _store(path, kind: str, data: dict, at: float) -> None:
    store_event(path, SENDER, kind, data, at)


def test_transcript_starts_at_the_handoffs_session_and_is_redacted(console) -> None:
    tracker = console.var_dir / "tracker.sqlite3"
    now = time.time()
    # Yesterday's session: the customer's ID and a question the operator has no business reading.
    _store(tracker, "session_started", {}, now - 86400)
    _store(tracker, "user", {"text": "N123456789 のログイン履歴を見たい"}, now - 86399)
    _store(tracker, "bot", {"text": "直近3件のログイン履歴です"}, now - 86398)
    # Today's session, in which the customer asks for a person.
    _store(tracker, "session_started", {}, now - 120)
    _store(tracker, "user", {"text": "コードは123456です。090-1234-5678に電話ください"}, now - 119)
    _store(tracker, "user", {"text": "担当者と話したい"}, now - 118)
    _store(tracker, "pause", {}, now - 117)
    alice = Operator(console.url, "alice")
    handoff_id = enqueue(console.url, SENDER, channel="line").json()["handoff_id"]
    # A session that starts while the handoff is open (Rasa's expiry) is still the handoff's.
    _store(tracker, "session_started", {}, time.time() + 1)
    _store(tracker, "user", {"text": "まだですか"}, time.time() + 2)

    lines = alice.get(f"/handoffs/{handoff_id}/transcript").json()["lines"]
    assert [(line["kind"], line["text"]) for line in lines] == [
        ("customer", "コードは[確認コード]です。[電話番号]に電話ください"),
        ("customer", "担当者と話したい"),
        ("pause", ""),
        ("customer", "まだですか"),
    ]
