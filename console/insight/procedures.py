"""Procedures started / verified / completed / abandoned, from the events a procedure leaves.

Read from event data only (the procedure actions may change shape): a procedure is *started*
when the `procedure` slot is set to it; *verified* when `verified_until` is set after that (or it
completed, which needs a verification); *completed* when the bot sends a completion reply while
it runs (a response `utter_done_*`, or — for the login history, which is built from data — a
reply without a response); *abandoned* when started and not completed
(cancelled, refused by the account system, or left).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# Procedures whose completion reply is built from data (no response), as the login history:
# a reply without a response while one of these runs completes it.
PLAIN_REPLY_COMPLETES = ("login_history",)


@dataclass
class ProcedureFigures:
    procedure: str
    started: int = 0
    verified: int = 0
    completed: int = 0
    abandoned: int = 0


def procedure_figures(conversations: dict[Any, list[Any]]) -> list[ProcedureFigures]:
    figures: dict[str, ProcedureFigures] = {}
    for marks in conversations.values():
        for procedure, verified, completed in _runs(marks):
            f = figures.setdefault(procedure, ProcedureFigures(procedure))
            f.started += 1
            f.verified += int(verified or completed)
            f.completed += int(completed)
            f.abandoned += int(not completed)
    return sorted(figures.values(), key=lambda f: (-f.started, f.procedure))


def _runs(marks: Iterable[Any]) -> list[tuple[str, bool, bool]]:
    """(procedure, verified, completed) for each procedure started in one conversation."""
    marks = list(marks)
    starts = {m["value"]: m["first_at"] for m in marks if m["kind"] == "procedure" and m["value"]}
    if not starts:
        return []
    verified_at = max((m["last_at"] for m in marks if m["kind"] == "verified"), default=None)
    completed: set[str | None] = set()
    for m in marks:
        for at in (m["first_at"], m["last_at"]):
            running = _running_at(starts, at)
            if m["kind"] == "done" or (m["kind"] == "text" and running in PLAIN_REPLY_COMPLETES):
                completed.add(running)
    return [
        (procedure, verified_at is not None and verified_at >= started_at, procedure in completed)
        for procedure, started_at in starts.items()
    ]


def _running_at(starts: dict[str, float], at: float) -> str | None:
    """The procedure started last before `at`."""
    before = [(started_at, procedure) for procedure, started_at in starts.items() if started_at <= at]
    return max(before)[1] if before else None
