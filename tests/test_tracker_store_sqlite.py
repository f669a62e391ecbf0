"""The one-machine tracker store (SQLite file): every turn is stored and readable by others at once
(the console's transcript reads the same file), without a new connection and a rollback journal per
turn (bot_server/tracker_stores.py: sqlite_engine; the FAQ-turn latency of issue 8)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot_server.tracker_stores import RedactingSQLTrackerStore


def store_at(path: Path) -> RedactingSQLTrackerStore:
    return RedactingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))


async def three_turns(store: RedactingSQLTrackerStore, sender: str) -> None:
    tracker = DialogueStateTracker.from_events(sender, [ActionExecuted("action_listen")])
    for text in ("接続用IDを知りたい", "いいえ", "はい"):
        tracker = await store.retrieve(sender) or tracker
        tracker.update(UserUttered(text, {"name": "inform", "confidence": 1.0}))
        tracker.update(BotUttered(f"答え: {text}"))
        tracker.update(ActionExecuted("action_listen"))
        await store.save(tracker)


def test_each_turn_is_stored_once_and_readable_by_another_process_at_once(tmp_path: Path) -> None:
    path = tmp_path / "tracker.sqlite3"
    store = store_at(path)
    asyncio.run(three_turns(store, "rest:a"))

    # A reader of its own (as the console's transcript), while the bot's connection stays open.
    with sqlite3.connect(path) as reader:
        rows = reader.execute("SELECT data FROM events WHERE type_name = 'user' ORDER BY id").fetchall()
    assert [json.loads(data)["text"] for (data,) in rows] == ["接続用IDを知りたい", "いいえ", "はい"]
    tracker = asyncio.run(store_at(path).retrieve("rest:a"))  # a restarted server reads the same
    assert tracker is not None
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["接続用IDを知りたい", "いいえ", "はい"]


def test_the_store_keeps_a_write_ahead_log_and_its_connection(tmp_path: Path) -> None:
    store = store_at(tmp_path / "tracker.sqlite3")
    connects = []
    sa.event.listen(store.engine, "connect", lambda *_: connects.append(1))
    asyncio.run(three_turns(store, "rest:b"))
    assert len(connects) <= 1  # stock Rasa on SQLAlchemy 1.4: two new connections per turn
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
