"""The typed phrases that switch the easy mode (whole message, any width, case, spaces or 「」 around).

nlu_components/easy_japanese_switch.py sets the intent for them whatever the classifier thinks, so
the switch always works; data/nlu/easy_japanese.yml teaches the classifier the longer ways to say it.
"""

from __future__ import annotations

import re

from ocn_ids.normalize import nfkc

ON_PHRASES = frozenset(
    {"やさしい日本語", "やさしいにほんご", "優しい日本語", "易しい日本語", "やさしい日本語で", "やさしいにほんごで"}
    | {"やさしい日本語にして", "やさしいにほんごにして", "やさしい日本語モード", "ふりがな", "ふりがなをつけて"}
    | {"easy japanese", "simple japanese", "easyjapanese", "plain japanese", "easy japanese please"}
)
OFF_PHRASES = frozenset(
    {
        "ふつうの日本語",
        "ふつうのにほんご",
        "普通の日本語",
        "ふつうの日本語で",
        "ふつうの日本語にして",
        "普通の日本語に戻して",
    }
    | {"ふつうの日本語に戻して", "やさしい日本語をやめる", "やさしい日本語をやめて", "やさしいにほんごをやめる"}
    | {"standard japanese", "normal japanese", "regular japanese"}
)
_WRAPPING = re.compile(r"^[「『\"'\s]+|[」』\"'\s。.!！?？]+$")


def fold(text: str) -> str:
    return " ".join(_WRAPPING.sub("", nfkc(text).lower()).split())


def switch_intent(text: str) -> str | None:
    """easy_japanese_on / easy_japanese_off when the whole message is a switching phrase."""
    folded = fold(text)
    if folded in {fold(p) for p in ON_PHRASES}:
        return "easy_japanese_on"
    if folded in {fold(p) for p in OFF_PHRASES}:
        return "easy_japanese_off"
    return None
