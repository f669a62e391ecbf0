"""Unit tests: Rasa messages → LINE message objects, signatures, redelivery memory."""

from line_fakes import BUTTONS, LONG_TEXT, sign

from channels.line_format import (
    BUTTONS_ONLY_TEXT,
    quick_reply,
    shorten_label,
    split_text,
    to_line_messages,
    utf16_len,
)
from channels.line_webhook import RecentEventIds, signature_is_valid

# --- text splitting ---------------------------------------------------------------------------


def test_utf16_len_counts_astral_characters_twice() -> None:
    assert utf16_len("abc") == 3
    assert utf16_len("日本語") == 3
    assert utf16_len("😀") == 2
    assert utf16_len("𠮷野家") == 4  # 𠮷 is outside the BMP


def test_short_text_is_one_part() -> None:
    assert split_text("こんにちは") == ["こんにちは"]
    assert split_text("a" * 5000) == ["a" * 5000]


def test_12000_characters_split_without_breaking_a_surrogate_pair() -> None:
    parts = split_text(LONG_TEXT)
    assert [utf16_len(p) for p in parts] == [4999, 5000, 2002]
    assert "".join(parts) == LONG_TEXT
    # No part ends with half an emoji (Python strings hold code points; check the
    # UTF-16 encoding of every part is valid on its own).
    for part in parts:
        part.encode("utf-16-le").decode("utf-16-le")


def test_emoji_exactly_at_the_limit_stays_in_the_first_part() -> None:
    text = "a" * 4998 + "😀" + "b" * 10
    parts = split_text(text)
    assert parts == ["a" * 4998 + "😀", "b" * 10]


def test_zwj_emoji_sequence_is_not_split() -> None:
    family = "👨\u200d👩\u200d👧"  # one grapheme, 8 UTF-16 units
    text = "a" * 4995 + family + "b" * 10
    parts = split_text(text)
    assert parts[0] == "a" * 4995
    assert parts[1].startswith(family)


def test_prefers_newline_then_sentence_end() -> None:
    paragraph = "あ" * 2999 + "\n"
    text = paragraph + "い" * 3000
    assert split_text(text) == ["あ" * 2999, "い" * 3000]

    sentence = "う" * 3499 + "。"
    text = sentence + "え" * 3000
    assert split_text(text) == [sentence, "え" * 3000]


def test_boundary_too_early_is_not_used() -> None:
    # A newline at 100 would leave a tiny first part; cut near the limit instead.
    text = "あ" * 100 + "\n" + "い" * 6000
    parts = split_text(text)
    assert utf16_len(parts[0]) == 5000
    assert all(utf16_len(p) <= 5000 for p in parts)


# --- quick replies ----------------------------------------------------------------------------


def test_label_shortening_counts_graphemes() -> None:
    assert shorten_label("はい") == "はい"
    assert shorten_label("あ" * 20) == "あ" * 20
    long = shorten_label("接続用IDとパスワードを郵送で受け取りたいのでお願いします")
    assert long == "接続用IDとパスワードを郵送で受け取り…"
    assert len(long) == 20
    assert shorten_label("  改行\nあり  ") == "改行 あり"
    # 20 flags are 40 code points but 20 graphemes: no shortening needed.
    assert shorten_label("🇯🇵" * 20) == "🇯🇵" * 20


def test_quick_reply_keeps_13_items() -> None:
    result = quick_reply(BUTTONS)
    assert result is not None
    assert len(result["items"]) == 13
    assert all(item["type"] == "action" for item in result["items"])


def test_payload_longer_than_300_is_dropped_not_cut() -> None:
    buttons = [{"title": "長い", "payload": "/x" + "a" * 400}, {"title": "OK", "payload": "/ok"}]
    items = quick_reply(buttons)["items"]  # type: ignore[index]
    assert [item["action"]["data"] for item in items] == ["/ok"]


def test_button_without_title_uses_payload_as_label() -> None:
    [item] = quick_reply([{"payload": "/affirm"}])["items"]  # type: ignore[index]
    assert item["action"]["label"] == "/affirm"
    assert item["action"]["displayText"] == "/affirm"


def test_unsupported_link_scheme_is_dropped() -> None:
    assert quick_reply([{"title": "x", "url": "javascript:alert(1)"}]) is None


def test_quick_reply_goes_on_the_last_message() -> None:
    messages = to_line_messages(
        [
            {"text": "選んでください", "buttons": [{"title": "はい", "payload": "/affirm"}]},
            {"text": "補足です"},
        ]
    )
    assert "quickReply" not in messages[0]
    assert messages[1]["quickReply"]["items"][0]["action"]["data"] == "/affirm"


def test_buttons_without_text_get_a_carrier_message() -> None:
    [message] = to_line_messages([{"buttons": [{"title": "はい", "payload": "/affirm"}]}])
    assert message["text"] == BUTTONS_ONLY_TEXT
    assert message["quickReply"]
    [easy] = to_line_messages([{"buttons": [{"title": "はい", "payload": "/affirm"}], "easy_japanese": True}])
    assert easy["text"] == "下から選ん(えらん)でください。"  # in やさしい日本語 mode, its easy twin with readings


# --- other message kinds ----------------------------------------------------------------------


def test_blank_lines_stay_in_one_bubble_and_empty_texts_are_skipped() -> None:
    assert to_line_messages([{"text": "一段落目\n\n二段落目"}, {"text": "  "}]) == [
        {"type": "text", "text": "一段落目\n\n二段落目"}
    ]


def test_image_needs_https() -> None:
    assert to_line_messages([{"image": "https://e.jp/a.png"}])[0]["type"] == "image"
    assert to_line_messages([{"image": "http://e.jp/a.png"}]) == [{"type": "text", "text": "http://e.jp/a.png"}]


def test_custom_line_payload_passes_through_and_other_custom_is_ignored() -> None:
    flex = {"type": "flex", "altText": "料金", "contents": {"type": "bubble"}}
    custom = {"line": [flex, {"type": "text", "text": "以上です"}]}
    messages = to_line_messages([{"custom": custom}, {"custom": {"slack": {"blocks": []}}}])
    assert messages == [flex, {"type": "text", "text": "以上です"}]
    assert messages[0] is not flex  # copied, the domain's dict is never modified


# --- signature and redelivery ---------------------------------------------------------------


def test_signature_covers_the_raw_bytes() -> None:
    body = '{"events":[{"message":{"text":"日本語"}}]}'.encode()
    assert signature_is_valid("secret", body, sign(body, "secret"))
    assert not signature_is_valid("secret", body + b" ", sign(body, "secret"))
    assert not signature_is_valid("secret", body, sign(body, "other"))
    assert not signature_is_valid("secret", body, None)
    assert not signature_is_valid("secret", body, "署名")
    # Bytes that are not UTF-8 are still verified as bytes.
    raw = b"\xff\xfe{}"
    assert signature_is_valid("secret", raw, sign(raw, "secret"))


def test_recent_event_ids_ttl_and_bound() -> None:
    now: list[float] = [0.0]
    recent = RecentEventIds(max_size=3, ttl=10.0, clock=lambda: now[0])
    assert not recent.check_and_add("a")
    assert recent.check_and_add("a")
    now[0] = 11.0
    assert not recent.check_and_add("a")  # expired, so new again
    for event_id in ("b", "c", "d"):
        recent.check_and_add(event_id)
    assert not recent.check_and_add("a")  # evicted by the size bound
