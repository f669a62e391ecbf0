"""Parsing and masking of customer identifiers and contact details."""

from __future__ import annotations

import re
import unicodedata

CUSTOMER_NUMBER_RE = re.compile(r"^N\d{9}$")
# Loose on purpose: OCN IDs are mail addresses, and some are not on ocn.ne.jp.
OCN_ID_RE = re.compile(r"^[a-z0-9._%+\-]{1,64}@[a-z0-9.\-]{1,190}\.[a-z]{2,}$")
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−ー]")


def normalize_customer_number(raw: str) -> str | None:
    """'ｎ１２３-４５６-７８９' -> 'N123456789'; None when it is not N + 9 digits."""
    value = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw)).upper()
    return value if CUSTOMER_NUMBER_RE.match(value) else None


def normalize_ocn_id(raw: str) -> str | None:
    value = unicodedata.normalize("NFKC", raw).strip().lower()
    return value if OCN_ID_RE.match(value) else None


def normalize_connection_id(raw: str) -> str | None:
    """A connection ID (接続用ID) carries an @ but is no mail address; it is written and compared like one."""
    return normalize_ocn_id(raw)


def phone_digits(raw: str) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", raw))


def format_phone(digits: str) -> str:
    if len(digits) == 11:
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    return digits


def mask_customer_number(number: str) -> str:
    return number[:3] + "*" * (len(number) - 5) + number[-2:]  # N12*****89


def mask_mail(address: str) -> str:
    local, _, domain = address.partition("@")
    keep = 2 if len(local) > 2 else 1
    return f"{local[:keep]}****@{domain}"  # ta****@ocn.ne.jp


def mask_phone(digits: str) -> str:
    return f"{digits[:3]}-****-{digits[-4:]}"  # 090-****-5678


def mask_address(region: str) -> str:
    return f"{region}****"  # 東京都千代田区****


def normalize_destination(raw: str | None) -> str | None:
    """Outbox filter: a phone number in any notation, a mail address or a customer number -> stored form."""
    if not raw or not raw.strip():
        return None
    value = unicodedata.normalize("NFKC", raw).strip()
    if re.fullmatch(r"[0-9+\-() ]{10,}", value):
        return phone_digits(value)
    number = normalize_customer_number(value)
    if number:
        return number
    return value.lower() if "@" in value else value
