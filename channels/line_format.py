"""Conversion of Rasa bot messages into LINE Messaging API message objects.

Pure functions (no I/O) so the LINE limits can be unit-tested directly:
- text messages: max 5,000 characters counted in UTF-16 code units;
- quick reply: max 13 items; action labels max 20 characters, counted in grapheme clusters
  (https://developers.line.biz/en/docs/messaging-api/text-character-count/);
- postback `data` and `displayText`: max 300 characters; uri: max 1,000 characters.
"""

import copy
import logging
from collections.abc import Iterable
from typing import Any

# `regex` (a Rasa dependency) knows grapheme clusters (\X); `re` does not.
import regex

from easy_japanese.furigana import with_parentheses
from easy_japanese.twins import widget_strings

logger = logging.getLogger(__name__)

MAX_TEXT_UNITS = 5000
MAX_QUICK_REPLY_ITEMS = 13
MAX_LABEL_CHARS = 20
MAX_POSTBACK_CHARS = 300
MAX_URI_CHARS = 1000
MAX_IMAGE_URL_CHARS = 2000


# Shown as the message carrying the quick reply when the bot sent buttons without text.
def fixed_text(key: str, easy: bool = False) -> str:
    """One of LINE's own fixed texts (easy_japanese/texts/widget.yml `line_*`, one source for both modes);
    in やさしい日本語 with readings in parentheses, as the bot's own easy messages on LINE."""
    if easy:
        return with_parentheses(widget_strings("easy")[key])
    return widget_strings("standard")[key]


BUTTONS_ONLY_TEXT = fixed_text("line_buttons_only_text")

_URI_SCHEMES = ("https://", "http://", "tel:", "line://")
# Split points for long texts, best first: paragraph, sentence end, clause/word.
_SPLIT_POINTS = ("\n", "。！？!?", "、， ")

LineMessage = dict[str, Any]


def utf16_len(text: str) -> int:
    """Length as LINE counts it: characters outside the BMP (most emoji) count 2."""
    return sum(2 if ord(char) > 0xFFFF else 1 for char in text)


def _max_prefix(text: str, limit: int) -> int:
    """Number of code points of the longest prefix that fits in `limit` UTF-16 units.

    Works on code points, so a surrogate pair (one code point) is never cut in half.
    """
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def _grapheme_floor(text: str, index: int) -> int:
    """Largest grapheme-cluster boundary <= index (keeps ZWJ emoji, flags, 濁点 etc. whole)."""
    boundary = 0
    for match in regex.finditer(r"\X", text[: index + 32]):
        if match.end() > index:
            break
        boundary = match.end()
    return boundary or index


def split_text(text: str, limit: int = MAX_TEXT_UNITS) -> list[str]:
    """Splits a text into parts of at most `limit` UTF-16 units.

    Prefers a newline, then a sentence end (「。」), then a comma or space, as long as
    the part stays at least half full; otherwise cuts at a grapheme boundary.
    """
    parts: list[str] = []
    rest = text
    while utf16_len(rest) > limit:
        hard = _max_prefix(rest, limit)
        cut = 0
        for points in _SPLIT_POINTS:
            found = max(rest.rfind(point, 0, hard) for point in points)
            if found + 1 >= hard // 2:
                cut = found + 1
                break
        if not cut:
            cut = _grapheme_floor(rest, hard)
        parts.append(rest[:cut].rstrip("\n"))
        rest = rest[cut:].lstrip("\n")
    parts.append(rest)
    return [part for part in parts if part.strip()]


def shorten_label(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    """Collapses whitespace and cuts a label to `limit` grapheme clusters, ending in "…"."""
    text = " ".join(text.split())
    clusters = regex.findall(r"\X", text)
    if len(clusters) <= limit:
        return text
    return "".join(clusters[: limit - 1]).rstrip() + "…"


def _button_url(button: dict[str, Any]) -> str | None:
    url = button.get("url")
    if not url:
        payload = str(button.get("payload") or "")
        url = payload if payload.startswith(("https://", "http://")) else None
    return str(url) if url else None


def quick_reply_action(button: dict[str, Any]) -> dict[str, Any] | None:
    """One Rasa button as a LINE action: uri for links, postback otherwise."""
    title = " ".join(str(button.get("title") or "").split())
    url = _button_url(button)
    if url:
        if not url.startswith(_URI_SCHEMES) or len(url) > MAX_URI_CHARS:
            logger.warning("Dropping a link button whose URL LINE does not accept.")
            return None
        return {"type": "uri", "label": shorten_label(title or url), "uri": url}

    payload = str(button.get("payload") or title)
    if not payload:
        return None
    if len(payload) > MAX_POSTBACK_CHARS:
        # Cutting an intent payload would corrupt it; better to leave the button out.
        logger.warning("Dropping a button whose payload exceeds %d characters.", MAX_POSTBACK_CHARS)
        return None
    return {
        "type": "postback",
        "label": shorten_label(title or payload),
        "data": payload,
        # Quick reply postbacks need displayText: it is shown as the customer's message.
        "displayText": (title or payload)[:MAX_POSTBACK_CHARS],
    }


def quick_reply(buttons: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """Rasa buttons as a LINE quickReply object (at most 13 items)."""
    items = []
    for button in buttons:
        action = quick_reply_action(button) if isinstance(button, dict) else None
        if action:
            items.append({"type": "action", "action": action})
    if not items:
        return None
    if len(items) > MAX_QUICK_REPLY_ITEMS:
        logger.warning(
            "LINE shows at most %d quick replies; dropping %d buttons.",
            MAX_QUICK_REPLY_ITEMS,
            len(items) - MAX_QUICK_REPLY_ITEMS,
        )
        items = items[:MAX_QUICK_REPLY_ITEMS]
    return {"items": items}


def text_messages(text: str) -> list[LineMessage]:
    return [{"type": "text", "text": part} for part in split_text(text)]


def image_message(url: str) -> LineMessage:
    # LINE only fetches HTTPS images; anything else is still worth showing as a link.
    if url.startswith("https://") and len(url) <= MAX_IMAGE_URL_CHARS:
        return {"type": "image", "originalContentUrl": url, "previewImageUrl": url}
    return {"type": "text", "text": url}


def _custom_messages(custom: Any) -> list[LineMessage]:
    """`{"line": {...}}` or `{"line": [{...}, ...]}` passes through as raw LINE messages."""
    raw = custom.get("line") if isinstance(custom, dict) else None
    if raw is None:
        logger.debug("Ignoring a custom payload without a 'line' key.")
        return []
    raw_list = raw if isinstance(raw, list) else [raw]
    # Copied: the quick reply may be attached to it, and it may belong to the domain.
    return [copy.deepcopy(message) for message in raw_list if isinstance(message, dict)]


def to_line_messages(bot_messages: Iterable[dict[str, Any]]) -> list[LineMessage]:
    """Converts messages collected from the bot (CollectingOutputChannel format).

    LINE only displays the quick reply of the newest message, so the buttons of the
    last message that had buttons are attached to the final LINE message.
    """
    messages: list[LineMessage] = []
    pending_quick_reply: dict[str, Any] | None = None
    for bot_message in bot_messages:
        text = bot_message.get("text")
        if isinstance(text, str) and text.strip():
            messages.extend(text_messages(text))
        if bot_message.get("image"):
            messages.append(image_message(str(bot_message["image"])))
        attachment = bot_message.get("attachment")
        if isinstance(attachment, str) and attachment.strip():
            messages.extend(text_messages(attachment))
        if bot_message.get("custom") is not None:
            messages.extend(_custom_messages(bot_message["custom"]))
        buttons = bot_message.get("buttons") or bot_message.get("quick_replies")
        if buttons:
            pending_quick_reply = quick_reply(buttons) or pending_quick_reply

    if pending_quick_reply:
        if not messages:
            easy = any(isinstance(m, dict) and m.get("easy_japanese") for m in bot_messages)
            messages.append({"type": "text", "text": fixed_text("line_buttons_only_text", easy)})
        messages[-1].setdefault("quickReply", pending_quick_reply)
    return messages
