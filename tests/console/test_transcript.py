"""The operator's live transcript resumes where it was: after a reload or a dropped connection the
stream (Last-Event-ID) and the JSON view (after=) continue from the last line shown; nothing is
lost and nothing is shown twice. The tracker store here is a table like Rasa's own."""

from __future__ import annotations

import json
import sqlite3
import time

from console_support import Operator, enqueue

SENDER = "web:reload-test"


def _store_events(path, rows: list[tuple[str, dict]]) -> list[int]:
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY AUTOINCREMENT, sender_id VARCHAR(255), "
            "type_name VARCHAR(255), timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"
        )
        ids = []
        for kind, data in rows:
            cursor = db.execute(
                "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, ?, ?)",
                (SENDER, kind, time.time(), json.dumps(data, ensure_ascii=False)),
            )
            ids.append(cursor.lastrowid)
        return ids


def _first_stream_line(operator: Operator, handoff_id: str, last_event_id: int) -> dict:
    with operator.http.get(
        f"{operator.base_url}/handoffs/{handoff_id}/stream",
        headers={"Last-Event-ID": str(last_event_id)},
        stream=True,
        timeout=10,
    ) as stream:
        event = ""
        for raw in stream.iter_lines(decode_unicode=True):
            if raw.startswith("event: "):
                event = raw[7:]
            elif raw.startswith("data: ") and event == "line":
                return json.loads(raw[6:])
    raise AssertionError("no line on the stream")


def test_transcript_and_stream_continue_from_the_cursor(console) -> None:
    tracker = console.var_dir / "tracker.sqlite3"
    first = _store_events(
        tracker,
        [
            ("user", {"text": "担当者と話したい"}),
            ("bot", {"text": "担当者におつなぎします。"}),
            ("pause", {}),
        ],
    )
    alice = Operator(console.url, "alice")
    handoff_id = enqueue(console.url, SENDER).json()["handoff_id"]
    lines = alice.get(f"/handoffs/{handoff_id}/transcript").json()["lines"]
    assert [(line["kind"], line["text"]) for line in lines] == [
        ("customer", "担当者と話したい"),
        ("bot", "担当者におつなぎします。"),
        ("pause", ""),
    ]
    later = _store_events(
        tracker,
        [("user", {"text": "まだですか"}), ("bot", {"text": "お待たせしました", "metadata": {"operator": "Alice"}})],
    )
    newer = alice.get(f"/handoffs/{handoff_id}/transcript", params={"after": first[-1]}).json()["lines"]
    assert [(line["kind"], line["text"]) for line in newer] == [
        ("customer", "まだですか"),
        ("operator", "お待たせしました"),
    ]
    # A browser that had shown up to "まだですか" reconnects: the stream goes on with the next line.
    assert _first_stream_line(alice, handoff_id, later[0])["text"] == "お待たせしました"
    assert _first_stream_line(alice, handoff_id, 0)["text"] == "担当者と話したい"
