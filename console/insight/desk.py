"""The operator desk in the report: how handoffs ended (解決／未解決／折り返し要) and how long they took —
wait (queued -> taken), first response (taken -> the operator's first message) and total handling
(taken -> handed back or closed), as median and 90th percentile — per JST day and per operator.

Read from the console store (console/outcomes.py), not the tracker store: the handoffs that ended
in the report's period.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from console.insight.period import JST, Scope
from console.outcomes import OUTCOMES, Handled, OutcomeRepository

NO_OUTCOME = "none"  # ended before outcomes were asked for


@dataclass(frozen=True)
class Durations:
    count: int
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, values: Iterable[float | None]) -> Durations:
        known = sorted(v for v in values if v is not None)
        if not known:
            return cls(0, None, None)
        p90 = known[max(0, math.ceil(0.9 * len(known)) - 1)]  # nearest rank
        return cls(len(known), statistics.median(known), p90)


@dataclass
class DeskRow:
    label: str
    handled: int
    outcomes: dict[str, int]
    wait: Durations
    first_response: Durations
    total: Durations


@dataclass
class DeskReport:
    per_day: list[DeskRow] = field(default_factory=list)
    per_operator: list[DeskRow] = field(default_factory=list)
    overall: DeskRow | None = None

    @property
    def empty(self) -> bool:
        return self.overall is None


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}秒"
    if seconds < 3600:
        return f"{seconds // 60}分{seconds % 60:02d}秒"
    return f"{seconds // 3600}時間{seconds % 3600 // 60:02d}分"


def _row(label: str, handled: list[Handled]) -> DeskRow:
    outcomes = {key: 0 for key in (*OUTCOMES, NO_OUTCOME)}
    for h in handled:
        outcomes[h.outcome if h.outcome in OUTCOMES else NO_OUTCOME] += 1
    return DeskRow(
        label=label,
        handled=len(handled),
        outcomes=outcomes,
        wait=Durations.of(h.wait for h in handled),
        first_response=Durations.of(h.first_response for h in handled),
        total=Durations.of(h.total for h in handled),
    )


def _day(timestamp: float) -> date:
    return datetime.fromtimestamp(timestamp, JST).date()


def desk_figures(handled: list[Handled], names: dict[int, str]) -> DeskReport:
    if not handled:
        return DeskReport()
    by_day: dict[date, list[Handled]] = {}
    by_operator: dict[str, list[Handled]] = {}
    for h in handled:
        by_day.setdefault(_day(h.ended_at), []).append(h)
        by_operator.setdefault(names.get(h.operator_id or -1, "（不明）"), []).append(h)
    return DeskReport(
        per_day=[_row(day.isoformat(), rows) for day, rows in sorted(by_day.items())],
        per_operator=[_row(name, rows) for name, rows in sorted(by_operator.items())],
        overall=_row("合計", handled),
    )


def desk_report(outcomes: OutcomeRepository, scope: Scope, names: dict[int, str]) -> DeskReport:
    """The desk figures of the handoffs that ended in the scope's period (every channel: the desk's work)."""
    return desk_figures(outcomes.handled(scope.since, scope.until), names)
