"""The insight report: how many conversations, how many ended without a person, resolved,
fell back, which procedures customers finished, what they asked that the bot did not understand."""

from __future__ import annotations

import os
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from console.insight import queries
from console.insight.dialect import dialect_of
from console.insight.first_message import direct_first_messages, first_two_messages, not_direct_replies
from console.insight.indexes import ensure_indexes
from console.insight.period import CHANNELS, Scope, channel_prefix, day_number, day_of_number
from console.insight.procedures import ProcedureFigures, procedure_figures
from console.insight.unanswered import Question, group_questions

# Below this confidence a message the bot did answer still goes to review (the NLU's own
# fallback threshold, 0.55 in config.yml, catches the rest as nlu_fallback).
LOW_CONFIDENCE = float(os.environ.get("INSIGHT_LOW_CONFIDENCE") or 0.7)
# Newest unanswered messages grouped for the report (more would not change the top groups).
UNANSWERED_SAMPLE = 2000
TOP_QUESTIONS = 20
PROCEDURE_MARKS = ("procedure", "verified", "done", "text")


@dataclass
class Rate:
    count: int
    total: int

    @property
    def rate(self) -> float | None:
        return self.count / self.total if self.total else None

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "total": self.total, "rate": self.rate}


@dataclass
class Report:
    scope: Scope
    per_day: dict[date, int]
    conversations: int
    messages: int
    contained: Rate  # conversations without a handoff (no `pause` event)
    handoff: Rate  # conversations handed to a person
    wanted_person: Rate  # conversations where the customer asked for a person
    resolved: Rate  # 「解決した」 answers of all survey answers
    fallback: Rate  # customer messages the bot gave up on
    clarification: Rate  # customer messages the bot asked back about
    nlu_fallback: Rate  # customer messages below the NLU's fallback threshold
    procedures: list[ProcedureFigures]
    top_intents: list[tuple[str, int]]
    unanswered: list[Question]
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
    # Conversations whose first message got a direct answer (first_message.py; 初回発話エラー = 1 − this).
    first_message_direct: Rate = field(default_factory=lambda: Rate(0, 0))

    def as_dict(self) -> dict[str, Any]:
        rates = ("contained", "handoff", "wanted_person", "resolved", "fallback", "clarification", "nlu_fallback")
        return {
            "period": {"first_day": self.scope.first_day.isoformat(), "last_day": self.scope.last_day.isoformat()},
            "channel": self.scope.channel or "all",
            "conversations": self.conversations,
            "messages": self.messages,
            "conversations_per_day": {day.isoformat(): n for day, n in self.per_day.items()},
            **{name: getattr(self, name).as_dict() for name in rates},
            "procedures": [asdict(p) for p in self.procedures],
            "top_intents": [{"intent": name, "count": n} for name, n in self.top_intents],
            "unanswered": [asdict(q) for q in self.unanswered],
            "first_message_direct": self.first_message_direct.as_dict(),
            "seconds": round(self.seconds, 3),
        }


# The queries run side by side on their own connections: the database (SQLite releases the GIL
# while it works; PostgreSQL runs each in its own backend) uses the machine's cores.
QUERY_THREADS = 3


def build_report(engine: sa.engine.Engine, scope: Scope, create_indexes: bool = True) -> Report:
    started = time.perf_counter()
    if create_indexes:
        ensure_indexes(engine)
    d = dialect_of(engine.dialect.name)
    params = {"since": scope.since, "until": scope.until}
    channel_values = (scope.channel, *CHANNELS[scope.channel]) if scope.channel else None

    def rows(sql: str, **extra: Any) -> list[Any]:
        # Plain tuples: 100,000s of rows, and SQLAlchemy's mapping rows cost more than the query.
        with engine.connect() as connection:
            return connection.execute(sa.text(sql), {**params, **extra}).all()

    with ThreadPoolExecutor(QUERY_THREADS) as pool:
        pending = {
            "messages": pool.submit(rows, queries.customer_messages(d)),
            "slots": pool.submit(rows, queries.slots(d)),
            "unanswered": pool.submit(
                rows, queries.unanswered(d, channel_values), low_confidence=LOW_CONFIDENCE, limit=UNANSWERED_SAMPLE
            ),
            "bot": pool.submit(rows, queries.bot_replies(d)),
            "inputs": pool.submit(rows, queries.input_channels(d)),
            "handoffs": pool.submit(rows, queries.handoffs()),
            "intents": pool.submit(rows, queries.top_intents(d, channel_values)),
            "first_two": pool.submit(rows, first_two_messages(d)),
            "not_direct": pool.submit(rows, not_direct_replies(d)),
        }
        got = {name: future.result() for name, future in pending.items()}
    input_channels = {(sender, day): channel for sender, day, channel in got["inputs"]}
    convs = {
        (sender, day): Conversation(day, messages, nlu_fallbacks, asked_person)
        for sender, day, messages, nlu_fallbacks, asked_person in got["messages"]
        if scope.includes_channel(channel_prefix(sender), input_channels.get((sender, day)))
    }
    for sender, timestamp, type_name in got["handoffs"]:
        c = convs.get((sender, day_number(timestamp)))
        if c:
            c.paused |= type_name == "pause"
            c.asked_person = True
    for sender, day, kind, n, first_at, last_at in got["bot"]:
        c = convs.get((sender, day))
        if c:
            c.add(kind, "", int(n), first_at, last_at)
    for sender, day, kind, value, n, first_at, last_at in got["slots"]:
        c = convs.get((sender, day))
        if c:
            c.add(kind, value, int(n), first_at, last_at)
    report = _assemble(scope, list(convs.values()))
    report.first_message_direct = Rate(*direct_first_messages(got["first_two"], got["not_direct"], set(convs)))
    report.top_intents = [(name or "(none)", int(n)) for name, n in got["intents"]]
    report.unanswered = group_questions([(m.text, m.timestamp) for m in got["unanswered"]], TOP_QUESTIONS)
    report.seconds = time.perf_counter() - started
    return report


class Conversation:
    """What the report needs of one conversation (one sender id on one day)."""

    __slots__ = ("day", "messages", "nlu_fallbacks", "asked_person", "paused", "counts", "marks")

    def __init__(self, day: int, messages: int, nlu_fallbacks: int, asked_person: int) -> None:
        self.day = day
        self.messages = int(messages)
        self.nlu_fallbacks = int(nlu_fallbacks or 0)
        self.asked_person = bool(asked_person)
        self.paused = False
        self.counts: dict[str, int] = {}  # reply and survey kinds (queries.bot_replies / slots)
        self.marks: list[dict[str, Any]] = []  # procedure events, for procedures.py

    def add(self, kind: str, value: str, n: int, first_at: float, last_at: float) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + n
        if kind in PROCEDURE_MARKS:
            self.marks.append({"kind": kind, "value": value, "first_at": first_at, "last_at": last_at})


def _assemble(scope: Scope, convs: list[Conversation]) -> Report:
    days = scope.days()
    per_day: Counter = Counter({day: 0 for day in days})
    per_day.update(day_of_number(c.day) for c in convs)
    n = len(convs)
    messages = sum(c.messages for c in convs)
    paused = sum(c.paused for c in convs)
    resolved = sum(c.counts.get("resolved", 0) for c in convs)
    answers = resolved + sum(c.counts.get("unresolved", 0) for c in convs)
    return Report(
        scope=scope,
        per_day={day: per_day[day] for day in days},
        conversations=n,
        messages=messages,
        contained=Rate(n - paused, n),
        handoff=Rate(paused, n),
        wanted_person=Rate(sum(c.asked_person for c in convs), n),
        resolved=Rate(resolved, answers),
        fallback=Rate(sum(c.counts.get("fallback", 0) for c in convs), messages),
        clarification=Rate(sum(c.counts.get("clarify", 0) for c in convs), messages),
        nlu_fallback=Rate(sum(c.nlu_fallbacks for c in convs), messages),
        procedures=procedure_figures({i: c.marks for i, c in enumerate(convs) if c.marks}),
        top_intents=[],
        unanswered=[],
    )
