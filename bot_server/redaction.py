"""The one place that removes one-time codes, phone numbers and typed passwords from what is stored or
logged.

Used by the tracker stores (events are redacted on save), by the log records of the Rasa process
(`install_log_redaction`: Rasa's debug log prints every message) and by anything that shows customer
text (console transcript, review queue, report).

How people type them (matched after NFKC, so full-width digits, spaces, ＋ and brackets count too):
- codes: six digits, in one piece, 3+3, 2+2+2 or digit by digit, split by one kind of space or dash:
  482913, 482 913, 12 34 56, 123-456, 123ー456, ４８２９１３ (not 4+2, dotted or mixed: those are
  dates, times, versions and addresses in log lines: 2026-11-26 15:32, 127.0.0.1, 0.123456);
- phone numbers: 10 or 11 digits from 0, or +81 / 81 (optionally "(0)") and 9 or 10 digits, split by
  spaces, dashes, long sound marks, dots or brackets: 090-1234-5678, 090ー1234ー5678, 090.1234.5678,
  (090)1234-5678, +81 90-1234-5678, +81 (0)3 1234 5678, 0120-123-456.
Digits glued to letters (N123456789, t702870045@…) are IDs, not codes, and stay.
- passwords the customer typed anyway (recognized by ocn_ids/passwords.py): after a password word
  (「パスワードは Abc12345」「PW：abc123」) or as the last sentence of a message that speaks of a password
  (「パスワードも要りますか？Taro1234です」) everywhere; a whole secret-looking message only where the
  bot had asked for a customer number / OCN ID, which only the conversation knows: `redact_events`
  (the tracker stores) follows the form's requested slot, and `note_incoming_message` (called as
  Rasa parses a message, with its tracker) hides that message from this task's log records.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from collections.abc import Iterable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from ocn_ids.normalize import nfkc, normalize_with_offsets
from ocn_ids.parse import find_values
from ocn_ids.passwords import SecretPrompt, at_secret_prompt, looks_like_password, password_spans

if TYPE_CHECKING:  # Rasa is imported only by redact_event: the action server logs through this module too
    from rasa.shared.core.events import Event

CODE_MASK = "[確認コード]"
PHONE_MASK = "[電話番号]"
PASSWORD_MASK = "[パスワード]"


# Cheap test before the password recognizer runs on a log line: a password word in any width/case.
# Compared after NFKC and lower case (full-width ＰＷ and half-width ﾊﾟｽ included).
_PASSWORD_WORD_HINTS = ("pass", "pw", "パス", "ぱす", "はすわ", "ハスワ", "暗証")
SECRET_SLOTS = ("otp_code",)
SECRET_ENTITIES = ("otp_code",)

# What may stand between the digit groups of one number (after NFKC): spaces, hyphens and dashes of
# every kind, the long sound mark 「ー」 people type for a hyphen, dots, middle dots and brackets.
_SEPARATOR = r"[\s\-\u2010-\u2015\u2212\u30fc\u00b7\u30fb.()]"
_NUMBER_RUN = re.compile(rf"(?<![0-9a-z@])\+?\(?\d(?:{_SEPARATOR}{{0,3}}\d)*")
_DIGITS = re.compile(r"\d+")
_MAX_DIGITS = 13  # +81 (0)90 1234 5678


_CODE_SEPARATOR = re.compile(r"[\s\-\u2010-\u2015\u2212\u30fc]+")
# How a six-digit code is typed: whole, 3+3, 2+2+2 or digit by digit (not 4+2: that is 2026-11).
_CODE_GROUPS = ([6], [3, 3], [2, 2, 2], [1] * 6)


def _is_code(groups: list[re.Match[str]], i: int, j: int, text: str) -> bool:
    """Groups i..j typed as a code: an allowed grouping, one kind of separator (spaces or dashes, not
    dots: 127.0.0.1, 0.123456), and not part of a dotted number around it."""
    if [len(g.group()) for g in groups[i : j + 1]] not in _CODE_GROUPS:
        return False
    separators = {text[groups[k].end() : groups[k + 1].start()] for k in range(i, j)}
    if len(separators) > 1 or not all(_CODE_SEPARATOR.fullmatch(sep) for sep in separators):
        return False
    before = text[groups[i - 1].end() : groups[i].start()] if i > 0 else text[: groups[i].start()]
    after = text[groups[j].end() : groups[j + 1].start()] if j + 1 < len(groups) else ""
    return "." not in before and "." not in after


def _kind(digits: str) -> str | None:
    if len(digits) == 6:
        return CODE_MASK
    if digits.startswith("0") and len(digits) in (10, 11):
        return PHONE_MASK
    if digits.startswith("81"):
        national = digits[2:].removeprefix("0")
        if len(national) in (9, 10) and not national.startswith("0"):
            return PHONE_MASK
    return None


def _spans_in_run(run: re.Match[str]) -> list[tuple[int, int, str]]:
    """Codes and phone numbers in one run of digit groups, longest first from the left: "123456
    09012345678" is a code and a phone number, "090 1234 5678" one phone number."""
    groups = list(_DIGITS.finditer(run.group()))
    spans, i = [], 0
    while i < len(groups):
        best: tuple[int, str] | None = None
        digits = ""
        for j in range(i, len(groups)):
            digits += groups[j].group()
            if len(digits) > _MAX_DIGITS:
                break
            kind = _kind(digits)
            if kind == CODE_MASK and not _is_code(groups, i, j, run.group()):
                kind = None
            if kind:
                best = (j, kind)
        if best is None:
            i += 1
            continue
        j, kind = best
        start = run.start() if i == 0 else run.start() + groups[i].start()  # a leading + or ( goes too
        spans.append((start, run.start() + groups[j].end(), kind))
        i = j + 1
    return spans


# NUL and unpaired surrogates: PostgreSQL cannot turn them into text, so one stored in an event's JSON
# breaks every JSON expression over that row (the console's report and review queries, their indexes,
# and with those indexes the INSERT of the event itself). Nobody types them; they are dropped.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    return _UNSTORABLE.sub("", text) if not text.isascii() or "\x00" in text else text


def _mask_spans(text: str, spans: Iterable[tuple[int, int]], mask: str) -> str:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + mask + text[end:]
    return text


def redact_text(text: str, *, about_a_password: bool = False) -> str:
    """`about_a_password`: the bot had just answered about a password or asked for an ID (at_secret_prompt):
    「今のは abcd1234」 is masked without a password word in the message (ocn_ids.passwords.password_spans)."""
    text = storable(text)
    lowered = nfkc(text).lower()  # composed: ﾊﾟｽ and ハ + U+309A + ス read as パス
    if about_a_password or any(hint in lowered for hint in _PASSWORD_WORD_HINTS):
        text = _mask_spans(text, password_spans(text, about_a_password=about_a_password), PASSWORD_MASK)
    if not any(ch.isdigit() for ch in text):
        return text
    norm = normalize_with_offsets(text)
    spans = [
        (*norm.span_in_original(start, end), mask)
        for run in _NUMBER_RUN.finditer(norm.text)
        for start, end, mask in _spans_in_run(run)
    ]
    for start, end, mask in sorted(spans, reverse=True):
        text = text[:start] + mask + text[end:]
    return text


def redact_message(text: str, *, at_id_prompt: SecretPrompt | bool = False) -> str:
    """A customer's message: redact_text, and also six digits grouped in any other way the bot takes
    as the code (ocn_ids.parse: "1234 56", "1 23456"), which redact_text leaves to keep log lines
    readable (2026-11) -- a message the bot used as a code is never stored with it. `at_id_prompt`:
    the bot had asked for a customer number / OCN ID, so a secret-looking message is a password. NUL and
    unpaired surrogates are dropped (`storable`)."""
    text = storable(text)
    if at_id_prompt and looks_like_password(text, at_id_prompt):
        return PASSWORD_MASK
    codes = [(found.start, found.end) for found in find_values(text) if found.entity == "otp_code"]
    for start, end in sorted(codes, reverse=True):
        text = text[:start] + CODE_MASK + text[end:]
    return redact_text(text, about_a_password=bool(at_id_prompt))


def redact_value(value: Any) -> Any:
    """Strings redacted inside dicts, lists and tuples (log arguments, JSON bodies)."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: redact_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact_value(v) for v in value)
    return value


def _redact_parse_data(parse_data: dict[str, Any], at_id_prompt: SecretPrompt | bool) -> dict[str, Any]:
    data = copy.deepcopy(parse_data)
    whole_password = bool(at_id_prompt) and looks_like_password(str(data.get("text") or ""), at_id_prompt)
    if isinstance(data.get("text"), str):
        data["text"] = redact_message(data["text"], at_id_prompt=at_id_prompt)
    for entity in data.get("entities") or []:
        if entity.get("entity") in SECRET_ENTITIES:
            entity["value"] = CODE_MASK
        elif whole_password:
            entity["value"] = PASSWORD_MASK
        elif isinstance(entity.get("value"), str):
            entity["value"] = redact_text(entity["value"])
    return data


def redact_event(event: Event, *, at_id_prompt: SecretPrompt | bool = False) -> Event:
    """One event as it may be stored; `at_id_prompt`: the bot had asked for a customer number / OCN ID
    (redact_events knows that from the conversation)."""
    from rasa.shared.core.events import Event, SlotSet, UserUttered

    if isinstance(event, UserUttered) and event.text:
        redacted = redact_message(event.text, at_id_prompt=at_id_prompt)
        if redacted == event.text and not any(e.get("entity") in SECRET_ENTITIES for e in event.entities or []):
            return event
        data = event.as_dict()
        data["text"] = redacted
        data["parse_data"] = _redact_parse_data(data.get("parse_data") or {}, at_id_prompt)
        return Event.from_parameters(data)
    if isinstance(event, SlotSet) and event.key in SECRET_SLOTS and event.value is not None:
        return SlotSet(event.key, CODE_MASK, timestamp=event.timestamp, metadata=event.metadata)
    return event


def redact_events(events: Iterable[Event]) -> list[Event]:
    """A conversation's events as they may be stored, each message read in its place: a message sent
    while the form waited for a customer number / OCN ID (requested_slot), or after the which-password
    question (pending_question), is read as at an ID prompt."""
    from rasa.shared.core.events import ActiveLoop, Restarted, SessionStarted, SlotSet, UserUttered

    requested: Any = None
    pending: Any = None
    topic: Any = None
    redacted = []
    for event in events:
        if isinstance(event, SlotSet) and event.key == "requested_slot":
            requested = event.value
        elif isinstance(event, SlotSet) and event.key == "pending_question":
            pending = event.value
        elif isinstance(event, SlotSet) and event.key == "topic":
            topic = event.value
        elif isinstance(event, ActiveLoop) and event.name is None:
            requested = None
        elif isinstance(event, (SessionStarted, Restarted)):
            requested = pending = topic = None  # a new session starts with no slot the bot had set
        at_id_prompt = at_secret_prompt(requested, pending, topic) if isinstance(event, UserUttered) else ""
        redacted.append(redact_event(event, at_id_prompt=at_id_prompt))
    return redacted


# Texts this asyncio task (one incoming message) must not log: a password typed at an ID prompt,
# which no log line can recognize on its own (note_incoming_message).
_HIDDEN_IN_LOGS: ContextVar[tuple[str, ...]] = ContextVar("ocn_hidden_in_logs", default=())


def note_incoming_message(text: str | None, *, at_id_prompt: SecretPrompt | bool) -> None:
    """Called as Rasa parses a customer's message (bot_server/handoff_pause.py's parse wrapper, which
    has the tracker): a password typed at an ID prompt is masked in every later log record of this
    message's handling, wherever and however it is printed (repr, structlog)."""
    if not text or not at_id_prompt:
        return
    if looks_like_password(text, at_id_prompt):
        secrets = [text.strip()]
    else:  # 「今のは yamada1948 なのですが」 right after a password's answer: the part, as the tracker store masks it
        secrets = [text[start:end] for start, end in password_spans(text, about_a_password=True)]
    for secret in secrets:
        _HIDDEN_IN_LOGS.set((*_HIDDEN_IN_LOGS.get(), secret, repr(secret)[1:-1]))


def _hide_noted(message: str) -> str:
    for secret in _HIDDEN_IN_LOGS.get():
        message = message.replace(secret, PASSWORD_MASK)
    return message


_LOG_PATCHED = "_ocn_redacting"
# A run of JSON \\uXXXX escapes: Rasa's structlog renders parse data with ensure_ascii, so a code typed
# in full width reaches the log as \\uff11\\uff11… where no pattern over the text can see it.
_JSON_ESCAPES = re.compile(r"(?:\\u[0-9a-fA-F]{4})+")


def _unescape_json(message: str) -> str:
    """The message with its \\uXXXX runs decoded (surrogate pairs too), so redaction sees the text
    the customer typed; a run that does not decode to valid text is left as it was."""

    def decode(run: re.Match[str]) -> str:
        try:
            text = json.loads(f'"{run.group()}"')
            text.encode("utf-8")  # a lone surrogate cannot be written to the log file
        except (ValueError, UnicodeEncodeError):
            return run.group()
        return text

    return _JSON_ESCAPES.sub(decode, message) if "\\u" in message else message


def install_log_redaction() -> None:
    """Redact every log record of this process when it is created (Rasa logs each message and its
    parse data at debug level, through logging and structlog alike). Idempotent."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, _LOG_PATCHED, False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string is logging's business, not ours
            return record
        redacted = _hide_noted(redact_text(_unescape_json(message)))
        if redacted != message:
            record.msg, record.args = redacted, None
        return record

    setattr(factory, _LOG_PATCHED, True)
    logging.setLogRecordFactory(factory)
