"""The tracker store never receives one-time codes or phone numbers in clear text."""

from __future__ import annotations

import asyncio
import json

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot_server.redaction import CODE_MASK, PHONE_MASK, redact_text
from bot_server.tracker_stores import RedactingSQLTrackerStore


def test_redact_text() -> None:
    assert redact_text("コードは４８２９１３です") == f"コードは{CODE_MASK}です"
    assert redact_text("電話 090-1234-5678 まで") == f"電話 {PHONE_MASK} まで"
    assert redact_text("09012345678") == PHONE_MASK
    assert redact_text("お客さま番号 N123456789") == "お客さま番号 N123456789"  # not a secret


def test_sql_store_keeps_no_code(tmp_path) -> None:
    domain = Domain.from_yaml("version: '3.1'\nslots:\n  otp_code:\n    type: text\n    mappings: [{type: custom}]\n")
    store = RedactingSQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "t.db"))
    tracker = DialogueStateTracker.from_events(
        "c1",
        [
            ActionExecuted("action_listen"),
            UserUttered(
                "コードは 482913 です",
                {"name": "inform", "confidence": 1.0},
                [{"entity": "otp_code", "value": "482913", "start": 5, "end": 11}],
            ),
            SlotSet("otp_code", "482913"),
            SlotSet("otp_code", None),
        ],
        domain.slots,
    )
    asyncio.run(store.save(tracker))
    plain = SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "t.db"))
    with plain.session_scope() as session:
        stored = [json.loads(row.data) for row in session.query(plain.SQLEvent).all()]
    dump = json.dumps(stored, ensure_ascii=False)
    assert "482913" not in dump
    assert CODE_MASK in dump
    # The live tracker is untouched (the form still needs the value during the turn).
    assert tracker.latest_message.text == "コードは 482913 です"
