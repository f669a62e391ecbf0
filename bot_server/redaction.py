"""Removes one-time codes and phone numbers from events before they are stored."""

from __future__ import annotations

import copy
import re
from typing import Any

from rasa.shared.core.events import Event, SlotSet, UserUttered

from ocn_ids.normalize import normalize_with_offsets
from ocn_ids.parse import find_values

CODE_MASK = "[確認コード]"
PHONE_MASK = "[電話番号]"
SECRET_SLOTS = ("otp_code",)
SECRET_ENTITIES = ("otp_code",)
# Japanese phone numbers as typed: 090-1234-5678, 03 1234 5678, 09012345678.
_PHONE = re.compile(r"(?<!\d)0\d{1,4}[\s\-]?\d{1,4}[\s\-]?\d{3,4}(?!\d)")


def redact_text(text: str) -> str:
    spans: list[tuple[int, int, str]] = [
        (f.start, f.end, CODE_MASK) for f in find_values(text) if f.entity == "otp_code"
    ]
    norm = normalize_with_offsets(text)
    for m in _PHONE.finditer(norm.text):
        if len(re.sub(r"\D", "", m.group(0))) in (10, 11):
            start, end = norm.span_in_original(m.start(), m.end())
            spans.append((start, end, PHONE_MASK))
    for start, end, mask in sorted(spans, reverse=True):
        if not any(s < end and start < e for s, e, _ in spans if (s, e) != (start, end) and s > start):
            text = text[:start] + mask + text[end:]
    return text


def _redact_parse_data(parse_data: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(parse_data)
    if isinstance(data.get("text"), str):
        data["text"] = redact_text(data["text"])
    for entity in data.get("entities") or []:
        if entity.get("entity") in SECRET_ENTITIES:
            entity["value"] = CODE_MASK
    return data


def redact_event(event: Event) -> Event:
    if isinstance(event, UserUttered) and event.text:
        redacted = redact_text(event.text)
        if redacted == event.text and not any(e.get("entity") in SECRET_ENTITIES for e in event.entities or []):
            return event
        data = event.as_dict()
        data["text"] = redacted
        data["parse_data"] = _redact_parse_data(data.get("parse_data") or {})
        return Event.from_parameters(data)
    if isinstance(event, SlotSet) and event.key in SECRET_SLOTS and event.value is not None:
        return SlotSet(event.key, CODE_MASK, timestamp=event.timestamp, metadata=event.metadata)
    return event
