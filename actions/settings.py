"""Every environment variable the action server reads, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import time


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


@dataclass(frozen=True)
class Settings:
    mypage_base_url: str
    help_base_url: str


def load_settings() -> Settings:
    return Settings(
        mypage_base_url=_env("OCN_MYPAGE_BASE_URL", "https://mypage.ocn.ne.jp").rstrip("/"),
        help_base_url=_env("OCN_HELP_BASE_URL", "https://support.ocn.ne.jp").rstrip("/"),
    )


@dataclass(frozen=True)
class HandoffSettings:
    desk_class: str  # the HandoffDesk implementation (actions/handoff_desk.py)
    desk_url: str
    desk_token: str
    timeout: float
    hours: tuple[time, time]  # support hours; the contact page states none, so 9:00-18:00 JST
    timezone: str


def _hours(value: str) -> tuple[time, time]:
    start, end = (part.strip() for part in value.split("-", 1))
    return time.fromisoformat(start), time(0) if end in ("24:00", "00:00") else time.fromisoformat(end)


def load_handoff_settings() -> HandoffSettings:
    return HandoffSettings(
        desk_class=_env("HANDOFF_DESK", "actions.handoff_desk.ConsoleDesk"),
        desk_url=_env("HANDOFF_DESK_URL", f"http://127.0.0.1:{_env('CONSOLE_PORT', '5057')}").rstrip("/"),
        desk_token=_env("CONSOLE_SERVICE_TOKEN", "dev-console-token"),
        timeout=float(_env("HANDOFF_DESK_TIMEOUT", "3")),
        hours=_hours(_env("HANDOFF_HOURS", "09:00-18:00")),
        timezone=_env("HANDOFF_TIMEZONE", "Asia/Tokyo"),
    )
