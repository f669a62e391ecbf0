"""Recognize and canonicalize the values customers give: IDs, one-time codes, choices."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ocn_ids.normalize import hiragana, normalize_with_offsets
from ocn_ids.spoken_numbers import spoken_number

# N + 9 digits; customers type spaces or hyphens between groups.
_CUSTOMER_NUMBER = re.compile(r"(?<![a-z0-9])n[\s\-ー―‐]*((?:\d[\s\-ー―‐]*){8}\d)(?![0-9])")
_MAIL_LIKE = re.compile(r"(?<![a-z0-9._%+\-])[a-z0-9][a-z0-9._%+\-]{0,63}@[a-z0-9\-]+(?:\.[a-z0-9\-]+)+")
# 6 digits, possibly typed as "123 456", "12-34-56" or "1 2 3 4 5 6" (hyphens, long dashes, spaces of
# any width); never part of a longer number, even one written with the same separators.
_CODE_SEPARATOR = r"[\s\-‐‑‒–—―−ー]"
_ONE_TIME_CODE = re.compile(rf"(?<![0-9a-z])\d(?:{_CODE_SEPARATOR}{{0,3}}\d){{5}}(?![0-9])")
_DIGIT_BEFORE = re.compile(rf"\d{_CODE_SEPARATOR}{{0,3}}$")
_DIGIT_AFTER = re.compile(rf"^{_CODE_SEPARATOR}{{0,3}}\d")
# The entities of find_values that name the account to verify (the rest are codes).
ACCOUNT_ENTITIES = frozenset({"customer_number", "ocn_id", "connection_id"})
# Connection IDs are @-addresses under these OCN connection domains; OCN mail is under ocn.ne.jp.
CONNECTION_ID_DOMAINS = ("one.ocn.ne.jp", "aol.ocn.ne.jp", "pc.ocn.ne.jp", "adsl.ocn.ne.jp")

ID_TYPE_KEYWORDS = {
    # 晩号: the homophone voice input and IME give for 番号
    "customer_number": (
        "お客さま番号",
        "お客様番号",
        "おきゃくさまばんごう",
        "顧客番号",
        "お客さまばんごう",
        "お客さま晩号",
        "お客様晩号",
        # flick-typed without the small ゃ or the dakuten
        "おきやくさまばんごう",
        "おきやくさまはんこう",
        "おきゃくさまはんこう",
        "お客さまはんこう",
        "customer number",
    ),
    # 設則／接則 and 人称id: voice input's and IME's wrong conversions of せつぞく, にんしょう
    "connection_id": (
        "接続用id",
        "接続id",
        "認証id",
        "接続用",
        "認証",
        "せつぞく",
        "にんしょう",
        "接続",
        "設則",
        "接則",
        "人称id",
        # flick-typed without the dakuten or the small ょ (never 「せつそく」「にんしよう」 alone: 「かくにんしよう」)
        "せつそくよう",
        "せつそくid",
        "せつそくのid",
        "にんしようid",
        # the ID for the internet (the page: the connection ID is used only to set up the internet connection)
        "インターネットのid",
        "インターネット用のid",
        "いんたーねっとのid",
        "ネットのid",
        "ネット用のid",
        # learners' English (romaji is read as kana: ocn_ids/romaji.py)
        "connection id",
        "connect id",
        "internet id",
        "authentication id",
    ),
    "ocn_id": (
        "ocn id",
        "ocnid",
        "ocnのid",
        "メールアドレス",
        "メアド",
        "メール",
        "mail",
        "ocnメール",
        "おーしーえぬあいでぃ",
        "オーシーエヌアイディ",
        "おーしーえぬのあいでぃ",
        "ocnあいでぃ",
        "ocnアイディ",
        "おーしーえぬid",
        "オーシーエヌid",
        "めーる",
    ),
}
# An @-address in a message that names the connection ID is the connection ID (「接続用IDは abc@… です」).
_CONNECTION_CONTEXT = ID_TYPE_KEYWORDS["connection_id"]
DELIVERY_METHOD_KEYWORDS = {
    "sms": ("sms", "ショートメール", "ショートメッセージ", "携帯", "スマホ", "しょーとめーる", "えすえむえす"),
    "post": ("郵送", "郵便", "ゆうそう", "ゆうびん", "手紙", "書面", "紙で", "はがき", "yuubin", "yubin", "yuusou"),
    "mypage": ("マイページ", "まいぺーじ", "mypage", "画面", "表示", "web", "ウェブ"),
}


@dataclass(frozen=True)
class Found:
    entity: str
    value: str
    start: int  # offsets in the text as the customer typed it
    end: int


def canonical_customer_number(text: str) -> str | None:
    """'ｎ１２３-456 789' -> 'N123456789'; None unless the whole text is one customer number."""
    found = [f for f in find_values(text) if f.entity == "customer_number"]
    return found[0].value if len(found) == 1 else None


def canonical_mail(text: str) -> str | None:
    """A mail address in the text, lower-cased; None if there is none or several."""
    found = [f for f in find_values(text) if f.entity in ("ocn_id", "connection_id")]
    return found[0].value if len(found) == 1 else None


def one_time_code(text: str) -> str | None:
    """The 6-digit code in the text, or None."""
    found = [f for f in find_values(text) if f.entity == "otp_code"]
    return found[0].value if len(found) == 1 else None


def find_values(text: str) -> list[Found]:
    """Every ID / code in the text, canonicalized, with offsets into the original text."""
    norm = normalize_with_offsets(text)
    results: list[Found] = []
    taken: list[range] = []

    def add(entity: str, value: str, start: int, end: int) -> None:
        taken.append(range(start, end))
        s, e = norm.span_in_original(start, end)
        results.append(Found(entity, value, s, e))

    for m in _CUSTOMER_NUMBER.finditer(norm.text):
        digits = re.sub(r"\D", "", m.group(1))
        add("customer_number", "N" + digits, m.start(), m.end())
    mentions_connection = any(word in norm.text for word in _CONNECTION_CONTEXT)
    for m in _MAIL_LIKE.finditer(norm.text):
        value = m.group(0).rstrip(".")
        domain = value.split("@", 1)[1]
        is_connection = domain in CONNECTION_ID_DOMAINS or mentions_connection
        add("connection_id" if is_connection else "ocn_id", value, m.start(), m.start() + len(value))
    for m in _ONE_TIME_CODE.finditer(norm.text):
        if any(m.start() in r for r in taken):
            continue
        if _DIGIT_BEFORE.search(norm.text, 0, m.start()) or _DIGIT_AFTER.match(norm.text[m.end() :]):
            continue  # part of a phone number or another longer number
        add("otp_code", re.sub(r"\D", "", m.group(0)), m.start(), m.end())
    if not results and (said := spoken_number(text)):
        # The whole message is a number said aloud (ocn_ids/spoken_numbers.py): its value, spanning the message.
        results = [Found(found.entity, found.value, 0, len(text)) for found in find_values(said)]
    return sorted(results, key=lambda f: f.start)


def _keyword_spans(text: str, table: dict[str, tuple[str, ...]], entity: str) -> Iterator[Found]:
    norm = normalize_with_offsets(text)
    said = hiragana(norm.text)  # 「エスエムエス」 as 「えすえむえす」: one character for one, so the spans hold
    claimed: list[range] = []
    keywords = {(hiragana(kw), value) for value, kws in table.items() for kw in kws}
    pairs = sorted(keywords, key=lambda p: (-len(p[0]), p))
    for keyword, value in pairs:  # longest keyword first, so 接続用id beats 接続
        start = said.find(keyword)
        while start != -1:
            end = start + len(keyword)
            if not any(start in r or end - 1 in r for r in claimed):
                claimed.append(range(start, end))
                s, e = norm.span_in_original(start, end)
                yield Found(entity, value, s, e)
            start = said.find(keyword, end)


def named_id_types(text: str) -> set[str]:
    """The IDs the text names by keyword (customer_number, ocn_id, connection_id)."""
    return {found.value for found in _keyword_spans(text, ID_TYPE_KEYWORDS, "id_type")}


def find_choices(text: str) -> list[Found]:
    """Which ID (id_type) and which delivery method (delivery_method) the text names."""
    found = list(_keyword_spans(text, ID_TYPE_KEYWORDS, "id_type"))
    found += _keyword_spans(text, DELIVERY_METHOD_KEYWORDS, "delivery_method")
    return sorted(found, key=lambda f: f.start)
