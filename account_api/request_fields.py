"""Reading a request: its JSON body and the fields every call shares, refused with 400 when malformed."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from sanic.request import Request

from .errors import bad_request

_ID_RE = re.compile(r"^[\x21-\x7e]{1,64}$")


def json_object(request: Request) -> dict[str, Any]:
    try:
        data = json.loads((request.body or b"").decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise bad_request("リクエスト本文がJSONとして読めません (malformed JSON).") from None
    if not isinstance(data, dict):
        raise bad_request("リクエスト本文はJSONオブジェクトにしてください (JSON object expected).")
    return data


def text_field(data: dict[str, Any], name: str, *, max_len: int = 256, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > max_len:
        raise bad_request(f"{name} は {max_len} 文字以内の文字列で指定してください ({name} required).")
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise bad_request(f"{name} に制御文字は使えません.")
    return value


def conversation_id(data: dict[str, Any]) -> str:
    value = text_field(data, "conversation_id")
    assert value is not None
    return value


def valid_id(value: str) -> bool:
    """An id the API could have issued (printable ASCII, at most 64 characters)."""
    return bool(_ID_RE.match(value))


def verification_ref(data: dict[str, Any]) -> str:
    """The verification id, or '' when absent/malformed (which simply means not verified)."""
    value = data.get("verification_id")
    return value if isinstance(value, str) and valid_id(value) else ""


def query(request: Request) -> dict[str, Any]:
    return {k: request.args.get(k) for k in request.args}


def last_param(raw: str | None, default: int = 20) -> int:
    try:
        return max(1, min(500, int(raw))) if raw else default
    except ValueError:
        raise bad_request("last は整数です.") from None
