"""Canned replies (定型文): texts an operator inserts into the message box and edits before sending,
one group per help-page topic (actions/topics.py) and a "general" group. Managed on the console's
定型文 page (console/canned_page.py); stored in the console store (console/desk_tables.py).

The seeded texts are written in the bot's register (docs/style.md) with facts from the help page
only, and are checked by `python -m lint` (lint/texts.py lists them).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from actions.topics import TOPICS
from console.desk_tables import MAX_TEXT_CHARS, canned_replies

GENERAL = "general"
MAX_TITLE_CHARS = 64
# Topics an operator files replies under: the help-page topics the bot answers, and 全般.
TOPIC_LABELS: dict[str, str] = {
    GENERAL: "全般",
    **{intent: topic.title for intent, topic in TOPICS.items() if intent not in ("request_human", "out_of_scope")},
}

# (topic, title, text): the first replies of a new console store.
SEED: tuple[tuple[str, str, str], ...] = (
    (GENERAL, "はじめのご挨拶", "お待たせいたしました。ここからは担当者がご案内します。"),
    (GENERAL, "確認のお願い", "ただいま確認しております。恐れ入りますが、少々お待ちください。"),
    (GENERAL, "パスワードは入力しない", "恐れ入りますが、パスワードはチャットに入力しないでください。"),
    (
        GENERAL,
        "終わりのご挨拶",
        "お問い合わせいただきありがとうございました。ほかにご不明な点がありましたら、またお尋ねください。",
    ),
    (
        "forgot_ocn_id_password",
        "パスワードは確認できない",
        "恐れ入りますが、OCN ID（OCNメールアドレス）のパスワードは確認できません。再設定が必要です。",
    ),
    (
        "forgot_ocn_id_password",
        "メールソフトの設定も変更",
        "メールソフトやアプリをお使いの場合は、パスワードの再設定後にメールソフトやアプリに設定したパスワードもご変更ください。",
    ),
    (
        "check_customer_number",
        "お客さま番号とは",
        "お客さま番号は、Nから始まる10桁の番号です。OCN会員登録証（お申込内容のご案内）に記載しております。",
    ),
    ("change_customer_number", "お客さま番号は変更できない", "申し訳ございませんが、お客さま番号は変更できません。"),
    (
        "change_connection_id",
        "接続用IDは変更できない",
        "申し訳ございませんが、OCN接続用ID（認証ID）は変更できません。",
    ),
    ("register_mypage", "マイページの利用登録", "OCN マイページを初めてご利用になる場合は、利用登録が必要です。"),
)


@dataclass(frozen=True)
class CannedReply:
    id: int
    topic: str
    title: str
    text: str
    updated_by: int | None
    updated_at: float

    @property
    def topic_label(self) -> str:
        return TOPIC_LABELS.get(self.topic, self.topic)


def clean_canned(topic: object, title: object, text: object) -> tuple[str, str, str] | str:
    """(topic, title, text) ready to store, or what is wrong, to show the operator."""
    if topic not in TOPIC_LABELS:
        return "話題を選んでください。"
    title = title.strip() if isinstance(title, str) else ""
    text = text.strip() if isinstance(text, str) else ""
    if not title or len(title) > MAX_TITLE_CHARS:
        return f"見出しを{MAX_TITLE_CHARS}文字以内で入力してください。"
    if not text or len(text) > MAX_TEXT_CHARS:
        return f"本文を{MAX_TEXT_CHARS}文字以内で入力してください。"
    return str(topic), title, text


class CannedReplyRepository:
    def __init__(self, engine: sa.engine.Engine, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.clock = clock

    def seed_if_empty(self) -> None:
        with self.engine.begin() as db:
            if db.dialect.name == "postgresql":
                # Consoles starting together (scaled mode) seed once: one at a time past this point.
                db.execute(sa.text("SELECT pg_advisory_xact_lock(2102)"))
            if db.execute(sa.select(sa.func.count()).select_from(canned_replies)).scalar_one():
                return
            now = self.clock()
            db.execute(
                canned_replies.insert(),
                [{"topic": t, "title": title, "text": text, "updated_at": now} for t, title, text in SEED],
            )

    def all(self) -> list[CannedReply]:
        """Every reply, by topic (in TOPIC_LABELS order) then title."""
        with self.engine.connect() as db:
            rows = db.execute(canned_replies.select().order_by(canned_replies.c.title, canned_replies.c.id)).all()
        order = {topic: n for n, topic in enumerate(TOPIC_LABELS)}
        replies = [CannedReply(**row._mapping) for row in rows]
        return sorted(replies, key=lambda r: order.get(r.topic, len(order)))

    def get(self, reply_id: int) -> CannedReply | None:
        with self.engine.connect() as db:
            row = db.execute(canned_replies.select().where(canned_replies.c.id == reply_id)).first()
        return CannedReply(**row._mapping) if row else None

    def add(self, topic: str, title: str, text: str, operator_id: int) -> int:
        values = {"topic": topic, "title": title, "text": text, "updated_by": operator_id, "updated_at": self.clock()}
        with self.engine.begin() as db:
            return int(db.execute(canned_replies.insert().values(**values)).inserted_primary_key[0])

    def update(self, reply_id: int, topic: str, title: str, text: str, operator_id: int) -> bool:
        values = {"topic": topic, "title": title, "text": text, "updated_by": operator_id, "updated_at": self.clock()}
        with self.engine.begin() as db:
            return (
                db.execute(canned_replies.update().where(canned_replies.c.id == reply_id).values(**values)).rowcount
                == 1
            )

    def delete(self, reply_id: int) -> bool:
        with self.engine.begin() as db:
            return db.execute(canned_replies.delete().where(canned_replies.c.id == reply_id)).rowcount == 1
