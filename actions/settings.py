"""Every environment variable the action server reads, in one place.

The deep-link variables (`OCN_LINK_*`) are named next to the pages they stand for, in actions/links.py.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

# The one OCN address verified to exist and to say what the bot says: the help page
# 「IDとパスワードのお手続き」 (its text is in the repository's source material).
VERIFIED_HELP_PAGE_URL = "https://support.ocn.ne.jp/personal/purpose/detail/pid29000019q5"


def _env(env: Mapping[str, str], name: str, default: str = "") -> str:
    value = env.get(name, "").strip()
    return value or default


@dataclass(frozen=True)
class Settings:
    help_page_url: str
    deep_links: dict[str, str]  # environment variable -> URL, only those an operator has set


def load_settings(env: Mapping[str, str] | None = None, deep_link_variables: tuple[str, ...] = ()) -> Settings:
    env = os.environ if env is None else env
    return Settings(
        help_page_url=_env(env, "OCN_HELP_PAGE_URL", VERIFIED_HELP_PAGE_URL),
        deep_links={name: _env(env, name) for name in deep_link_variables if _env(env, name)},
    )
