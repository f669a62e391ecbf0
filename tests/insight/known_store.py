"""A small tracker store with known conversations, and the figures the report must give for it."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa

from benchmarks.synthetic_store import Conversation, events_table
from console.insight.period import JST

DAY1, DAY2 = date(2026, 11, 20), date(2026, 11, 21)
# One message in the store still holds a code, a phone number and a customer number (as rows
# stored before redaction did): none of them may appear in the report or the queue.
SECRET_CODE, SECRET_PHONE, SECRET_CUSTOMER = "482913", "090-1234-5678", "N987654321"
SECRET_MESSAGE = f"コードは{SECRET_CODE}、電話は{SECRET_PHONE}、お客さま番号{SECRET_CUSTOMER}です"
MISS = "料金の支払い方法を変えたい"


def at(day: date, hour: int, minute: int = 0) -> float:
    """A moment of `day` in Japan time."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=JST).timestamp()


def known_conversations(test_message: str) -> list[Conversation]:
    c = [
        Conversation("web:a1111111", at(DAY1, 9)).faq("パスワードを忘れました", "forgot_password", survey="resolved"),
        Conversation("web:b2222222", at(DAY1, 10)).faq("IDの種類を教えて", "ask_id_types", survey="unresolved"),
        Conversation("line:Uc333333", at(DAY1, 11), "line").miss(MISS).faq("OCN IDを確認したい", "check_ocn_id"),
        Conversation("line:Ud444444", at(DAY1, 12), "line")
        .miss(MISS)
        .miss("光回線の速度が遅い", give_up=True)
        .handoff(),
        Conversation("rest:e5555555", at(DAY1, 13), "rest").procedure("reset_ocn_password"),
        Conversation("web:f6666666", at(DAY1, 14)).procedure("send_connection_id", verified=False),
        Conversation("web:g7777777", at(DAY1, 15)).procedure("login_history"),
        Conversation("00000042", at(DAY1, 16), "line").faq(
            "接続用IDがわからない", "check_connection_id", survey="resolved"
        ),
        Conversation("web:h8888888", at(DAY2, 9)).miss(SECRET_MESSAGE, confidence=0.3),
        # outside the period
        Conversation("web:i9999999", at(date(2026, 11, 10), 9)).miss("期間外のメッセージ"),
        # a message that is in the NLU test set, answered with low confidence
        Conversation("web:j0000000", at(DAY2, 10)).faq(test_message, "forgot_password", confidence=0.6),
    ]
    return c


def write_conversations(path: Path, conversations: list[Conversation]) -> str:
    """A SQLite tracker store at `path` holding `conversations`; its URL."""
    url = f"sqlite:///{path}"
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    table = events_table(metadata)
    metadata.create_all(engine)
    with engine.begin() as connection:
        for conversation in conversations:
            connection.execute(table.insert(), conversation.rows)
    engine.dispose()
    return url


def write_store(path: Path, test_message: str) -> str:
    return write_conversations(path, known_conversations(test_message))
