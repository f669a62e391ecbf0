"""Every environment variable the action server reads, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass


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
