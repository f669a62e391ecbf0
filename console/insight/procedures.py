"""Procedures started / verified / completed / abandoned, from the events a procedure leaves.

Read from event data only (the procedure actions may change shape): a procedure is *started*
when the `procedure` slot is set to it; *verified* when `verified_until` is set after that (or it
completed, which needs a verification); *completed* when the bot sends its completion reply
(a response `utter_done_*`, or — for the login history, which is built from data — a reply
without a response while that procedure runs); *abandoned* when started and not completed
(cancelled, refused by the account system, or left).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# Completion replies named after another procedure than the one they finish; any other
# utter_done_* reply is given to the procedure that was running when it was sent.
DONE_RESPONSES = {
    "utter_done_password_reset": "reset_ocn_password",
    "utter_done_connection_sms": "send_connection_id",
    "utter_done_connection_post": "send_connection_id",
    "utter_done_connection_mypage": "send_connection_id",
    "utter_done_customer_number": "send_customer_number",
    "utter_done_ocn_id": "send_ocn_id",
}


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
    marks = list(marks)
    starts = {m["value"]: m["first_at"] for m in marks if m["kind"] == "procedure" and m["value"]}
    if not starts:
        return []
    verified_at = max((m["last_at"] for m in marks if m["kind"] == "verified_until"), default=None)
    templated = set(DONE_RESPONSES.values())
    completed: set[str] = set()
    for m in marks:
        if m["kind"] != "reply":
            continue
        for at in (m["first_at"], m["last_at"]):
            running = _running_at(starts, at)
            if m["value"]:
                completed.add(DONE_RESPONSES.get(m["value"]) or running or "")
            elif running and running not in templated:
                completed.add(running)
    return [
        (procedure, verified_at is not None and verified_at >= started_at, procedure in completed)
        for procedure, started_at in starts.items()
    ]


def _running_at(starts: dict[str, float], at: float) -> str | None:
    """The procedure started last before `at`."""
    before = [(started_at, procedure) for procedure, started_at in starts.items() if started_at <= at]
    return max(before)[1] if before else None
