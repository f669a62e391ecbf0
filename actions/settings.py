"""Every environment variable the action server reads, in one place.

The deep-link variables (`OCN_LINK_*`) are named next to the pages they stand for, in actions/links.py.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time

# The one OCN address verified to exist and to say what the bot says: the help page
# 「IDとパスワードのお手続き」 (its text is in the repository's source material).
VERIFIED_HELP_PAGE_URL = "https://support.ocn.ne.jp/personal/purpose/detail/pid29000019q5"


def _env(name: str, default: str = "", env: Mapping[str, str] | None = None) -> str:
    value = (os.environ if env is None else env).get(name, "").strip()
    return value or default


@dataclass(frozen=True)
class Settings:
    help_page_url: str
    deep_links: dict[str, str]  # environment variable -> URL, only those an operator has set


def load_settings(env: Mapping[str, str] | None = None, deep_link_variables: tuple[str, ...] = ()) -> Settings:
    return Settings(
        help_page_url=_env("OCN_HELP_PAGE_URL", VERIFIED_HELP_PAGE_URL, env),
        deep_links={name: _env(name, env=env) for name in deep_link_variables if _env(name, env=env)},
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


def load_handoff_settings(env: Mapping[str, str] | None = None) -> HandoffSettings:
    port = _env("CONSOLE_PORT", "5057", env)
    return HandoffSettings(
        desk_class=_env("HANDOFF_DESK", "actions.handoff_desk.ConsoleDesk", env),
        desk_url=_env("HANDOFF_DESK_URL", f"http://127.0.0.1:{port}", env).rstrip("/"),
        desk_token=_env("CONSOLE_SERVICE_TOKEN", "dev-console-token", env),
        timeout=float(_env("HANDOFF_DESK_TIMEOUT", "3", env)),
        hours=_hours(_env("HANDOFF_HOURS", "09:00-18:00", env)),
        timezone=_env("HANDOFF_TIMEZONE", "Asia/Tokyo", env),
    )
