"""The period and channel a report is about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from console.insight.dialect import JST_OFFSET_SECONDS

JST = timezone(timedelta(seconds=JST_OFFSET_SECONDS))
# A conversation's channel is its sender id's prefix (`web:…`, see coordination decision 1); ids
# stored before namespacing fall back to the input channel Rasa recorded on the customer's messages.
CHANNELS: dict[str, tuple[str, ...]] = {"web": ("socketio", "web"), "line": ("line",), "rest": ("rest",)}


@dataclass(frozen=True)
class Scope:
    first_day: date  # inclusive, JST
    last_day: date  # inclusive, JST
    channel: str | None = None  # None: every channel

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise ValueError("the period ends before it starts")
        if self.channel is not None and self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r} (known: {', '.join(CHANNELS)})")

    @property
    def since(self) -> float:
        return datetime.combine(self.first_day, datetime.min.time(), JST).timestamp()

    @property
    def until(self) -> float:
        return datetime.combine(self.last_day + timedelta(days=1), datetime.min.time(), JST).timestamp()

    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range((self.last_day - self.first_day).days + 1)]

    def includes_channel(self, prefix: str | None, input_channel: str | None) -> bool:
        if self.channel is None:
            return True
        if prefix is not None:
            return prefix == self.channel
        return input_channel in CHANNELS[self.channel]


def today_jst(now: float) -> date:
    """Today as the support team counts days (Japan time), whatever the server's own time zone."""
    return datetime.fromtimestamp(now, JST).date()


def requested_scope(
    since: str | None, until: str | None, channel: str | None, now: float, default_days: int, max_days: int
) -> Scope:
    """The report's period from a request: by default the `default_days` JST days up to today (JST);
    at most `max_days`; an unreadable date or channel gives the default period, every channel."""
    today = today_jst(now)
    try:
        last = date.fromisoformat(until or today.isoformat())
        first = date.fromisoformat(since or (last - timedelta(days=default_days - 1)).isoformat())
        if (last - first).days >= max_days:
            first = last - timedelta(days=max_days - 1)
        return Scope(first, last, channel or None)
    except ValueError:
        return Scope(today - timedelta(days=default_days - 1), today)


def day_of_number(day_number: int) -> date:
    """The JST date of a day number computed in SQL (days since 1970-01-01 in JST)."""
    return date(1970, 1, 1) + timedelta(days=int(day_number))


def day_number(timestamp: float) -> int:
    """The day number SQL computes (Dialect.day) for a timestamp."""
    return int((timestamp + JST_OFFSET_SECONDS) // 86400)


def channel_prefix(sender_id: str) -> str | None:
    """`web:abc` -> `web`; None for an old id without a channel prefix."""
    channel, sep, _ = sender_id.partition(":")
    return channel if sep else None
