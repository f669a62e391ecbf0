"""Log lines as JSON, one object per line on stderr, for the Rasa server, the action server and the console.

Each line: `time`, `level`, `logger`, `message`, `conversation` (when the line belongs to a customer's
conversation: a hash of the sender id, the same in every process, so the Rasa server's and the action
server's lines of one conversation can be found together without the id itself) and whatever `extra`
the caller gave. Every record goes through the one redaction (bot_server/redaction.py) twice over:
its message when it is created (`install_log_redaction`), and every field of the JSON object when it
is written (codes and phone numbers in an `extra` or an exception text too), except `conversation` when it
is our own hash.

Which conversation a line belongs to is set per turn with `conversation_scope(sender_id)` (the Rasa
server: bot_server/metrics.py; the action server: actions/metrics.py).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from bot_server.redaction import install_log_redaction, redact_value

FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
RENAMED = {"asctime": "time", "levelname": "level", "name": "logger"}
PROJECT_LOGGERS = ("actions", "bot_server", "channels", "console", "nlu_components")
HASH_CHARS = 16  # 64 bits: enough to tell conversations apart in a day's logs
_INSTALLED = "_ocn_json_logs"
_ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")

_conversation: ContextVar[str | None] = ContextVar("ocn_log_conversation", default=None)


def conversation_hash(sender_id: str) -> str:
    return hashlib.sha256(sender_id.encode("utf-8", "replace")).hexdigest()[:HASH_CHARS]


@contextmanager
def conversation_scope(sender_id: str | None) -> Iterator[None]:
    """Log lines written inside carry the conversation's hash."""
    token = _conversation.set(conversation_hash(sender_id) if sender_id else None)
    try:
        yield
    finally:
        _conversation.reset(token)


def set_log_conversation(sender_id: str | None) -> None:
    """For the rest of the current task (one request of a Sanic server): its lines carry the hash."""
    _conversation.set(conversation_hash(sender_id) if sender_id else None)


class ConversationFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        conversation = _conversation.get()
        if conversation and not hasattr(record, "conversation"):
            record.conversation = conversation
        return True


class RedactingJsonFormatter(JsonFormatter):
    def __init__(self) -> None:
        super().__init__(FIELDS, rename_fields=RENAMED, json_ensure_ascii=False)

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        message = log_data.get("message")
        if isinstance(message, str) and "\x1b[" in message:  # Rasa colours its warnings
            log_data["message"] = _ANSI_COLOUR.sub("", message)
        # The conversation field is our own hash: redacted like the rest, a hash that happens to hold six
        # digits in a row would lose them ("[確認コード]d9af321d4d"), and the conversation its lines.
        conversation = log_data.pop("conversation", None)
        log_data = redact_value(log_data)
        if conversation is not None:
            # Exactly the hash this turn set (ConversationFilter): a caller's own `conversation` is redacted.
            ours = conversation == _conversation.get()
            log_data["conversation"] = conversation if ours else redact_value(conversation)
        return log_data


def _level(level: int | str | None) -> int:
    if isinstance(level, int):
        return level
    found = logging.getLevelName(str(level or "INFO").upper())
    return found if isinstance(found, int) else logging.INFO


def install_json_logging(level: int | str | None = None) -> None:
    """One JSON handler on the root logger (replacing coloredlogs' or a basic one), and the JSON
    format on every other handler already set up (Sanic's own loggers). Safe to call again."""
    install_log_redaction()
    logging.captureWarnings(True)  # Rasa's warnings quote customer text: through the redaction, as JSON
    formatter, conversation = RedactingJsonFormatter(), ConversationFilter()
    root = logging.getLogger()
    for handler in list(root.handlers):
        if not getattr(handler, _INSTALLED, False):
            root.removeHandler(handler)
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        setattr(handler, _INSTALLED, True)
        root.addHandler(handler)
    # Rasa keeps the root logger at WARNING (libraries stay quiet) and sets only its own "rasa" logger's
    # level: ours get LOG_LEVEL (Rasa's variable, default INFO) the same way.
    for name in PROJECT_LOGGERS:
        logging.getLogger(name).setLevel(_level(level or os.environ.get("LOG_LEVEL") or "INFO"))
    for logger in [root, *logging.root.manager.loggerDict.values()]:
        if isinstance(logger, logging.Logger):
            # Sanic's logging dictConfig disables every logger that existed before it (ours included).
            logger.disabled = False
        for handler in getattr(logger, "handlers", []):
            handler.setFormatter(formatter)
            if not any(isinstance(f, ConversationFilter) for f in handler.filters):
                handler.addFilter(conversation)
