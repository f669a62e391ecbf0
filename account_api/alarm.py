"""The cross-account alarm: many wrong codes across all accounts mean someone is guessing at scale, which
no per-account budget sees. It is told (ALARM log line, audit row `verification.alarm` / `on`) and it
acts while it is on: every code gets one try and a client gets few codes across all accounts
(README "Lockout"). Nobody is locked out by it, or the alarm itself would be a way to deny service.

`alarm_state()` is what a metrics exporter or the CLI reads; the audit rows count how often it went on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from .settings import Settings
from .store import Store

logger = logging.getLogger(__name__)

EVENT = "verification.alarm"
RAISED = "on"


@dataclass(frozen=True)
class AlarmState:
    on: bool
    wrong_codes: int  # across all accounts within the last alarm_window_seconds
    raised_at: float | None  # when it last went on (None: never)
    until: float | None  # when it goes off unless raised again (None while off)
    times_raised: int  # how many times it went on, ever (the audit rows)


def alarm_state(store: Store, settings: Settings, now: float) -> AlarmState:
    """The alarm as it stands at `now`."""
    raised_at = store.audit_log.last_at(EVENT, RAISED)
    until = None if raised_at is None else raised_at + settings.alarm_hold_seconds
    on = until is not None and now < until
    return AlarmState(
        on=on,
        wrong_codes=store.lockout.all_wrong_codes_since(now - settings.alarm_window_seconds),
        raised_at=raised_at,
        until=until if on else None,
        times_raised=store.audit_log.count(EVENT, RAISED),
    )


class Alarm:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def is_on(self, now: float) -> bool:
        raised_at = self.store.audit_log.last_at(EVENT, RAISED)
        return raised_at is not None and now < raised_at + self.settings.alarm_hold_seconds

    def state(self, now: float) -> AlarmState:
        return alarm_state(self.store, self.settings, now)

    def note_wrong_code(self, now: float) -> None:
        """After a wrong code is recorded: raise the alarm when the window holds alarm_wrong_codes and it is
        not already on (a lasting attack raises it again when it would end, one audit row per hold)."""
        s = self.settings
        if (
            self.is_on(now)
            # One client group counts at most alarm_wrong_codes_per_client, a block (an IPv6 /48) as many as
            # block_shares groups: alone neither can keep the alarm on for every customer (security reviews
            # 2026-12-04 N4, 5); guessing at scale from many groups still does.
            or self.store.lockout.wrong_codes_since_capped_per_group(
                now - s.alarm_window_seconds,
                s.alarm_wrong_codes_per_client,
                s.alarm_wrong_codes_per_client * s.block_shares,
            )
            < s.alarm_wrong_codes
        ):
            return
        logger.warning(
            "ALARM: %d wrong one-time codes in %d s across all accounts; one try per code for %d s.",
            s.alarm_wrong_codes,
            s.alarm_window_seconds,
            s.alarm_hold_seconds,
        )
        self.store.audit_log.add(
            now=now,
            event=EVENT,
            result=RAISED,
            detail=f"{s.alarm_wrong_codes} wrong codes in {s.alarm_window_seconds} s",
        )
