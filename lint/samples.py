"""Realistic values for the placeholders of the responses: what the actions fill in from the account
API's replies and the settings. The longest plausible value of each, so a bubble that fits with
these fits in practice (tests/test_response_style.py) and textlint reads whole sentences."""

from __future__ import annotations

import re

from actions import knowledge
from actions.account_replies import describe_contact
from actions.follow_ups import ID_NAMES
from actions.topics import TOPICS

SLOT_VALUES: dict[str, str] = {
    "destination": describe_contact("email", "ta*****@ocn.ne.jp"),  # longer than the phone form
    "address": "taro.yamada@ocn.ne.jp",  # an address read from speech (actions/verification_slots.py)
    "minutes": "10",
    "attempts_left": "4",
    "eta_days": "7",
    "hours": "9:00〜18:00",
    "position": "12",
    "masked": "ta*****@ocn.ne.jp",
    "section_title": max((s.title for s in knowledge.sections()), key=len),
    "section_text": max((s.text for s in knowledge.sections()), key=len),  # the bubble is checked with each
    "first": "OCN IDのパスワード再設定",
    "count": "10",
    "logins": "⚠ 11/24 09:12 東京都 iPhone 成功",
    "second": "接続用IDとパスワードの確認",
    "title": max((t.title for t in TOPICS.values()), key=len),
    "id_name": max(ID_NAMES.values(), key=len),
    "procedure_title": max((t.title for t in TOPICS.values() if t.procedure), key=len),
}
LINK_PLACEHOLDERS = ("{link}", "{contact_link}")
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def fill(text: str, values: dict[str, str] | None = None) -> str:
    """The text as the customer sees it, links left out (they are URLs, not prose)."""
    values = {**SLOT_VALUES, **(values or {})}
    for link in LINK_PLACEHOLDERS:
        text = text.replace("\n" + link, "").replace(link, "")
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)
