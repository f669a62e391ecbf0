"""The insight report: how many conversations, how many ended without a person, resolved,
fell back, which procedures customers finished, what they asked that the bot did not understand."""

from __future__ import annotations

import os
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from console.insight import queries
from console.insight.dialect import dialect_of
from console.insight.indexes import ensure_indexes
from console.insight.period import CHANNELS, Scope, day_of_number
from console.insight.procedures import ProcedureFigures, procedure_figures
from console.insight.unanswered import Question, group_questions

# Below this confidence a message the bot did answer still goes to review (the NLU's own
# fallback threshold, 0.55 in config.yml, catches the rest as nlu_fallback).
LOW_CONFIDENCE = float(os.environ.get("INSIGHT_LOW_CONFIDENCE") or 0.7)
# Newest unanswered messages grouped for the report (more would not change the top groups).
UNANSWERED_SAMPLE = 5000
TOP_QUESTIONS = 20


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
            "seconds": round(self.seconds, 3),
        }


def build_report(engine: sa.engine.Engine, scope: Scope, create_indexes: bool = True) -> Report:
    started = time.perf_counter()
    if create_indexes:
        ensure_indexes(engine)
    d = dialect_of(engine.dialect.name)
    params = {"since": scope.since, "until": scope.until}
    channel_values = (scope.channel, *CHANNELS[scope.channel]) if scope.channel else None
    with engine.connect() as connection:
        rows = connection.execute(sa.text(queries.conversations(d)), params).mappings().all()
        convs = {(r["sender_id"], r["day"]): r for r in rows if scope.includes_channel(r["prefix"], r["input_channel"])}
        marks = connection.execute(sa.text(queries.procedure_marks(d)), params).mappings().all()
        intents = connection.execute(sa.text(queries.top_intents(d, channel_values)), params).all()
        misses = (
            connection.execute(
                sa.text(queries.unanswered(d, channel_values)),
                {**params, "low_confidence": LOW_CONFIDENCE, "limit": UNANSWERED_SAMPLE},
            )
            .mappings()
            .all()
        )
    report = _assemble(scope, list(convs.values()), [m for m in marks if (m["sender_id"], m["day"]) in convs])
    report.top_intents = [(name or "(none)", int(n)) for name, n in intents]
    report.unanswered = group_questions(misses, TOP_QUESTIONS)
    report.seconds = time.perf_counter() - started
    return report


def _assemble(scope: Scope, convs: list[Any], marks: list[Any]) -> Report:
    per_day: Counter = Counter({day: 0 for day in scope.days()})
    totals: Counter = Counter()
    for c in convs:
        per_day[day_of_number(c["day"])] += 1
        for key in ("messages", "nlu_fallbacks", "fallbacks", "clarifications", "paused", "wanted_person"):
            totals[key] += int(c[key] or 0)
        totals["resolved"] += int(c["resolved"] or 0)
        totals["answers"] += int(c["resolved"] or 0) + int(c["unresolved"] or 0)
    n, messages = len(convs), totals["messages"]
    return Report(
        scope=scope,
        per_day=dict(sorted((day, count) for day, count in per_day.items() if day in set(scope.days()))),
        conversations=n,
        messages=messages,
        contained=Rate(n - totals["paused"], n),
        handoff=Rate(totals["paused"], n),
        wanted_person=Rate(totals["wanted_person"], n),
        resolved=Rate(totals["resolved"], totals["answers"]),
        fallback=Rate(totals["fallbacks"], messages),
        clarification=Rate(totals["clarifications"], messages),
        nlu_fallback=Rate(totals["nlu_fallbacks"], messages),
        procedures=procedure_figures(_by_conversation(marks)),
        top_intents=[],
        unanswered=[],
    )


def _by_conversation(marks: list[Any]) -> dict[tuple[str, int], list[Any]]:
    grouped: dict[tuple[str, int], list[Any]] = defaultdict(list)
    for m in marks:
        grouped[(m["sender_id"], m["day"])].append(m)
    return grouped
