"""The tracker store never receives one-time codes or phone numbers in clear text."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot_server.redaction import CODE_MASK, PHONE_MASK, install_log_redaction, redact_text
from bot_server.tracker_stores import RedactingSQLTrackerStore


def test_redact_text() -> None:
    assert redact_text("コードは４８２９１３です") == f"コードは{CODE_MASK}です"
    assert redact_text("電話 090-1234-5678 まで") == f"電話 {PHONE_MASK} まで"
    assert redact_text("09012345678") == PHONE_MASK
    assert redact_text("お客さま番号 N123456789") == "お客さま番号 N123456789"  # not a secret


@pytest.mark.parametrize(
    "typed",
    ["12 34 56", "123ー456", "123－456", "１２３ ４５６", "482 913", "123—456", "１２　３４　５６"],
)
def test_codes_as_people_type_them(typed: str) -> None:
    assert redact_text(f"コードは{typed}です") == f"コードは{CODE_MASK}です"


@pytest.mark.parametrize(
    "typed",
    [
        "+81 90-1234-5678",
        "＋８１　９０－１２３４－５６７８",
        "+81 (0)90 1234 5678",
        "090ー1234ー5678",
        "０９０ー１２３４ー５６７８",
        "(090)1234-5678",
        "（０９０）１２３４－５６７８",
        "090.1234.5678",
        "090 1234 5678",
        "03-1234-5678",
        "0120-123-456",
    ],
)
def test_phone_numbers_as_people_type_them(typed: str) -> None:
    assert redact_text(f"電話は{typed}です") == f"電話は{PHONE_MASK}です"


@pytest.mark.parametrize(
    "kept",
    [
        "N123456789",
        "user702870045@ocn.ne.jp",
        "t702870045@one.ocn.ne.jp",
        "2024/11/26 10:30",
        "〒100-0001",
        "1234567",
        "123,456円",
        # what log lines are made of
        "http://127.0.0.1:5055",
        "2026-11-26 15:32:38",
        "took 0.123456 s",
        "rasa 3.6.21",
    ],
)
def test_ids_dates_and_other_numbers_stay(kept: str) -> None:
    assert redact_text(kept) == kept


def test_a_code_next_to_a_phone_number() -> None:
    assert redact_text("123456 09012345678") == f"{CODE_MASK} {PHONE_MASK}"


def test_log_records_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    install_log_redaction()
    install_log_redaction()  # idempotent
    logger = logging.getLogger("rasa.core.processor")
    with caplog.at_level(logging.DEBUG, logger="rasa.core.processor"):
        logger.debug("Received user message '%s' with intent '%s'", "コードは12 34 56、電話+81 90-1234-5678", "inform")
        logger.debug("structlog renders first: {'text': '090ー1234ー5678'}")
    assert "12 34 56" not in caplog.text and "1234-5678" not in caplog.text and "1234ー5678" not in caplog.text
    assert caplog.text.count(PHONE_MASK) == 2 and CODE_MASK in caplog.text


def test_log_records_rendered_as_escaped_json_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    """Rasa's structlog renders parse data as JSON with ASCII escapes: a full-width code typed by the
    customer reaches the log as \\uff11\\uff11… and must be found there too (it was not, before)."""
    install_log_redaction()
    logger = logging.getLogger("rasa.core.processor")
    full_width = json.dumps({"parse_data_text": "１１７　３３８", "phone": "０９０ー１２３４ー５６７８", "emoji": "😀"})
    assert "\\uff11" in full_width
    with caplog.at_level(logging.DEBUG, logger="rasa.core.processor"):
        logger.debug(full_width)
    assert "uff11" not in caplog.text and "１１７" not in caplog.text and "５６７８" not in caplog.text
    assert CODE_MASK in caplog.text and PHONE_MASK in caplog.text and "😀" in caplog.text


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


@pytest.mark.parametrize("typed", ["1234 56", "1 23456", "123-4-56", "12 3456", "コードは 1234-56 です"])
def test_a_code_the_bot_accepts_is_never_stored(tmp_path, typed: str) -> None:
    """Whatever grouping the bot takes as the code (ocn_ids.parse.one_time_code: any split), the stored
    customer message has none of its digits, even though log lines keep 4+2 groups (dates) as they are."""
    from ocn_ids.parse import one_time_code

    assert one_time_code(typed) == "123456"  # the bot sends this to the account API as the code
    domain = Domain.from_yaml("version: '3.1'\n")
    store = RedactingSQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "t.db"))
    tracker = DialogueStateTracker.from_events(
        "web:c1", [ActionExecuted("action_listen"), UserUttered(typed, {"name": "inform", "confidence": 1.0})]
    )
    asyncio.run(store.save(tracker))
    plain = SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "t.db"))
    with plain.session_scope() as session:
        stored = [json.loads(row.data) for row in session.query(plain.SQLEvent).all()]
    (user,) = [event for event in stored if event["event"] == "user"]
    for text in (user["text"], user["parse_data"]["text"]):
        assert CODE_MASK in text and not any(ch.isdigit() for ch in text), text
