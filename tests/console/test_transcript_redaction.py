"""The operator's transcript never shows a password the customer typed: not one typed where the bot
asked for an ID (masked as the bot stored it), nor one after 「パスワードは」 in a row stored before
passwords were masked (masked as it is read)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time

from console_support import Operator, enqueue
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot_server.redaction import PASSWORD_MASK
from bot_server.tracker_stores import RedactingSQLTrackerStore

SENDER = "web:typed-a-password"


def test_transcript_shows_no_typed_password(console) -> None:
    tracker = console.var_dir / "tracker.sqlite3"
    store = RedactingSQLTrackerStore(Domain.from_yaml("version: '3.1'\n"), dialect="sqlite", db=str(tracker))
    events = [
        ActionExecuted("action_listen"),
        UserUttered("パスワードを忘れました", {"name": "forgot_password", "confidence": 0.9}),
        SlotSet("requested_slot", "account_ref"),
        BotUttered("お客さま番号またはOCN IDをご入力ください。"),
        ActionExecuted("action_listen"),
        UserUttered("Wx93!pp7", {"name": "inform", "confidence": 0.5}),
    ]
    asyncio.run(store.save(DialogueStateTracker.from_events(SENDER, events)))
    with sqlite3.connect(tracker) as db:  # a row stored before passwords were masked
        db.execute(
            "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, ?)",
            (SENDER, time.time(), json.dumps({"text": "PW：Qz81kk!x です"}, ensure_ascii=False)),
        )
    alice = Operator(console.url, "alice")
    handoff_id = enqueue(console.url, SENDER).json()["handoff_id"]
    lines = alice.get(f"/handoffs/{handoff_id}/transcript").json()["lines"]
    customer = [line["text"] for line in lines if line["kind"] == "customer"]
    assert customer == ["パスワードを忘れました", PASSWORD_MASK, f"PW：{PASSWORD_MASK} です"]
