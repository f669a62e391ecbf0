"""What the operator needs to see next to a conversation (the side panel of the conversation page):
its channel, topic, whether and when the customer was verified, the procedure they started and how
far it got, the bot's last answers, and the conversation's earlier handoffs.

Read from the tracker store as stored (redacted on save), over the same part of the conversation as
the transcript (transcript.py: from the session the handoff was queued in until it ended). Only
slot and bot events are read: the one-time code slot (`otp_code`) is never read, verification is
shown by the time `verified_until` was set, and every bot text goes through redaction again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc

from actions.choices import QUESTIONS
from actions.topics import TOPICS
from bot_server.redaction import redact_text
from console.insight.period import JST
from console.insight.procedures import PLAIN_REPLY_COMPLETES

CHANNEL_LABELS = {"web": "Web（ヘルプページのチャット）", "line": "LINE", "rest": "REST"}
PROCEDURE_TITLES = {choice.value: choice.title for choice in QUESTIONS["procedure"]}
LAST_ANSWERS_SHOWN = 3
_READ_SLOTS = ("topic", "procedure", "verified_until")  # never otp_code, account_ref, verification_id
_QUERY = sa.text(
    "SELECT id, type_name, timestamp, data FROM events "
    "WHERE sender_id = :sender AND timestamp <= :until "
    "AND id >= (SELECT COALESCE(MAX(id), 0) FROM events "
    "WHERE sender_id = :sender AND type_name = 'session_started' AND timestamp <= :since) "
    "AND type_name IN ('slot', 'bot') ORDER BY id"
)


def jst_time(timestamp: float | None) -> str:
    """A time as the support team reads it: Japan time, month/day hour:minute."""
    if timestamp is None:
        return "—"
    return datetime.fromtimestamp(timestamp, JST).strftime("%m/%d %H:%M")


@dataclass
class ProcedureProgress:
    name: str
    started_at: float
    verified: bool = False
    completed: bool = False
    stopped: bool = False  # the procedure slot was cleared before it completed

    @property
    def title(self) -> str:
        return PROCEDURE_TITLES.get(self.name, self.name)

    @property
    def stage(self) -> str:
        if self.completed:
            return "完了"
        if self.stopped:
            return "中断" + ("（本人確認済み）" if self.verified else "")
        return "本人確認済み・手続き中" if self.verified else "開始（本人確認前）"


@dataclass
class ConversationContext:
    topic: str | None = None  # the title of the help-page topic answered last
    verified_at: float | None = None  # when verified_until was last set in this conversation
    verification_ended: bool = False  # cleared again afterwards (procedure ended, expired or cancelled)
    procedure: ProcedureProgress | None = None
    last_answers: list[tuple[float, str]] = field(default_factory=list)

    @property
    def verified_text(self) -> str:
        if self.verified_at is None:
            return "未確認"
        return f"確認済み（{jst_time(self.verified_at)}）" + ("・確認は終了" if self.verification_ended else "")


def _apply(context: ConversationContext, kind: str, at: float, data: dict) -> None:
    if kind == "slot":
        name, value = data.get("name"), data.get("value")
        if name not in _READ_SLOTS:
            return
        if name == "topic" and isinstance(value, str) and value in TOPICS:
            context.topic = TOPICS[value].title
        elif name == "verified_until":
            if value is not None:
                context.verified_at, context.verification_ended = at, False
            elif context.verified_at is not None:
                context.verification_ended = True
        elif name == "procedure":
            if isinstance(value, str) and value:
                context.procedure = ProcedureProgress(value, at)
            elif context.procedure and not context.procedure.completed:
                context.procedure.stopped = True
        return
    metadata = data.get("metadata") or {}
    if metadata.get("operator"):
        return  # the operator's own messages are in the transcript
    utter = metadata.get("utter_action") or ""
    text = data.get("text") or ""
    running = context.procedure
    if running and not running.stopped and at >= running.started_at:
        running.verified |= context.verified_at is not None and context.verified_at >= running.started_at
        # A text built from data (the login history) completes it; a marker without text (the
        # widget's handoff state) does not.
        if utter.startswith("utter_done_") or (not utter and text and running.name in PLAIN_REPLY_COMPLETES):
            running.completed = True
    if text:
        context.last_answers = (context.last_answers + [(at, redact_text(text))])[-LAST_ANSWERS_SHOWN:]


def read_context(
    engine: sa.engine.Engine, conversation_id: str, since: float, until: float | None
) -> ConversationContext:
    """The conversation's context from the session the handoff was queued in (`since`) until it ended."""
    context = ConversationContext()
    params = {"sender": conversation_id, "since": since, "until": until or float("inf")}
    try:
        with engine.connect() as db:
            rows = db.execute(_QUERY, params).all()
    except (sa_exc.OperationalError, sa_exc.ProgrammingError):
        return context  # no conversation stored yet (Rasa creates the events table)
    for row in rows:
        _apply(context, row.type_name, float(row.timestamp or 0), json.loads(row.data or "{}"))
    if context.procedure and context.verified_at is not None:
        context.procedure.verified |= context.verified_at >= context.procedure.started_at
    return context
