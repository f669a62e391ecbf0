"""The sandbox's notion of "now".

Expiry (codes 10 min, verification 15 min, lockout 30 min) is tested by moving this clock forward
through the dev-only `/dev/clock` endpoint instead of sleeping; it never moves backwards.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

JST = timezone(timedelta(hours=9), "JST")


class Clock:
    def __init__(self) -> None:
        self._offset = 0.0

    def now(self) -> float:
        return time.time() + self._offset

    @property
    def offset_seconds(self) -> float:
        return self._offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self._offset += seconds


def iso_jst(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, JST).isoformat(timespec="seconds")
